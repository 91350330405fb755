"""Targets, schedules and departments as the console shows them, read from the configured files.

The files belong to the crawler, the scheduler and the alerts; the console reads them through
the same config model (settings.models) and plan reader (scheduling.plan), so a target the
crawler refuses is refused here too. A missing or broken file never breaks a page: the room
shows what it could read and says what it could not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from settings import ConfigError, Settings
from settings.models import Directory, Target, load_targets_file

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Schedule:
    name: str
    targets: list[str]
    when: str                      # the schedule as the scheduler reads it ("cron 30 2 * * *")
    next_run: datetime | None = None
    enabled: bool = True


@dataclass
class ConfigView:
    targets: list[Target]
    schedules: list[Schedule]
    problems: list[str]


def _read(settings: Settings, setting: str, what: str, read: Callable[[Path], T],
          problems: list[str]) -> T | None:
    """`read(path)` of the file a setting names; a missing or broken file becomes a problem
    the room shows (in Chinese, with file, line and key), never an error page."""
    path = settings.path(setting)
    if not path.is_file():
        problems.append(f"未找到{what}文件 {path}（设置项 {setting}）")
        return None
    try:
        return read(path)
    except ConfigError as exc:
        problems.append(f"{what}有误：{exc}")
        return None


def load_targets(settings: Settings, problems: list[str]) -> list[Target]:
    found = _read(settings, "targets_file", "巡查目标", load_targets_file, problems)
    return list(found.targets.values()) if found else []


def load_schedules(settings: Settings, problems: list[str]) -> list[Schedule]:
    from scheduling.plan import load_plan

    plan = _read(settings, "schedules_file", "巡查计划", lambda _: load_plan(settings), problems)
    if plan is None:
        return []
    now = datetime.now(plan.timezone)
    schedules = []
    for name, entry in plan.schedules.items():
        jobs = [j for j in plan.jobs.values() if j.kwargs.get("schedule") == name]
        times = [t for t in (j.trigger.get_next_fire_time(None, now) for j in jobs) if t]
        targets = [str(j.kwargs.get("target")) for j in jobs] or list(entry.covers)
        when = jobs[0].spec if jobs else str(entry.cron or entry.interval or "")
        schedules.append(Schedule(name=name, targets=targets, when=when,
                                  next_run=min(times) if times else None,
                                  enabled=entry.enabled))
    return schedules


def load_config_view(settings: Settings) -> ConfigView:
    problems: list[str] = []
    return ConfigView(targets=load_targets(settings, problems),
                      schedules=load_schedules(settings, problems), problems=problems)


def directory(settings: Settings) -> Directory | None:
    """The departments file as the alerts read it, or None (logged) when it cannot be read."""
    from alerts import load_directory

    try:
        return load_directory(settings)
    except (ConfigError, OSError) as exc:
        log.warning("departments file not read: %s", exc)
        return None


def departments(settings: Settings) -> list[str]:
    """Departments a finding can be forwarded to (their Chinese names, in the file's order)."""
    found = directory(settings)
    return [dept.name for dept in found.departments.values()] if found else []


def department_names(settings: Settings) -> dict[str, str]:
    """Department id -> Chinese name (alerts name departments by id)."""
    found = directory(settings)
    return {dept_id: dept.name for dept_id, dept in found.departments.items()} if found else {}
