"""A real SMTP server (aiosmtpd) in a thread, recording every message it accepts.

It can be told to refuse for a while (`down()` / `up()`), to test delivery retries.
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .ports import free_port


@dataclass
class _Handler:
    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False
    received: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refusing:
            return "451 4.3.0 temporarily unavailable (test)"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.received:
            self.messages.append(msg)
            self.received.notify_all()
        return "250 OK"


class SMTPServer:
    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.host = "127.0.0.1"
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def down(self) -> None:
        """Answer 451 to every message until up() (the server is 'down for a while')."""
        self.handler.refusing = True

    def up(self) -> None:
        self.handler.refusing = False

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        with self.handler.received:
            ok = self.handler.received.wait_for(lambda: len(self.messages) >= count, timeout)
        if not ok:
            raise TimeoutError(f"expected {count} messages, got {len(self.messages)}")
        return list(self.messages)

    def clear(self) -> None:
        with self.handler.received:
            self.handler.messages.clear()
