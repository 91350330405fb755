"""The hostile test site: `python -m tests.mockserver` prints {"port": N} and serves until
stdin closes (the session fixture's end) or it is killed.

It listens on 127.0.0.1, 127.0.0.2 and 127.0.0.3 with one port (Linux answers the whole
127/8), records every request (/_log, JSON; /_log?clear=1 empties it) and serves the pages and
traps of site.py: size limits, gzip/deflate/br bombs, redirect loops, a server that never
answers and one that trickles, an endless calendar, session-id URLs, redirects to other hosts
and schemes, downloads, charsets, script-built pages.
"""

from __future__ import annotations

import gzip
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import images, site

LOG: list[dict[str, object]] = []
LOG_LOCK = threading.Lock()
STATE = {"variant": 1}
BOMBS = site.Bombs()
STOP = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mockserver"

    def log_message(self, *args: object) -> None:
        pass

    # -- helpers ---------------------------------------------------------------------------
    def send(self, status: int, body: bytes = b"", ctype: str | None = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", None, {"Location": location})

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    # -- routes ----------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: C901 - a list of routes
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/_log":
            with LOG_LOCK:
                data = json.dumps(LOG).encode()
                if "clear" in query:
                    LOG.clear()
            return self.send(200, data, "application/json")
        if path == "/_state":
            STATE["variant"] = int(query.get("variant", ["1"])[0])
            STATE["crawl_delay"] = int(query.get("crawl_delay", ["0"])[0])
            return self.send(200, b"ok", "text/plain")
        with LOG_LOCK:
            LOG.append({"host": self.server.server_address[0], "path": self.path,
                        "ua": self.headers.get("User-Agent", ""), "t": time.time()})
        port = self.port
        if path == "/robots.txt":
            delay = f"Crawl-delay: {STATE['crawl_delay']}\n" if STATE.get("crawl_delay") else ""
            body = (f"User-agent: *\nDisallow: /private/\n{delay}"
                    f"Sitemap: http://127.0.0.1:{port}/sitemap.xml\n"
                    f"Sitemap: http://127.0.0.1:{port}/sitemap-bomb.xml.gz\n").encode()
            return self.send(200, body, "text/plain")
        if path == "/sitemap.xml":
            urls = ["/hidden/sitemap-only.html", "/private/disallowed.html", "/utf8.html",
                    f"http://127.0.0.2:{port}/from-sitemap-other-host.html"]
            locs = "".join(f"<url><loc>{u if u.startswith('http') else f'http://127.0.0.1:{port}{u}'}"
                           f"</loc></url>" for u in urls)
            body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                    f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>').encode()
            return self.send(200, body, "application/xml")
        if path == "/sitemap-bomb.xml.gz":   # a few KB gzipped, 64 MiB of "XML" inflated
            return self.send(200, BOMBS.sitemap, "application/gzip")
        if path == "/":
            return self.send(200, site.index(port).encode())
        if path == "/crash/":
            return self.send(200, site.crash_index().encode())
        if path == "/crash/hang.html":
            return self.send(200, site.HANG_PAGE.encode())
        if path.startswith("/crash/") and path.endswith(".html") and \
                path[len("/crash/"):-len(".html")].isdigit():
            return self.send(200, site.crash_page(int(path[len("/crash/"):-len(".html")])).encode())
        if path == "/ocr-order/":
            return self.send(200, site.ocr_order_index().encode())
        if path.startswith("/ocr-order/") and path.endswith(".html") and \
                path[len("/ocr-order/"):-len(".html")].isdigit():
            n = int(path[len("/ocr-order/"):-len(".html")])
            return self.send(200, site.ocr_order_page(n).encode())
        if path == "/evasions/":
            return self.send(200, site.evasions_index(port).encode())
        evasion = site.evasions(port).get(path)
        if evasion is not None:
            title, head, body = evasion
            page = site._html(title, body).replace("</head>", head + "</head>", 1)
            return self.send(200, page.encode())
        if path == "/images/never.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x89PNG\r\n\x1a\n")
            self.wfile.flush()
            STOP.wait(120)   # never finishes
            return None
        picture = images.image(path)
        if picture is not None:
            return self.send(200, picture[0], picture[1])
        if path in site.PAGES_UTF8:
            title, body = site.PAGES_UTF8[path]
            return self.send(200, site._html(title, body).encode())
        if path == "/gzipped.html":  # the evidence must keep these bytes, not the decoded ones
            page = site._html("压缩页面", "<p>稳健理财，保本保息，年化收益12%。</p>").encode()
            return self.send(200, gzip.compress(page, mtime=0), "text/html; charset=utf-8",
                             {"Content-Encoding": "gzip"})
        if path == "/gbk-nodecl.html":
            page = site._html("GBK 无声明", site.GBK_TEXT, charset_meta=None)
            return self.send(200, page.encode("gbk", "xmlcharrefreplace"), "text/html")
        if path == "/gbk-meta.html":
            page = site._html("GBK meta", site.GBK_TEXT.replace("稳赚", "保证收益，稳赚"),
                              charset_meta="gb2312")
            return self.send(200, page.encode("gbk", "xmlcharrefreplace"), "text/html")
        if path == "/big5.html":
            page = site._html("Big5", site.BIG5_TEXT, charset_meta=None)
            return self.send(200, page.encode("big5", "xmlcharrefreplace"), "text/html")
        if path == "/wrong-header.html":
            page = site._html("错标", site.GBK_TEXT, charset_meta=None)
            return self.send(200, page.encode("gbk", "xmlcharrefreplace"), "text/html; charset=utf-8")
        if path == "/big.html":
            return self.send(200, b"<html>" + b"a" * site.BIG_SIZE)
        if path == "/big-chunked.html":
            return self._chunked(site.BIG_SIZE)
        if path.startswith("/bomb-"):
            kind = path[len("/bomb-"):-len(".html")]
            body = {"gzip": BOMBS.gzip, "deflate": BOMBS.deflate, "br": BOMBS.br}[kind]
            return self.send(200, body, "text/html", {"Content-Encoding": kind})
        if path == "/hop/1":      # a chain of two redirects to a page with a finding
            return self.send(302, b"<a href='/hop/2'>moved</a>", "text/html",
                             {"Location": "/hop/2", "X-Hop": "1"})
        if path == "/hop/2":
            return self.redirect("/hop-final.html", 301)
        if path == "/loop/a":
            return self.redirect("/loop/b")
        if path == "/loop/b":
            return self.redirect("/loop/a")
        if path == "/loop-n":
            i = int(query.get("i", ["0"])[0])
            return self.redirect(f"/loop-n?i={i + 1}")
        if path == "/slow.html":
            STOP.wait(120)   # accept, never answer
            return None
        if path == "/trickle.html":
            return self._trickle()
        if path == "/calendar":
            return self.send(200, site.calendar(query.get("month", ["2000-01"])[0]).encode())
        if path.startswith("/session.html"):
            return self.send(200, site.session_page(parts.query[:40]).encode())
        if path == "/to-other":
            return self.redirect(f"http://127.0.0.2:{port}/redirected-other-host.html")
        if path == "/to-file":
            return self.redirect("file:///etc/passwd")
        if path == "/to-data":
            return self.redirect("data:text/html,%3Cp%3Ehi%3C/p%3E")
        if path in ("/to-private", "/redirect-to-private-from-browser"):
            return self.redirect(f"http://127.0.0.3:{port}/secret-after-redirect")
        if path == "/download.zip":
            return self.send(200, b"PK\x03\x04" + b"\0" * 1000, "application/zip",
                             {"Content-Disposition": 'attachment; filename="app.zip"'})
        if path == "/attachment.html":
            return self.send(200, b"<p>x</p>", "text/html",
                             {"Content-Disposition": "attachment; filename=a.html"})
        if path == "/app.apk":
            return self.send(200, b"\0" * 1000, "application/vnd.android.package-archive")
        if path == "/image.png":
            return self.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        if path == "/api/products.json":
            offer = "固定收益，年化15%，保证本金安全。"
            return self.send(200, json.dumps({"offer": offer}).encode(), "application/json")
        if path == "/js/app.html":
            return self.send(200, site._html("应用", site.JS_APP).encode())
        if path == "/js/timer.html":
            return self.send(200, site._html("定时", site.JS_TIMER).encode())
        if path == "/js/ssrf.html":
            return self.send(200, site._html("脚本请求", site.js_ssrf(port)).encode())
        if path == "/late.js":
            STOP.wait(site.LATE_SECONDS)
            return self.send(200, b"// late", "application/javascript")
        if path == "/js/download.html":
            return self.send(200, site._html("下载", site.JS_DOWNLOAD).encode())
        if path == "/changing.html":
            return self.send(200, site.changing(STATE["variant"]).encode())
        return self.send(404, b"<p>not found</p>")

    def _chunked(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"b" * 65536
        sent = 0
        try:
            while sent < size:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                if STOP.wait(0.5):
                    return
                self.wfile.write(b"a")
                self.wfile.flush()
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up on purpose (timeouts, size limits): not worth a traceback


def serve() -> list[Server]:
    """Bind 127.0.0.1 on a free port and the same port on .2 and .3 (retry if taken)."""
    for _ in range(20):
        first = Server(("127.0.0.1", 0), Handler)
        port = first.server_address[1]
        servers = [first]
        try:
            for host in ("127.0.0.2", "127.0.0.3"):
                servers.append(Server((host, port), Handler))
        except OSError:
            for s in servers:
                s.server_close()
            continue
        for s in servers:
            threading.Thread(target=s.serve_forever, daemon=True).start()
        return servers
    raise OSError("no port free on 127.0.0.1-3")


def main() -> None:
    socket.setdefaulttimeout(None)
    for path in images.PREBUILT:   # slow to build: never while a patrol waits for it
        images.image(path)
    servers = serve()
    print(json.dumps({"port": servers[0].server_address[1]}), flush=True)
    try:
        sys.stdin.read()   # until the parent closes our stdin
    finally:
        STOP.set()
        for s in servers:
            s.shutdown()


if __name__ == "__main__":
    main()
