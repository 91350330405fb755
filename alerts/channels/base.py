"""What every channel is: send one stored alert, and say what happened.

Like Spidermon's actions, a channel never raises into the sender: every delivery ends in one
outcome that the outbox records in the alert's attempt log:
  sent     the receiver accepted the message;
  retry    a temporary failure (network, 5xx, 429, SMTP 4xx): try again later;
  dead     a permanent failure (4xx, bad address, SMTP 5xx, robot refused): never retried
           automatically, the technical support team is told;
  skipped  nothing was sent on purpose (dry run).
"""

from __future__ import annotations

import logging
import socket
import threading
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from findings import AlertRecord
from settings import Settings

from ..departments import ChannelSpec
from ..messages import Message

log = logging.getLogger("alerts.channels")

OUTCOMES = ("sent", "retry", "dead", "skipped")
MAX_DEADLINE = 150.0


@dataclass
class Delivery:
    outcome: str
    detail: str = ""
    retry_after: float | None = None   # seconds the receiver asked us to wait (429)
    warning: str = ""                  # delivered, but support should hear of this

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown delivery outcome {self.outcome!r}")


class Channel(ABC):
    """One configured channel of one department."""

    type = ""

    def __init__(self, spec: ChannelSpec, settings: Settings) -> None:
        self.spec = spec
        self.settings = settings
        self.timeout = float(settings["alerts_timeout_seconds"])
        # Bounded so that a pass (which stops taking alerts at half the sender lock's 600 s)
        # always ends before the lock expires: a second sender never takes over mid-send.
        self.deadline = min(float(settings["alerts_send_deadline_seconds"]), MAX_DEADLINE)
        self.stats: Counter[str] = Counter()

    @abstractmethod
    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        """Deliver once; may raise (treated as a temporary failure)."""

    def describe(self) -> str:
        """Where this channel sends, without secrets (for logs and attempt records)."""
        return self.spec.type

    def deliver(self, alert: AlertRecord) -> Delivery:
        try:
            message = Message.from_payload(alert.payload.get("message"), alert.subject,
                                           alert.body)
            result = self.send(alert, message)
        except Exception as exc:  # noqa: BLE001 - a channel failure must not stop the sender
            result = Delivery("retry", f"{type(exc).__name__}: {exc}"[:500])
        self.stats[result.outcome] += 1
        level = logging.INFO if result.outcome in ("sent", "skipped") else logging.WARNING
        log.log(level, "alert %s via %s (%s): %s %s", alert.id, self.spec.id, self.describe(),
                result.outcome, result.detail)
        return result


@contextmanager
def overall_deadline(seconds: float, current_socket: Callable[[], socket.socket | None]
                     ) -> Iterator[threading.Event]:
    """Bound a whole exchange, not just each read: socket timeouts restart with every byte, so a
    receiver that trickles its answer would hold the sender forever. When `seconds` pass, the
    connection's socket is shut down, which wakes the blocked call with an OSError; the event
    says that the deadline, not the peer, ended it."""
    fired = threading.Event()

    def fire() -> None:
        sock = current_socket()
        fired.set()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()
