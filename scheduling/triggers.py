"""Cron and interval triggers with the meaning technical support staff expect.

Two deliberate departures from APScheduler 3 defaults:

- Cron weekday numbers follow crontab (0 or 7 = Sunday, 1 = Monday). APScheduler 3 counts
  0 as Monday, so "0 2 * * 1-5" would silently patrol Tuesday to Saturday; we translate the
  weekday field to day names before APScheduler sees it.
- Intervals are anchored at a fixed local midnight, not at the moment the job was added, so
  "every 4 hours" means 00:00, 04:00, 08:00... and every scheduler process (and every restart)
  agrees on the due times. That agreement is what lets two schedulers on one store tell that
  a due time has already been patrolled.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
INTERVAL_UNITS = ("weeks", "days", "hours", "minutes", "seconds")
_UNIT_SECONDS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def _day(token: str) -> int:
    if token.isdigit():
        value = int(token)
        if value > 7:
            raise ValueError(f"weekday {token} out of range 0-7")
        return value
    if token in DAY_NAMES:
        return DAY_NAMES.index(token)
    raise ValueError(f"unknown weekday {token!r} (use 0-7 or sun, mon, ... sat)")


def crontab_weekdays(field: str) -> str:
    """Translate a crontab weekday field into APScheduler day names ('*' for every day)."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"bad weekday step in {part!r}")
            step = int(step_text)
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, _, last = span.partition("-")
            low, high = _day(first), _day(last)
            if low > high:
                raise ValueError(f"weekday range {span!r} runs backwards")
        else:
            low = _day(span)
            high = 6 if slash else low
        days.update(d % 7 for d in range(low, high + 1, step))
    if days == set(range(7)):
        return "*"
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def cron_trigger(expr: str, timezone: tzinfo) -> tuple[BaseTrigger, str]:
    """A trigger for a 5-field crontab expression, or 6 fields with seconds first.

    Returns the trigger and a canonical text of the schedule. Raises ValueError.
    """
    fields = str(expr).split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ValueError(
            f"expected 5 fields (minute hour day month weekday) or 6 with seconds first, "
            f"got {len(fields)}"
        )
    values = dict(zip(("second", "minute", "hour", "day", "month", "day_of_week"), fields,
                      strict=True))
    values["day_of_week"] = crontab_weekdays(values["day_of_week"])
    try:
        trigger = CronTrigger(**values, timezone=timezone)
    except ValueError as exc:
        for name, value in values.items():  # name the field: APScheduler's message does not
            try:
                CronTrigger(**{name: value}, timezone=timezone)
            except ValueError:
                raise ValueError(f"bad {name.replace('_', ' ')} field {value!r} ({exc})") from None
        raise
    return trigger, "cron " + " ".join(fields)


def interval_trigger(spec: object, timezone: tzinfo) -> tuple[BaseTrigger, str]:
    """A trigger for {hours: 4} style intervals (weeks, days, hours, minutes, seconds)."""
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"expected a mapping such as {{hours: 4}} of {', '.join(INTERVAL_UNITS)}")
    unknown = [k for k in spec if k not in INTERVAL_UNITS]
    if unknown:
        raise ValueError(f"unknown interval unit {unknown[0]!r}; use {', '.join(INTERVAL_UNITS)}")
    total = 0.0
    for unit, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"interval {unit} must be a non-negative number, got {value!r}")
        total += value * _UNIT_SECONDS[unit]
    if total < 1:
        raise ValueError("interval must be at least one second")
    anchor = datetime(2000, 1, 3, tzinfo=timezone)  # a Monday, local midnight
    trigger = IntervalTrigger(seconds=total, start_date=anchor, timezone=timezone)
    return trigger, f"interval {total:g}s"


def describe(spec_text: str) -> str:
    """Chinese description of a canonical schedule text, for `patrol schedule list`."""
    kind, _, rest = spec_text.partition(" ")
    if kind == "interval":
        seconds = float(rest.rstrip("s"))
        for size, name in ((86400, "天"), (3600, "小时"), (60, "分钟")):
            if seconds >= size and seconds % size == 0:
                return f"每 {seconds / size:g} {name}"
        return f"每 {seconds:g} 秒"
    fields = rest.split()
    if len(fields) == 6 and fields[0] == "0":
        fields = fields[1:]  # show a plain crontab line when it has no seconds
    return "定时 " + " ".join(fields)
