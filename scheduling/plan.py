"""The schedules file, checked against the targets, turned into the jobs the scheduler holds.

`config/schedules.yaml`::

    timezone: Asia/Shanghai          # optional; default: the setting time_zone
    schedules:
      p2p-nightly:                   # schedule name (one job per target it covers)
        group: p2p                   # a schedule_group of targets.yaml, or `target: NAME`
        cron: "30 2 * * *"           # crontab (0/7 = Sunday), or 6 fields with seconds first
        time_limit: 7200             # optional, seconds; default patrol_time_limit
      ads:
        group: ads
        interval: {hours: 4}         # or weeks/days/minutes/seconds
      old:
        target: some-site
        cron: "0 3 * * *"
        enabled: false               # kept in the file, never runs

Both files are read by the config model (settings.models: one reader, one meaning of each
key); anything wrong is refused with the file, the line and the key (settings.ConfigError), so
a scheduler never starts, or reloads, half-configured.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from common.timefmt import configured_zone, zone
from settings import ConfigError, Settings
from settings.models import Schedule, TargetsFile, load_schedules_file, load_targets_file

from .triggers import cron_trigger, interval_trigger

PATROL_JOB_PREFIX = "patrol:"
ALERTS_JOB_PREFIX = "alerts:"
# The alert sender also runs after every patrol; this job retries deliveries in between.
ALERT_SENDER_SECONDS = 60


@dataclass(frozen=True)
class PlannedJob:
    """One job the scheduler should hold: a patrol of one target, or an alerts task."""

    id: str
    func: str                      # "module:function", resolved by APScheduler
    trigger: BaseTrigger
    spec: str                      # canonical schedule text ("cron 0 30 2 * * *")
    kwargs: dict[str, Any]
    fingerprint: str               # changes when the job must be rescheduled


@dataclass
class SchedulePlan:
    timezone: tzinfo
    schedules: dict[str, Schedule] = field(default_factory=dict)   # name -> checked schedule
    jobs: dict[str, PlannedJob] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)        # name -> schedule group

    def time_limit(self, schedule: str | None, default: int) -> int:
        entry = self.schedules.get(schedule or "")
        return entry.time_limit if entry and entry.time_limit else default


def patrol_job_id(schedule: str, target: str) -> str:
    return f"{PATROL_JOB_PREFIX}{schedule}:{target}"


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def _trigger(schedule: Schedule, tz: tzinfo) -> tuple[BaseTrigger, str]:
    """The APScheduler trigger of a schedule; a bad cron or interval names its line and key."""
    kind = "cron" if schedule.cron is not None else "interval"
    try:
        if schedule.cron is not None:
            return cron_trigger(schedule.cron, tz)
        return interval_trigger(schedule.interval, tz)
    except (ValueError, TypeError) as exc:
        raise schedule.fail(kind, str(exc)) from None


def load_plan(settings: Settings) -> SchedulePlan:
    """Read and check the schedules file and the targets; the jobs the scheduler should hold."""
    path = settings.path("schedules_file")
    targets_file = settings.path("targets_file")
    targets: TargetsFile | None = None
    if targets_file.is_file():
        targets = load_targets_file(targets_file)
    schedules = load_schedules_file(path, targets)
    tz = _timezone(settings, schedules.timezone, schedules.source.get("timezone"))
    plan = SchedulePlan(timezone=tz)
    if targets is not None:
        plan.targets = {t.name: t.schedule_group for t in targets.targets.values()}
    for name, schedule in schedules.schedules.items():
        trigger, spec = _trigger(schedule, tz)
        plan.schedules[name] = schedule
        if not schedule.enabled:
            continue
        for target in schedule.covers:
            job_id = patrol_job_id(name, target)
            plan.jobs[job_id] = PlannedJob(
                id=job_id, func="scheduler:fire_patrol", trigger=trigger, spec=spec,
                kwargs={"schedule": name, "target": target},
                fingerprint=_fingerprint(target, spec, str(tz)))
    _plan_alert_jobs(plan, settings, tz)
    return plan


def _plan_alert_jobs(plan: SchedulePlan, settings: Settings, tz: tzinfo) -> None:
    digest = settings["digest_cron"]
    if digest:
        try:
            trigger, spec = cron_trigger(digest, tz)
        except ValueError as exc:
            raise ConfigError(settings.source("digest_cron"), "digest_cron", str(exc)) from None
        plan.jobs["alerts:digest"] = PlannedJob(
            id="alerts:digest", func="scheduler:fire_alerts", trigger=trigger, spec=spec,
            kwargs={"task": "digest"}, fingerprint=_fingerprint("digest", spec, str(tz)))
    trigger, spec = interval_trigger({"seconds": ALERT_SENDER_SECONDS}, tz)
    plan.jobs["alerts:send"] = PlannedJob(
        id="alerts:send", func="scheduler:fire_alerts", trigger=trigger, spec=spec,
        kwargs={"task": "send"}, fingerprint=_fingerprint("send", spec, str(tz)))


def _timezone(settings: Settings, value: str | None, entry: Any) -> tzinfo:
    """The schedules file's own `timezone:`, else the configured time zone (setting time_zone)."""
    if value is None:
        return configured_zone(settings)
    try:
        return zone(value)
    except ValueError:
        raise entry.fail(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from None
