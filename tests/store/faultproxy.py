"""A loopback HTTP proxy in front of the real search node that can misbehave on cue.

It forwards every request to the node, except: requests whose path contains a scripted
fragment get the scripted statuses first (e.g. two 429s for `_bulk`, as a busy cluster answers),
and while `down()` every connection is closed without an answer (a node that went away).
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.scripts: list[tuple[str, list[int]]] = []
        self.seen: list[tuple[str, str, int]] = []  # method, path, status answered
        self.is_down = False
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, fragment: str, statuses: list[int]) -> None:
        with self._lock:
            self.scripts.append((fragment, list(statuses)))

    def down(self) -> None:
        self.is_down = True

    def up(self) -> None:
        self.is_down = False

    def _scripted(self, path: str) -> int | None:
        with self._lock:
            for fragment, statuses in self.scripts:
                if fragment in path and statuses:
                    return statuses.pop(0)
        return None

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if proxy.is_down:
                    self.close_connection = True
                    self.connection.close()
                    return
                status = proxy._scripted(self.path)
                if status is not None:
                    data = json.dumps({"error": {"type": "es_rejected_execution_exception",
                                                 "reason": "scripted by the test"},
                                       "status": status}).encode()
                    headers = {"content-type": "application/json"}
                else:
                    conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                    forward = {k: v for k, v in self.headers.items()
                               if k.lower() not in ("host", "connection")}
                    conn.request(self.command, self.path, body=body, headers=forward)
                    response = conn.getresponse()
                    status, data = response.status, response.read()
                    headers = {k: v for k, v in response.getheaders()
                               if k.lower() not in ("transfer-encoding", "connection",
                                                    "content-length")}
                    conn.close()
                proxy.seen.append((self.command, self.path, status))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
