"""The browser's only way out: a small HTTP/CONNECT proxy that applies the address guard to
every request a rendered page makes, redirects included.

Playwright's request interception does not see redirect hops (a page's fetch('/r') answered
by a 302 to http://10.0.0.1/ would reach 10.0.0.1), so the policy is enforced where the
connection is made: Chromium is started with --proxy-server pointing here (and without its
loopback bypass), this proxy resolves each host with the patrol's one resolver
(crawler.resolver: judged and pinned answers, crawl_resolve), refuses blocked addresses with a
403 and connects to the address it checked (no DNS rebinding between check and use).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .address_guard import AddressGuard, BadURL, parse_address, parse_url

logger = logging.getLogger(__name__)

_HOP_HEADERS = {"proxy-connection", "proxy-authorization", "connection", "keep-alive", "te",
                "trailer", "upgrade"}
_MAX_HEAD = 64 * 1024
_CHUNK = 64 * 1024
_REASONS = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}


def bind_proxy_socket() -> socket.socket:
    """A listening loopback socket bound now, so its port can go into the browser's flags
    before the event loop serves it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class GuardProxy:
    def __init__(self, guard: AddressGuard, sock: socket.socket,
                 on_block: Callable[[str, str], None], timeout: float = 30.0) -> None:
        self.guard = guard
        self.sock = sock
        self.on_block = on_block
        self.timeout = timeout
        self.server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, sock=self.sock, limit=_MAX_HEAD)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError, ValueError) as exc:
            logger.debug("proxy connection ended: %s", exc)
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        connect = method.upper() == "CONNECT"
        url = f"https://{target}/" if connect else target
        if not connect and not url.lower().startswith("http://"):
            await _reply(writer, 400, "absolute http:// URL expected")
            return
        reason, address, port = await self._check(url)
        if reason == "dns":
            logger.debug("browser proxy: cannot resolve %s", url[:200])
            await _reply(writer, 502, "cannot resolve host")
            return
        if reason:
            self.on_block(reason, url)
            await _reply(writer, 403, f"blocked by patrol address guard: {reason}")
            return
        up_reader, up_writer = await asyncio.wait_for(
            asyncio.open_connection(address, port), self.timeout)
        try:
            if connect:
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                await writer.drain()
            else:
                up_writer.write(_origin_form(method, target, version, lines[1:]))
                await up_writer.drain()
            await _pipe_both(reader, writer, up_reader, up_writer, self.timeout)
        finally:
            with contextlib.suppress(Exception):
                up_writer.close()

    async def _check(self, url: str) -> tuple[str | None, str, int]:
        """(reason to refuse, address to connect to, port)."""
        reason = self.guard.check_url(url)
        if reason:
            return reason, "", 0
        try:
            hp = parse_url(url)
        except BadURL:
            return "malformed_url", "", 0
        if hp.ip is not None:
            return None, str(hp.ip), hp.port
        # The patrol's one resolver (crawler.resolver): the same pinned, judged answer the
        # static fetches get, and crawl_resolve applies in the browser too.
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor

        from .resolver import BlockedAddressError

        try:
            answer = await asyncio.wait_for(
                maybe_deferred_to_future(reactor.resolve(hp.host)), self.timeout)
        except BlockedAddressError:
            return "blocked_address", "", 0
        except Exception:  # noqa: BLE001 - no answer: the browser gets a 502
            return "dns", "", 0
        address = parse_address(answer)
        if address is None:
            return "dns", "", 0
        reason = self.guard.check_addresses(hp, [address])
        return reason, str(address), hp.port


def _origin_form(method: str, target: str, version: str, header_lines: list[str]) -> bytes:
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [line for line in header_lines
            if line and line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
    head = [f"{method} {path} {version}", *kept, "Connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1")


async def _reply(writer: asyncio.StreamWriter, status: int, message: str) -> None:
    body = message.encode()
    writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                 f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                 "Connection: close\r\n\r\n".encode() + body)
    with contextlib.suppress(Exception):
        await writer.drain()


async def _copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter, timeout: float) -> None:
    try:
        while True:
            data = await asyncio.wait_for(src.read(_CHUNK), timeout)
            if not data:
                break
            dst.write(data)
            await dst.drain()
    finally:
        with contextlib.suppress(Exception):
            if dst.can_write_eof():
                dst.write_eof()


async def _pipe_both(c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter,
                     u_reader: asyncio.StreamReader, u_writer: asyncio.StreamWriter,
                     timeout: float) -> None:
    upstream = asyncio.ensure_future(_copy(c_reader, u_writer, timeout))
    downstream = asyncio.ensure_future(_copy(u_reader, c_writer, timeout))
    try:
        # The exchange is over when the server is done answering.
        await asyncio.wait({downstream}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (upstream, downstream):
            task.cancel()
        await asyncio.gather(upstream, downstream, return_exceptions=True)
