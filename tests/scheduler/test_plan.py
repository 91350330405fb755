"""The schedules file: crontab meaning, anchored intervals, and refusals with file, line and key."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.plan import load_plan
from scheduling.triggers import cron_trigger, crontab_weekdays, interval_trigger
from settings import ConfigError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_weekday_numbers_follow_crontab_not_apscheduler() -> None:
    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("0") == crontab_weekdays("7") == "sun"
    assert crontab_weekdays("*/2") == "sun,tue,thu,sat"
    assert crontab_weekdays("sat,sun") == "sun,sat"
    assert crontab_weekdays("0-6") == "*"
    # Sunday 2026-11-29 10:00: "weekdays at 02:00" next fires on Monday, not Tuesday.
    trigger, spec = cron_trigger("0 2 * * 1-5", SHANGHAI)
    sunday = datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)
    assert trigger.get_next_fire_time(None, sunday) == datetime(2026, 11, 30, 2, 0,
                                                                tzinfo=SHANGHAI)
    assert spec == "cron 0 0 2 * * 1-5"


def test_six_fields_put_seconds_first() -> None:
    trigger, _ = cron_trigger("*/5 * * * * *", SHANGHAI)
    start = datetime(2026, 11, 29, 10, 0, 1, tzinfo=SHANGHAI)
    assert trigger.get_next_fire_time(None, start) == start.replace(second=5)


def test_intervals_are_anchored_so_every_process_agrees_on_due_times() -> None:
    first, _ = interval_trigger({"hours": 4}, SHANGHAI)
    later, spec = interval_trigger({"hours": 4}, SHANGHAI)
    now = datetime(2026, 11, 29, 10, 30, tzinfo=SHANGHAI)
    assert first.get_next_fire_time(None, now) == later.get_next_fire_time(None, now)
    assert first.get_next_fire_time(None, now) == datetime(2026, 11, 29, 12, 0, tzinfo=SHANGHAI)
    assert spec == "interval 14400s"
    seconds, _ = interval_trigger({"seconds": 2}, SHANGHAI)
    due = seconds.get_next_fire_time(None, now + timedelta(seconds=1))
    assert due is not None and due.second % 2 == 0


def test_groups_expand_to_one_job_per_target(env) -> None:  # type: ignore[no-untyped-def]
    env.schedules("timezone: Asia/Shanghai\nschedules:\n"
                  "  fast-ones:\n    group: fast\n    interval: {minutes: 10}\n"
                  "  gamma-nightly:\n    target: gamma\n    cron: '30 2 * * *'\n"
                  "    time_limit: 120\n"
                  "  parked:\n    target: beta\n    cron: '0 3 * * *'\n    enabled: false\n")
    plan = load_plan(env.settings())
    patrols = sorted(j for j in plan.jobs if j.startswith("patrol:"))
    assert patrols == ["patrol:fast-ones:alpha", "patrol:fast-ones:beta",
                       "patrol:gamma-nightly:gamma"]
    assert {"alerts:digest", "alerts:send"} <= plan.jobs.keys()
    assert plan.time_limit("gamma-nightly", 60) == 120
    assert plan.time_limit("fast-ones", 60) == 60


@pytest.mark.parametrize(("text", "line", "key", "words"), [
    ("schedules:\n  a:\n    target: nosuch\n    cron: '0 2 * * *'\n", 3, "schedules.a.target",
     "unknown target 'nosuch'"),
    ("schedules:\n  a:\n    group: ads\n    cron: '0 2 * * *'\n", 3, "schedules.a.group",
     "unknown target group 'ads'; known: fast, slow"),
    ("schedules:\n  a:\n    target: alpha\n    cron: '0 25 * * *'\n", 4, "schedules.a.cron",
     "hour"),
    ("schedules:\n  a:\n    target: alpha\n    cron: '0 2 * *'\n", 4, "schedules.a.cron",
     "expected 5 fields"),
    ("schedules:\n  a:\n    target: alpha\n    cron: '0 2 * * 8'\n", 4, "schedules.a.cron",
     "weekday 8"),
    ("schedules:\n  a:\n    target: alpha\n    interval: {hour: 4}\n", 4,
     "schedules.a.interval", "unknown interval unit 'hour'"),
    ("schedules:\n  ok:\n    target: beta\n    cron: '0 2 * * *'\n  b:\n    target: alpha\n"
     "    cron: '0 2 * * *'\n    interval: {hours: 1}\n", 5, "schedules.b",
     "exactly one of `cron` or `interval`"),
    ("schedules:\n  a:\n    target: alpha\n    cron: '0 2 * * *'\n    limit: 5\n", 5,
     "schedules.a.limit", "unknown key"),
    ("timezone: Mars/Olympus\nschedules: {}\n", 1, "timezone", "unknown time zone"),
])
def test_bad_schedules_are_refused_with_file_line_and_key(  # type: ignore[no-untyped-def]
        env, text: str, line: int, key: str, words: str) -> None:
    env.schedules(text)
    with pytest.raises(ConfigError) as caught:
        load_plan(env.settings())
    assert caught.value.where == f"{env.schedules_file}:{line}"
    assert caught.value.key == key
    assert words in caught.value.problem


def test_schedule_run_refuses_to_start_on_a_bad_file(env) -> None:  # type: ignore[no-untyped-def]
    env.schedules("schedules:\n  nightly:\n    group: nosuch\n    cron: '0 2 * * *'\n")
    result = env.patrol("schedule", "run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("patrol: error: invalid configuration in "
                                f"{env.schedules_file}:3: key 'schedules.nightly.group':")
    assert not (env.data_dir / "scheduler.sqlite3").exists() or "started" not in result.stderr
