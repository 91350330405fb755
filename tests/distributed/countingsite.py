"""A generated site of many pages that counts what a patrol does to it.

Page i links to pages 2i+1 and 2i+2 (every page is reachable) and to one page further on
(so links are discovered more than once); every seventh page promises guaranteed returns,
which the analyzers report. The server counts hits per path and the most connections open at
once per Host header, and when each request came; it can ask for a robots.txt Crawl-delay,
answer each page after a fixed latency (the distributed benchmark's waiting-bound site), and
hold one request of a path until told to answer (a worker caught mid-fetch). With `hosts` > 1
page i lives on 127.0.0.(1 + i % hosts), each its own server: per-host politeness then leaves
room for more than one worker's concurrency. Loopback only.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPERATOR = "清远计数测试投资管理有限公司"


def page_html(i: int, pages: int, roots: list[str]) -> str:
    links = [j for j in (2 * i + 1, 2 * i + 2, (i * 7 + 3) % pages) if j < pages and j != i]
    anchors = "".join(f'<a href="{roots[j % len(roots)]}/p/{j}.html">第{j}页</a> '
                      for j in links)
    risky = "<p>本平台承诺保本保息，年化收益18%，稳赚不赔。</p>" if i % 7 == 0 else \
        f"<p>第{i}期平台公告：系统维护通知。</p>"
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>页面{i}</title></head>'
            f"<body><h1>页面{i}</h1>{risky}<nav>{anchors}</nav>"
            f'<div class="footer">版权所有 © {OPERATOR}</div></body></html>')


class CountingSite:
    def __init__(self, pages: int, latency: float = 0.0, hosts: int = 1,
                 crawl_delay: float = 0.0) -> None:
        self.pages = pages
        self.latency = latency
        self.crawl_delay = crawl_delay
        self.starts: list[tuple[float, str]] = []   # (monotonic time, path) of each request
        self.hits: Counter[str] = Counter()
        self.held: dict[str, threading.Event] = {}   # path -> its first request's release
        self.open_now: Counter[str] = Counter()
        self.open_max: Counter[str] = Counter()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: with Nagle's algorithm the body waits for
            # the client's (delayed, up to 40 ms) ACK of the headers, a latency the site does
            # not declare and that depends on how busy the client's connections are.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                host = self.headers.get("Host", "")
                with site.lock:
                    site.starts.append((time.monotonic(), self.path))
                    site.hits[self.path] += 1
                    site.open_now[host] += 1
                    site.open_max[host] = max(site.open_max[host], site.open_now[host])
                with site.lock:
                    gate = site.held.pop(self.path, None)
                try:
                    if gate is not None:
                        gate.wait(120)
                    if site.latency:
                        time.sleep(site.latency)
                    status, body = site.answer(self.path)
                    data = body.encode("utf-8")
                    self.send_response(status)
                    kind = "text/plain" if self.path == "/robots.txt" else "text/html"
                    self.send_header("Content-Type", f"{kind}; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    with site.lock:
                        site.open_now[host] -= 1

        self.servers: list[ThreadingHTTPServer] = []
        self.roots: list[str] = []
        for n in range(hosts):
            server = ThreadingHTTPServer((f"127.0.0.{1 + n}", 0), Handler)
            server.daemon_threads = True
            self.servers.append(server)
            self.roots.append(f"http://127.0.0.{1 + n}:{server.server_address[1]}")
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.url = self.roots[0]

    def answer(self, path: str) -> tuple[int, str]:
        if path == "/":
            return 200, page_html(0, self.pages, self.roots)
        if path == "/robots.txt" and self.crawl_delay:
            return 200, f"User-agent: *\nCrawl-delay: {self.crawl_delay}\n"
        if path.startswith("/p/") and path.endswith(".html"):
            number = path[3:-5]
            if number.isdigit() and int(number) < self.pages:
                return 200, page_html(int(number), self.pages, self.roots)
        return 404, "<html><body>not found</body></html>"

    def hold(self, path: str) -> threading.Event:
        """The next request of `path` is answered only once the returned event is set (a
        worker caught in the middle of a fetch)."""
        gate = threading.Event()
        with self.lock:
            self.held[path] = gate
        return gate

    def page_paths(self) -> set[str]:
        return {f"/p/{i}.html" for i in range(self.pages)} | {"/"}

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self.open_max.clear()
            self.starts.clear()

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
