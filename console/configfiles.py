"""Targets, schedules and departments as the console shows them, read from the configured files.

The files belong to the crawler, the scheduler and the alerts; the console only reads them.
Schedules come from the scheduler's own plan reader (scheduling.plan, which checks them the way
the scheduler will), targets from the targets file (its `targets:` list), departments from the
alerts directory. A missing or broken file never breaks a page: the room shows what it could
read and says what it could not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

from settings import ConfigError, Settings

from .roles import DEPARTMENTS

log = logging.getLogger(__name__)


@dataclass
class Target:
    name: str
    urls: list[str] = field(default_factory=list)
    group: str = ""
    kind: str = ""
    note: str = ""


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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def load_targets(settings: Settings, problems: list[str]) -> list[Target]:
    path = settings.path("targets_file")
    if not path.is_file():
        problems.append(f"未找到巡查目标文件 {path}（设置项 targets_file）")
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"无法读取巡查目标文件 {path}：{type(exc).__name__}")
        return []
    items = data.get("targets") if isinstance(data, dict) else None
    targets = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        targets.append(Target(name=str(item["name"]),
                              urls=_as_list(item.get("start_urls") or item.get("urls")),
                              group=str(item.get("schedule_group") or "default"),
                              kind=str(item.get("kind") or ""),
                              note=str(item.get("description") or "")))
    return targets


def load_schedules(settings: Settings, problems: list[str]) -> list[Schedule]:
    path = settings.path("schedules_file")
    if not path.is_file():
        problems.append(f"未找到巡查计划文件 {path}（设置项 schedules_file）")
        return []
    try:
        from scheduling.plan import load_plan

        plan = load_plan(settings)
    except ConfigError as exc:
        problems.append(f"巡查计划有误：{exc}")
        return []
    now = datetime.now(plan.timezone)
    schedules = []
    for name, entry in plan.schedules.items():
        jobs = [j for j in plan.jobs.values() if j.kwargs.get("schedule") == name]
        times = [t for t in (j.trigger.get_next_fire_time(None, now) for j in jobs) if t]
        targets = [str(j.kwargs.get("target")) for j in jobs]
        if not targets:
            targets = _as_list(entry.get("target") or entry.get("group"))
        when = jobs[0].spec if jobs else str(entry.get("cron") or entry.get("interval") or "")
        schedules.append(Schedule(name=name, targets=targets, when=when,
                                  next_run=min(times) if times else None,
                                  enabled=bool(entry.get("enabled", True))))
    return schedules


def load_config_view(settings: Settings) -> ConfigView:
    problems: list[str] = []
    return ConfigView(targets=load_targets(settings, problems),
                      schedules=load_schedules(settings, problems), problems=problems)


def departments(settings: Settings) -> list[str]:
    """Departments a finding can be forwarded to: the plan's, plus the alerts directory's."""
    names = list(DEPARTMENTS)
    try:
        from alerts import load_directory

        directory = load_directory(settings)
    except (ConfigError, ImportError, OSError) as exc:
        log.debug("departments file not read: %s", exc)
        return names
    for dept in directory.departments.values():
        if dept.name and dept.name not in names:
            names.append(dept.name)
    return names


def department_names(settings: Settings) -> dict[str, str]:
    """Department id -> Chinese name from the alerts directory (alerts name departments by id)."""
    try:
        from alerts import load_directory

        directory = load_directory(settings)
    except (ConfigError, ImportError, OSError):
        return {}
    return {dept_id: dept.name for dept_id, dept in directory.departments.items()}
