"""A loopback HTTP proxy in front of the real search node that can misbehave on cue.

It forwards every request to the node, except: requests whose path contains a scripted
fragment get the scripted statuses first (e.g. two 429s for `_bulk`, as a busy cluster answers);
`refuse_items([429, 200, 503])` makes the next bulk request answer 200 with those items refused
(they are not forwarded, as a busy node does not index them); while `down()` every connection
is closed without an answer (a node that went away); while `hang()` a request is read and never
answered (a node that accepts connections and is stuck) until `up()`.
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
        self.released = threading.Event()   # cleared while the node hangs
        self.released.set()
        self.item_scripts: list[list[int]] = []
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

    def hang(self) -> None:
        self.released.clear()

    def up(self) -> None:
        self.is_down = False
        self.released.set()

    def refuse_items(self, statuses: list[int]) -> None:
        """The next bulk request: item i gets statuses[i] unless it is 200 (forwarded)."""
        with self._lock:
            self.item_scripts.append(list(statuses))

    def _item_script(self, path: str) -> list[int] | None:
        with self._lock:
            if "_bulk" in path and self.item_scripts:
                return self.item_scripts.pop(0)
        return None

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
                if not proxy.released.is_set():
                    proxy.released.wait()   # stuck: hold the connection, answer nothing
                    self.close_connection = True
                    self.connection.close()  # and drop it when unstuck (never forward late)
                    return
                items = proxy._item_script(self.path)
                status = proxy._scripted(self.path)
                if items is not None and body is not None:
                    status, data, headers = proxy._partial_bulk(self, body, items)
                elif status is not None:
                    data = json.dumps({"error": {"type": "es_rejected_execution_exception",
                                                 "reason": "scripted by the test"},
                                       "status": status}).encode()
                    headers = {"content-type": "application/json"}
                elif status is None:
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

    def _partial_bulk(self, handler: BaseHTTPRequestHandler, body: bytes,
                      statuses: list[int]) -> tuple[int, bytes, dict[str, str]]:
        """Forward the items scripted 200; answer the others with their scripted status."""
        lines = body.decode("utf-8").splitlines()
        items: list[list[str]] = []
        i = 0
        while i < len(lines):
            action = json.loads(lines[i])
            has_source = next(iter(action)) != "delete"
            items.append(lines[i:i + 2] if has_source else lines[i:i + 1])
            i += 2 if has_source else 1
        statuses = statuses + [200] * (len(items) - len(statuses))
        forward = [item for item, st in zip(items, statuses, strict=True) if st == 200]
        answered: list[dict] = []
        if forward:
            conn = http.client.HTTPConnection(*self.upstream, timeout=60)
            data = ("\n".join(line for item in forward for line in item) + "\n").encode()
            conn.request("POST", handler.path, body=data,
                         headers={"Content-Type": "application/x-ndjson"})
            answered = json.loads(conn.getresponse().read())["items"]
            conn.close()
        out, it = [], iter(answered)
        for item, status in zip(items, statuses, strict=True):
            if status == 200:
                out.append(next(it))
            else:
                op = next(iter(json.loads(item[0])))
                out.append({op: {"status": status, "error": {
                    "type": "es_rejected_execution_exception", "reason": "scripted"}}})
        answer = json.dumps({"took": 1, "errors": True, "items": out}).encode()
        return 200, answer, {"content-type": "application/json"}

    def stop(self) -> None:
        self.released.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
