"""Forum post times read as instants (common/posttime.py): the formats real forums show, in
China time unless they say otherwise, and hostile time texts giving None, never an error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.posttime import MAX_TEXT, post_time

CAPTURED = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)   # 14:00 on Monday 2 March in Qingyuan
CST = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST).astimezone(UTC)


@pytest.mark.parametrize("text, expected", [
    ("2019-03-01T12:34:56+08:00", local(2019, 3, 1, 12, 34, 56)),
    ("2019-03-01T04:34:56Z", local(2019, 3, 1, 12, 34, 56)),
    ("2019-03-01T12:34:56", local(2019, 3, 1, 12, 34, 56)),       # no zone: China time
    ("2019-03-01 12:34", local(2019, 3, 1, 12, 34)),
    ("2019-03-01 12:34:56", local(2019, 3, 1, 12, 34, 56)),
    ("2019/3/1 12:34", local(2019, 3, 1, 12, 34)),
    ("2019.03.01", local(2019, 3, 1)),
    ("2019年3月1日 12:34", local(2019, 3, 1, 12, 34)),
    ("2019年3月1日下午3点20", local(2019, 3, 1, 15, 20)),
    ("２０１９－０３－０１　１２：３４", local(2019, 3, 1, 12, 34)),  # full-width forms
    ("发表于 2019-03-01 12:34", local(2019, 3, 1, 12, 34)),
    ("发布时间：2019-03-01 08:00", local(2019, 3, 1, 8, 0)),
    ("3月1日 12:34", local(2026, 3, 1, 12, 34)),
    ("03-01 12:34", local(2026, 3, 1, 12, 34)),
    ("12-25 08:00", local(2025, 12, 25, 8, 0)),       # no year, after the capture: last year
    ("03-02 15:00", local(2025, 3, 2, 15, 0)),        # later today: a year ago
    ("2月29日 10:00", local(2024, 2, 29, 10, 0)),      # the last year that had the day
    ("刚刚", CAPTURED),
    ("30秒前", CAPTURED - timedelta(seconds=30)),
    ("5分钟前", CAPTURED - timedelta(minutes=5)),
    ("3 分钟前", CAPTURED - timedelta(minutes=3)),
    ("半小时前", CAPTURED - timedelta(minutes=30)),
    ("2小时前", CAPTURED - timedelta(hours=2)),
    ("3天前", CAPTURED - timedelta(days=3)),
    ("今天 12:30", local(2026, 3, 2, 12, 30)),
    ("昨天 12:30", local(2026, 3, 1, 12, 30)),
    ("前天", local(2026, 2, 28)),
    ("12:30", local(2026, 3, 2, 12, 30)),             # a clock time alone: today ...
    ("15:30", local(2026, 3, 1, 15, 30)),             # ... or yesterday, when not yet today
    ("1551414896", local(2019, 3, 1, 12, 34, 56)),     # Unix seconds (a data-time attribute)
    ("1551414896000", local(2019, 3, 1, 12, 34, 56)),  # and milliseconds
    ("2026-03-02 14:10", CAPTURED),                    # a forum clock ahead: clamped to capture
])
def test_forum_time_formats(text: str, expected: datetime) -> None:
    got = post_time(text, CAPTURED, "Asia/Shanghai")
    assert got == expected
    assert got is not None and got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_a_zone_less_time_is_read_in_the_configured_zone() -> None:
    assert post_time("2019-03-01 12:34", CAPTURED, "UTC") == datetime(2019, 3, 1, 12, 34,
                                                                        tzinfo=UTC)
    assert post_time("2019-03-01 12:34", CAPTURED, CST) == local(2019, 3, 1, 12, 34)


@pytest.mark.parametrize("text", [
    None, "", "   ", "garbage", "楼主", "第3页", "2019-13-01", "2019-02-30", "2019-03-01 25:00",
    "1999-12-31 23:59",                       # before 2000: a placeholder, not a post time
    "0", "946684799",                         # Unix time in 1999
    "2027-01-01", "2026-03-03 09:00",         # dated in the future to stay on top
    "2026-03-02 14:30",                       # more than the tolerance ahead
    "99999999天前", "9999999999999999999",
    "2019-03-01 12:34 " + "签名" * MAX_TEXT,     # longer than any time text
    "发表于 " + "2" * (MAX_TEXT + 5),
    "\x00\x01\ud800", "2019-03-01T99:99", "<script>alert(1)</script>",
    "0001-01-01", "0001年1月1日", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00",
])
def test_hostile_or_unreadable_times_give_none(text: str | None) -> None:
    assert post_time(text, CAPTURED, "Asia/Shanghai") is None


def test_non_text_gives_none() -> None:
    assert post_time(12345, CAPTURED, "Asia/Shanghai") is None  # type: ignore[arg-type]


def test_random_time_texts_never_raise() -> None:
    """Every string of time-like characters gives an instant or None (seeded, reproducible)."""
    import random

    rnd = random.Random(12)
    alphabet = "0123456789-/.:年月日时分秒前天刚今昨 T+Z小钟头半几两周个上下午晚凌晨发表于：x"
    read = 0
    for _ in range(20_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 30)))
        got = post_time(text, CAPTURED, "Asia/Shanghai")
        if got is not None:
            read += 1
            assert datetime(2000, 1, 1, tzinfo=UTC) <= got <= CAPTURED
    assert read > 0
