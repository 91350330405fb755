"""When a forum post says it was written: its raw time text read as an instant.

Forums show a post's time in many ways (ISO 8601, `2019-03-01 12:34`, `2019年3月1日`,
`3月1日 12:34`, `昨天 12:30`, `5分钟前`, a Unix timestamp in an attribute ...). A time without a
zone is local to the forum: Chinese forums write China time, so it is read in the configured
`time_zone`. Relative and yearless times count back from the capture time.

The text is written by the forum's users and operators, so it is hostile: anything that cannot
be read, lies before POST_TIME_MIN_YEAR, or lies further in the future than FUTURE_TOLERANCE
(a post dated tomorrow to stay on top) gives None, never an exception. A time a little after
the capture (clock skew) is clamped to the capture: a post cannot be written after we saw it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, tzinfo

from .timefmt import zone

MAX_TEXT = 120                           # characters read; a longer time text is not a time
POST_TIME_MIN_YEAR = 2000                # earlier: a placeholder or a lie, not a post time
FUTURE_TOLERANCE = timedelta(minutes=15)  # a forum's clock may run a little ahead of ours

_PREFIX = re.compile(r"^(?:发表于|发布于|回复于|发表时间|发布时间|回复时间|更新于|时间|"
                     r"posted(?:\s+on)?|published)\s*[:：]?\s*", re.IGNORECASE)
_TIMESTAMP = re.compile(r"^\d{10}(?:\d{3})?$")   # Unix seconds or milliseconds
_CLOCK_TIME = (r"(上午|下午|晚上|凌晨|中午)?\s*(\d{1,2})\s*[:：点时]\s*(\d{1,2})"
               r"(?:\s*[:：分]\s*(\d{1,2}))?")
_CLOCK = r"(?:\s*T?\s*" + _CLOCK_TIME + ")?"   # optional after a date
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
                        + _CLOCK)
_MONTH_DAY = re.compile(r"(?<![\d\-/.])(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})(?![\d\-/.])\s*日?"
                        + _CLOCK)
_NAMED_DAY = re.compile(r"(今天|今日|昨天|昨日|前天)" + _CLOCK)
_AGO = re.compile(r"(\d{1,6}|半|一|两|几)\s*(秒|分钟|分|小时|个小时|钟头|个钟头|天|日|周|星期|个月|月)\s*前")
_ONLY_CLOCK = re.compile(r"^" + _CLOCK_TIME + r"\s*$")
_JUST_NOW = ("刚刚", "刚才")
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_UNIT = {"秒": timedelta(seconds=1), "分钟": timedelta(minutes=1), "分": timedelta(minutes=1),
         "小时": timedelta(hours=1), "个小时": timedelta(hours=1), "钟头": timedelta(hours=1),
         "个钟头": timedelta(hours=1), "天": timedelta(days=1), "日": timedelta(days=1),
         "周": timedelta(weeks=1), "星期": timedelta(weeks=1), "个月": timedelta(days=30),
         "月": timedelta(days=30)}
_WORD_NUMBER = {"半": 0.5, "一": 1, "两": 2, "几": 3}


def post_time(text: str | None, captured_at: datetime, tz: tzinfo | str) -> datetime | None:
    """The UTC instant the post's time text names, or None when it names none believable.

    `captured_at` (aware) is when the page was fetched; `tz` the zone of times written
    without one (the `time_zone` setting)."""
    if not text or not isinstance(text, str):
        return None
    tz = zone(tz) if isinstance(tz, str) else tz
    captured = captured_at.astimezone(UTC)
    words = unicodedata.normalize("NFKC", text[:MAX_TEXT * 2]).strip()
    if len(words) > MAX_TEXT:
        return None
    words = _PREFIX.sub("", words).strip()
    try:
        found = _read(words, captured, tz)
        if found is None:
            return None
        found = found.astimezone(UTC)
    except (ValueError, OverflowError, OSError):   # month 13, hour 99, year 1 in UTC-1 ...
        return None
    if found.year < POST_TIME_MIN_YEAR or found > captured + FUTURE_TOLERANCE:
        return None
    return min(found, captured)


def _read(words: str, captured: datetime, tz: tzinfo) -> datetime | None:
    if not words:
        return None
    if _TIMESTAMP.match(words):
        seconds = int(words) / (1000 if len(words) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    if words.startswith(_JUST_NOW) or words.lower() == "just now":
        return captured
    iso = _iso(words, tz)
    if iso is not None:
        return iso
    now_local = captured.astimezone(tz)
    if m := _FULL_DATE.search(words):
        return _at(date(int(m[1]), int(m[2]), int(m[3])), m, 4, tz)
    if m := _NAMED_DAY.search(words):
        day = now_local.date() - timedelta(days=_DAYS_BACK[m[1]])
        return _at(day, m, 2, tz)
    if m := _AGO.search(words):
        count = _WORD_NUMBER.get(m[1]) or int(m[1])
        return captured - _UNIT[m[2]] * count
    if m := _MONTH_DAY.search(words):
        return _latest_of(lambda year: _at(date(year, int(m[1]), int(m[2])), m, 3, tz),
                          now_local.year, captured)
    if m := _ONLY_CLOCK.match(words):   # "12:30" alone: today's post, or yesterday's
        at = _at(now_local.date(), m, 1, tz)
        return at if at is None or at <= captured + FUTURE_TOLERANCE else at - timedelta(days=1)
    return None


def _iso(words: str, tz: tzinfo) -> datetime | None:
    """ISO 8601 with or without a zone (a datetime="" attribute); local when without."""
    if not words[:4].isdigit() or len(words) < 8:
        return None
    try:
        value = datetime.fromisoformat(words.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _at(day: date, m: re.Match[str], first: int, tz: tzinfo) -> datetime:
    """`day` at the clock time of groups first.. (part of day, hour, minute, second), local."""
    part, hour, minute, second = m[first], m[first + 1], m[first + 2], m[first + 3]
    h = int(hour) if hour else 0
    if part in ("下午", "晚上") and h < 12:
        h += 12
    elif part == "凌晨" and h == 12:
        h = 0
    return datetime(day.year, day.month, day.day, h, int(minute) if minute else 0,
                    int(second) if second else 0, tzinfo=tz)


def _latest_of(make, year: int, captured: datetime) -> datetime | None:
    """A yearless date: the most recent one not after the capture (Feb 29 looks back further)."""
    for y in range(year, year - 5, -1):
        try:
            at = make(y)
        except ValueError:
            continue
        if at <= captured + FUTURE_TOLERANCE:
            return at
    return None
