"""The sender: one pass over the due alerts of the outbox, at least once and never lost.

For each due alert: quiet hours and the channel's rate limit may put it off (nothing is
dropped); otherwise the attempt is written to the store *before* the message goes out, then
the outcome is recorded. A sender killed between sending and recording leaves the alert
pending with its attempt logged as unfinished: the next pass sends it again (once), and the
receiver can drop the repeat by the idempotency key the message carries. Temporary failures
are retried with exponential backoff (Retry-After honoured) up to alerts_max_attempts;
permanent ones become dead letters and the technical support team is told.

Only one sender runs at a time (a store lock); a lock left by a sender that died on this
machine is taken over at once instead of waiting for it to expire.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from findings import AlertRecord, Store, utcnow
from findings.model import to_iso
from settings import Settings

from .bounds import QuietHours, RateLimit, is_urgent
from .channels import Channel, Delivery, make_channel
from .departments import load_directory
from .outbox import notify_support

log = logging.getLogger("alerts.sender")

LOCK_NAME = "alerts-sender"
LOCK_TTL = 600                    # seconds; a pass stops taking new alerts after half of it
MAX_BACKOFF = 6 * 3600


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    skipped: int = 0
    busy: bool = False            # another sender held the lock; nothing was done
    results: list[dict[str, Any]] = field(default_factory=list)

    def add(self, alert: AlertRecord, outcome: str, detail: str) -> None:
        counter = {"sent": "sent", "retry": "retried", "dead": "dead", "deferred": "deferred",
                   "skipped": "skipped"}[outcome]
        setattr(self, counter, getattr(self, counter) + 1)
        self.results.append({"id": alert.id, "kind": alert.kind, "department": alert.department,
                             "channel": alert.channel, "outcome": outcome, "detail": detail})

    def summary(self) -> str:
        if self.busy:
            return "另一个发送进程正在运行，本次未发送。"
        return (f"已发送 {self.sent} 条，待重试 {self.retried} 条，发送失败 {self.dead} 条，"
                f"延后 {self.deferred} 条，演练未发送 {self.skipped} 条。")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Sender:
    def __init__(self, store: Store, settings: Settings,
                 echo: Callable[[str], None] | None = None, dry_run: bool | None = None) -> None:
        self.store = store
        self.settings = settings
        self.directory = load_directory(settings)
        self.echo = echo
        self.dry_run = settings["alerts_dry_run"] if dry_run is None else dry_run
        self.quiet = QuietHours(settings)
        self.rate = RateLimit(settings["alerts_rate_per_minute"])
        self.max_attempts = max(1, settings["alerts_max_attempts"])
        self.backoff_base = max(0, settings["alerts_backoff_seconds"])
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._channels: dict[tuple[str, str], Channel] = {}

    # -- the lock -------------------------------------------------------------------------------
    def _lock(self) -> bool:
        if self.store.acquire_lock(LOCK_NAME, self.owner, LOCK_TTL):
            return True
        holder = self.store.lock_holder(LOCK_NAME) or ""
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
            log.warning("taking over the sender lock of dead process %s", holder)
            self.store.release_lock(LOCK_NAME, holder)
            return self.store.acquire_lock(LOCK_NAME, self.owner, LOCK_TTL)
        return False

    # -- passes ---------------------------------------------------------------------------------
    def run(self, now: datetime | None = None, limit: int = 5000) -> SendReport:
        """One pass: every alert due at `now` gets at most one attempt."""
        now = now or utcnow()
        report = SendReport()
        if not self.dry_run and not self._lock():
            report.busy = True
            return report
        try:
            self.rate.seed(self.store.list_alerts(status="sent", limit=500), now)
            done: set[str] = set()
            started = time.monotonic()
            while len(done) < limit and time.monotonic() - started < LOCK_TTL / 2:
                due = self.store.due_alerts(now, limit=len(done) + 100)
                batch = [a for a in due if a.id not in done]
                if not batch:
                    break
                for alert in batch[: limit - len(done)]:
                    done.add(alert.id)
                    self.process(alert, now, report)
        finally:
            if not self.dry_run:
                self.store.release_lock(LOCK_NAME, self.owner)
        return report

    def send_alerts(self, alert_ids: Iterable[str], now: datetime | None = None) -> SendReport:
        """Deliver the given pending alerts now, whether due or not (test, retry)."""
        now = now or utcnow()
        report = SendReport()
        if not self.dry_run and not self._lock():
            report.busy = True
            return report
        try:
            for aid in alert_ids:
                alert = self.store.get_alert(aid)
                if alert is not None and alert.status == "pending":
                    self.process(alert, now, report, bounded=False)
        finally:
            if not self.dry_run:
                self.store.release_lock(LOCK_NAME, self.owner)
        return report

    # -- one alert ------------------------------------------------------------------------------
    def _channel(self, alert: AlertRecord) -> Channel | None:
        dept = self.directory.departments.get(alert.department)
        spec = next((c for c in dept.channels if c.id == alert.channel), None) if dept else None
        if spec is None:
            return None
        key = (alert.department, alert.channel)
        if key not in self._channels:
            self._channels[key] = make_channel(spec, self.settings, self.echo, self.dry_run)
        return self._channels[key]

    def backoff(self, attempts: int) -> float:
        return min(MAX_BACKOFF, self.backoff_base * 2 ** max(0, attempts - 1))

    def process(self, alert: AlertRecord, now: datetime, report: SendReport,
                bounded: bool = True) -> None:
        if alert.kind == "digest_item":   # collected by the digest, never sent on its own
            return
        channel = self._channel(alert)
        if channel is None:
            why = (f"department {alert.department} has no channels in departments.yaml"
                   if alert.channel == "none" else f"department {alert.department} has no "
                   f"channel {alert.channel!r} in departments.yaml (any more)")
            self.finish(alert, now, Delivery("dead", why), report)
            return
        if bounded and not is_urgent(alert):
            end = self.quiet.end_if_quiet(now)
            if end is not None:
                self.defer(alert, now, end, "quiet hours", report)
                return
        wait = self.rate.wait_until(alert, now) if bounded else None
        if wait is not None:
            self.defer(alert, now, wait, "rate limit", report)
            return
        if self.dry_run:
            result = channel.deliver(alert)
            report.add(alert, "skipped", result.detail)
            return
        self.mark_interrupted(alert)
        alert.attempts += 1
        # Written before sending: if we die mid-send the attempt is on record, and the alert
        # comes due again after the backoff, counting toward alerts_max_attempts.
        alert.next_attempt_at = now + timedelta(seconds=self.backoff(alert.attempts))
        alert.attempt_log.append({"at": to_iso(now), "attempt": alert.attempts,
                                  "via": channel.describe(), "outcome": "sending"})
        self.store.update_alert(alert)
        result = channel.deliver(alert)
        self.rate.record(alert, now)
        self.finish(alert, now, result, report)

    @staticmethod
    def mark_interrupted(alert: AlertRecord) -> None:
        if alert.attempt_log and alert.attempt_log[-1].get("outcome") == "sending":
            alert.attempt_log[-1]["outcome"] = "interrupted"
            alert.attempt_log[-1]["detail"] = "sender stopped before the result was recorded"

    def defer(self, alert: AlertRecord, now: datetime, until: datetime, why: str,
              report: SendReport) -> None:
        alert.next_attempt_at = until
        alert.attempt_log.append({"at": to_iso(now), "outcome": "deferred", "detail": why,
                                  "until": to_iso(until)})
        self.store.update_alert(alert)
        report.add(alert, "deferred", f"{why} until {to_iso(until)}")

    def finish(self, alert: AlertRecord, now: datetime, result: Delivery,
               report: SendReport) -> None:
        entry = alert.attempt_log[-1] if alert.attempt_log and alert.attempt_log[-1].get(
            "outcome") == "sending" else None
        if entry is None:
            entry = {"at": to_iso(now), "attempt": alert.attempts}
            alert.attempt_log.append(entry)
        entry["outcome"] = result.outcome
        entry["detail"] = result.detail[:500]
        outcome = result.outcome
        if outcome == "sent":
            alert.status, alert.sent_at, alert.last_error = "sent", now, ""
            alert.next_attempt_at = None
        elif outcome == "retry" and alert.attempts < self.max_attempts:
            delay = max(self.backoff(alert.attempts), result.retry_after or 0.0)
            alert.next_attempt_at = now + timedelta(seconds=min(delay, MAX_BACKOFF))
            alert.last_error = result.detail[:500]
        else:
            if outcome == "retry":
                result = Delivery("dead", f"gave up after {alert.attempts} attempts: "
                                          f"{result.detail}")
                outcome = "dead"
            alert.status, alert.last_error, alert.next_attempt_at = "dead", result.detail[:500], None
        self.store.update_alert(alert)
        report.add(alert, outcome, result.detail)
        if outcome == "dead":
            self.tell_support(alert, now, f"告警无法送达：{alert.payload.get('department_name', alert.department)}"
                              f" / {alert.channel}", result.detail)
        elif result.warning:
            self.tell_support(alert, now, "告警部分收件人无法送达", result.warning)

    def tell_support(self, alert: AlertRecord, now: datetime, subject: str, problem: str) -> None:
        if alert.kind == "support":   # support cannot be told that support is unreachable
            log.error("support alert %s could not be delivered: %s", alert.id, problem)
            return
        body = (f"原告警：{alert.subject}\n告警编号：{alert.id}\n部门：{alert.department}\n"
                f"渠道：{alert.channel}\n尝试次数：{alert.attempts}\n原因：{problem}\n"
                f"处理：修正 config/departments.yaml 或邮件设置后执行 patrol alerts retry {alert.id}")
        notify_support(self.store, self.settings, subject, body,
                       key=f"dead:{alert.id}:{alert.attempts}", now=now)
