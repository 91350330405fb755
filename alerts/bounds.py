"""Quiet hours and per-channel rate limits: they delay alerts, they never drop one."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from common.timefmt import configured_zone
from findings import AlertRecord
from settings import ConfigError, Settings

URGENT_KINDS = ("spike", "support", "test", "forward")
_SPAN = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$")


def timezone_of(settings: Settings) -> ZoneInfo:
    """The configured zone (setting time_zone): quiet hours are local times there."""
    return configured_zone(settings)


def parse_quiet_hours(settings: Settings) -> tuple[time, time] | None:
    """alerts_quiet_hours "22:00-07:00" -> (22:00, 07:00); empty -> None."""
    raw = settings["alerts_quiet_hours"].strip()
    if not raw:
        return None
    m = _SPAN.match(raw)
    if m:
        h1, m1, h2, m2 = (int(x) if x else 0 for x in m.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) != (h2, m2):
            return time(h1, m1), time(h2, m2)
    raise ConfigError(settings.source("alerts_quiet_hours"), "alerts_quiet_hours",
                      f"expected a span of local times like 22:00-07:00, got {raw!r}")


def is_urgent(alert: AlertRecord) -> bool:
    """Sent even in quiet hours: high-severity findings, spikes, forwards, support and tests."""
    return alert.kind in URGENT_KINDS or alert.payload.get("severity") == "high"


class QuietHours:
    def __init__(self, settings: Settings) -> None:
        self.span = parse_quiet_hours(settings)
        self.tz = timezone_of(settings)

    def end_if_quiet(self, now: datetime) -> datetime | None:
        """When the current quiet period ends, or None if `now` is not in quiet hours."""
        if self.span is None:
            return None
        start, end = self.span
        local = now.astimezone(self.tz)
        t = local.time()
        inside = (start <= t < end) if start < end else (t >= start or t < end)
        if not inside:
            return None
        end_day = local.date()
        if start > end and t >= start:  # crosses midnight: it ends tomorrow morning
            end_day += timedelta(days=1)
        return datetime.combine(end_day, end, tzinfo=self.tz)


class RateLimit:
    """At most `per_minute` messages per channel in any 60 seconds (sliding window)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.sent: dict[str, deque[datetime]] = defaultdict(deque)

    @staticmethod
    def channel_key(alert: AlertRecord) -> str:
        return f"{alert.department}/{alert.channel}"

    def seed(self, recent: list[AlertRecord], now: datetime) -> None:
        """Count what was sent in the last minute (by earlier passes or other processes)."""
        for alert in sorted(recent, key=lambda a: a.sent_at or now):
            if alert.sent_at and now - alert.sent_at < timedelta(minutes=1):
                self.sent[self.channel_key(alert)].append(alert.sent_at)

    def wait_until(self, alert: AlertRecord, now: datetime) -> datetime | None:
        """When this channel may send again, or None if it may send now."""
        if self.per_minute <= 0:
            return None
        window = self.sent[self.channel_key(alert)]
        while window and now - window[0] >= timedelta(minutes=1):
            window.popleft()
        if len(window) < self.per_minute:
            return None
        return window[0] + timedelta(minutes=1)

    def record(self, alert: AlertRecord, now: datetime) -> None:
        self.sent[self.channel_key(alert)].append(now)
