"""A TCP server on loopback that misbehaves the way broken receivers do: accepts and never
answers, trickles its answer a byte at a time, or plays a scripted SMTP dialogue and hangs up in
the middle of DATA. Each connection is served on its own thread; `close()` ends them all."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class StubbornServer:
    def __init__(self, behave: Callable[[socket.socket, threading.Event], None]) -> None:
        self.behave = behave
        self.stop = threading.Event()
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.behave(conn, self.stop)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self._sock.close()
        for thread in self._threads:
            thread.join(timeout=10)


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """Accept, read whatever comes, never answer."""
    conn.settimeout(0.2)
    while not stop.is_set():
        try:
            if conn.recv(65536) == b"":
                return
        except TimeoutError:
            continue


def trickle(payload: bytes, every: float) -> Callable[[socket.socket, threading.Event], None]:
    """Send `payload` one byte per `every` seconds, forever (each byte resets a read timeout)."""

    def behave(conn: socket.socket, stop: threading.Event) -> None:
        i = 0
        while not stop.wait(every):
            conn.sendall(payload[i % len(payload):i % len(payload) + 1])
            i += 1

    return behave


def smtp_hangs_up_in_data(conn: socket.socket, stop: threading.Event) -> None:
    """A plausible SMTP server until DATA: then it reads part of the message and disconnects."""
    conn.settimeout(10)
    conn.sendall(b"220 stub ESMTP\r\n")
    reader = conn.makefile("rb")
    while not stop.is_set():
        line = reader.readline()
        if not line:
            return
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            conn.sendall(b"250-stub\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            conn.sendall(b"354 go ahead\r\n")
            reader.readline()
            conn.shutdown(socket.SHUT_RDWR)  # gone in the middle of the message
            return
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")
