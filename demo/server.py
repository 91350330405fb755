"""The bundled demo sites: fictional local finance platforms and an ad page on 127.0.0.1.

Each site is a folder of demo/sites/ served as it is, plus the traps a real patrol meets:
`*.gbk.html` files are served GBK-encoded with no charset anywhere; a gzip bomb, an oversized
page, a redirect loop, a redirect to another loopback host, downloads, an endless calendar and
session-id links. Everything listens on 127.0.0.1 only; links to "other hosts" point at other
loopback addresses, which the patrol must refuse.
"""

from __future__ import annotations

import gzip
import mimetypes
import secrets
import socket
import threading
from dataclasses import dataclass
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from settings.resources import shipped_path

SITES_DIR = shipped_path("demo", "sites")
DEFAULT_PORTS = {"jucaibao": 8701, "xinying": 8702, "ads": 8703}
BOMB_BYTES = 64 * 1024 * 1024
BIG_BYTES = 12 * 1024 * 1024


@dataclass
class DemoSite:
    name: str
    port: int
    server: ThreadingHTTPServer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


class _Bomb:
    @cached_property
    def body(self) -> bytes:
        return gzip.compress(b"<html><body>" + b"\0" * BOMB_BYTES, compresslevel=6)


BOMB = _Bomb()


def _handler(root: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "demo"

        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes, ctype: str | None = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass  # the patrol hung up on purpose (size limit)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            port = self.server.server_address[1]
            trap = _TRAPS.get(path)
            if trap is not None:
                return trap(self, query, port)
            if path.endswith("/"):
                path += "index.html"
            file = (root / path.lstrip("/")).resolve()
            gbk = file.with_name(file.stem + ".gbk.html")
            if gbk.is_file() and gbk.is_relative_to(root):
                # stored as UTF-8 for readers; served as a GBK site would serve it
                page = gbk.read_text("utf-8").encode("gbk", "xmlcharrefreplace")
                return self.send(200, page, "text/html")
            if not file.is_file() or not file.is_relative_to(root):
                return self.send(404, "<p>页面不存在</p>".encode())
            ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
                ctype += "; charset=utf-8"
            return self.send(200, file.read_bytes(), ctype)

    return Handler


def _calendar(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
    year, month = (int(x) for x in query.get("month", ["2026-01"])[0].split("-")[:2])
    links = []
    for step in range(1, 13):
        m = year * 12 + month - 1 + step
        links.append(f'<a href="/calendar.html?month={m // 12}-{m % 12 + 1:02d}">{step}</a>')
    h.send(200, f"<html><body><p>活动日历 {year}-{month:02d}</p>{' '.join(links)}"
                f"</body></html>".encode())


def _login(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
    sid = secrets.token_hex(4)
    h.send(200, f'<html><body><p>请登录</p><a href="/login.html?PHPSESSID={sid}">刷新</a>'
                f"</body></html>".encode())


def _redirect(location: str):  # type: ignore[no-untyped-def]
    def trap(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
        h.send(302, b"", None, {"Location": location.format(port=port)})
    return trap


def _download(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
    h.send(200, b"PK\x03\x04" + b"\0" * 2048, "application/vnd.android.package-archive",
           {"Content-Disposition": 'attachment; filename="app.apk"'})


def _bomb(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
    h.send(200, BOMB.body, "text/html", {"Content-Encoding": "gzip"})


def _big(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
    h.send(200, b"<html>" + b"a" * BIG_BYTES)


def _empty(h: BaseHTTPRequestHandler, query: dict[str, list[str]], port: int) -> None:
    h.send(204, b"", None)


_TRAPS = {
    "/calendar.html": _calendar, "/login.html": _login,
    "/go": _redirect("http://127.0.0.3:{port}/partner.html"),
    "/loop-a.html": _redirect("/loop-b.html"), "/loop-b.html": _redirect("/loop-a.html"),
    "/download/jucaibao.apk": _download, "/xinying.apk": _download,
    "/compressed.html": _bomb, "/big.html": _big, "/banner.png": _empty, "/track": _empty,
    "/pixel.gif": _empty,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_sites(fixed_ports: bool = True) -> list[DemoSite]:
    """Serve every demo site in threads; the default ports when free, else any free port."""
    sites = []
    for name, default in DEFAULT_PORTS.items():
        port = default if fixed_ports and _port_free(default) else 0
        server = _Server(("127.0.0.1", port), _handler(SITES_DIR / name))
        threading.Thread(target=server.serve_forever, name=f"demo-{name}", daemon=True).start()
        sites.append(DemoSite(name, server.server_address[1], server))
    return sites


def stop_sites(sites: list[DemoSite]) -> None:
    for site in sites:
        site.server.shutdown()
        site.server.server_close()
