"""A real HTTP receiver for webhooks: records every request and answers as scripted.

`script(path, [500, 200])` makes the next requests to `path` answer 500 then 200 (then the
default 200 with `{"errcode": 0}`, which DingTalk/WeCom robots answer on success).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


class WebhookReceiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._scripts: dict[str, deque[int]] = defaultdict(deque)
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                with receiver._cond:
                    receiver.requests.append(Received("POST", parts.path, parts.query,
                                                      dict(self.headers), body))
                    queue = receiver._scripts[parts.path]
                    status = queue.popleft() if queue else 200
                    receiver._cond.notify_all()
                payload = {"errcode": 0 if status == 200 else status, "errmsg": "ok"}
                data = json.dumps(payload).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, path: str, statuses: list[int]) -> None:
        with self._cond:
            self._scripts[path].extend(statuses)

    def wait_for(self, count: int, path: str | None = None, timeout: float = 30) -> list[Received]:
        def matching() -> list[Received]:
            return [r for r in self.requests if path is None or r.path == path]

        with self._cond:
            ok = self._cond.wait_for(lambda: len(matching()) >= count, timeout)
            if not ok:
                raise TimeoutError(f"expected {count} requests to {path}, got {len(matching())}")
            return matching()

    def clear(self) -> None:
        with self._cond:
            self.requests.clear()
            self._scripts.clear()
