"""Local time in the one configured time zone (setting `time_zone`, default Asia/Shanghai).

Every day and week that people see is a day in this zone: report counts, the opinion chart,
dates typed into the console, alert messages, support mails and listings on the command line.
Times are stored in UTC; they become local only here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from settings import BY_NAME, ConfigError

DEFAULT_TIME_ZONE: str = BY_NAME["time_zone"].default
MINUTES = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"
# What people here call the zones that keep China Standard Time.
_ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "PRC": "北京时间",
               "Asia/Hong_Kong": "香港时间", "UTC": "协调世界时"}


def zone(name: str) -> ZoneInfo:
    """The time zone `name` (IANA, e.g. Asia/Shanghai); ValueError when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}; expected e.g. Asia/Shanghai") from None


def configured_zone(settings: Any) -> ZoneInfo:
    """The zone of the `time_zone` setting, or ConfigError naming where it was set."""
    try:
        return zone(settings["time_zone"])
    except ValueError as exc:
        raise ConfigError(settings.source("time_zone"), "time_zone", str(exc)) from None


def zone_label(tz: tzinfo) -> str:
    key = getattr(tz, "key", None) or str(tz)
    return _ZONE_NAMES.get(key, key)


def local(value: datetime, tz: tzinfo) -> datetime:
    """`value` in `tz`; a naive value is taken as UTC (as the store writes it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


def format_local(value: datetime | None, tz: tzinfo, fmt: str = MINUTES, empty: str = "—",
                 with_zone: bool = False) -> str:
    """`value` as local text (`fmt`), `empty` for None; `with_zone` adds （北京时间）."""
    if value is None:
        return empty
    text = local(value, tz).strftime(fmt)
    return f"{text}（{zone_label(tz)}）" if with_zone else text


def today(tz: tzinfo, now: datetime | None = None) -> date:
    return local(now or datetime.now(UTC), tz).date()


def day_start(day: date, tz: tzinfo) -> datetime:
    """The UTC instant at which `day` begins in `tz`."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def day_end(day: date, tz: tzinfo) -> datetime:
    """The last UTC microsecond of `day` in `tz`."""
    return day_start(day + timedelta(days=1), tz) - timedelta(microseconds=1)


def local_day(value: datetime, tz: tzinfo) -> str:
    """The ISO day (YYYY-MM-DD) on which `value` falls in `tz`: what a day count counts by."""
    return local(value, tz).date().isoformat()


def local_week(value: datetime, tz: tzinfo) -> str:
    """The Monday (YYYY-MM-DD) of the local week `value` falls in: what a week count counts by."""
    day = local(value, tz).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD date typed by a person, or None when empty or not a valid date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
