"""The schedules file, checked against the targets, turned into the jobs the scheduler holds.

`config/schedules.yaml`::

    timezone: Asia/Shanghai          # optional; default: the machine's time zone
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

Anything wrong is refused with the file, the line and the key (settings.ConfigError), so a
scheduler never starts, or reloads, half-configured.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.base import BaseTrigger

from settings import ConfigError, Settings

from .triggers import cron_trigger, interval_trigger

SCHEDULE_KEYS = ("target", "group", "cron", "interval", "time_limit", "enabled", "description")
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
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> checked entry
    jobs: dict[str, PlannedJob] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)        # name -> schedule group

    def time_limit(self, schedule: str | None, default: int) -> int:
        entry = self.schedules.get(schedule or "")
        return int(entry["time_limit"]) if entry and entry.get("time_limit") else default


def patrol_job_id(schedule: str, target: str) -> str:
    return f"{PATROL_JOB_PREFIX}{schedule}:{target}"


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def _compose(path: Path, what: str) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, f"{what} file not found") from None
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read {what} file ({exc.strerror})") from None
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(where, None, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None


def _child(node: yaml.Node | None, key: object) -> yaml.Node | None:
    """The value node under `key` (a mapping key or a list index), for line numbers."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == str(key):
                return v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _key(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The key node of `key` in a mapping: errors point at the line that names the key."""
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if getattr(k, "value", None) == key:
                return k
    return None


def _where(path: Path, node: yaml.Node | None) -> str:
    return f"{path}:{node.start_mark.line + 1}" if node is not None else str(path)


def read_targets(path: Path) -> dict[str, str]:
    """Target names and their schedule groups from the targets file (crawler/targets.py format:
    a `targets:` list of mappings with `name` and `schedule_group`, default "default").

    Only names and groups matter here; `patrol crawl` checks the rest of each target.
    """
    data, root = _compose(path, "targets")
    items = data.get("targets") if isinstance(data, dict) else None
    node = _child(root, "targets")
    if not isinstance(items, list):
        raise ConfigError(_where(path, node), "targets", "expected a list of targets")
    targets: dict[str, str] = {}
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise ConfigError(_where(path, _child(node, i)), "name", "every target needs a name")
        targets[name] = str(item.get("schedule_group") or "default")
    return targets


def _check_entry(path: Path, name: str, entry: Any, node: yaml.Node | None,
                 key_node: yaml.Node | None, targets: dict[str, str], tz: tzinfo) -> tuple[dict[str, Any], str,
                                                                      BaseTrigger, list[str]]:
    here = _where(path, key_node or node)
    key_prefix = f"schedules.{name}"
    if not isinstance(entry, dict):
        raise ConfigError(here, key_prefix, "expected a mapping with target or group, and cron "
                          "or interval")

    def bad(key: str, problem: str) -> ConfigError:
        return ConfigError(_where(path, _key(node, key) or node), f"{key_prefix}.{key}",
                           problem)

    for key in entry:
        if key not in SCHEDULE_KEYS:
            raise bad(str(key), f"unknown key; expected one of {', '.join(SCHEDULE_KEYS)}")
    if ("target" in entry) == ("group" in entry):
        raise ConfigError(here, key_prefix, "give exactly one of `target` or `group`")
    if ("cron" in entry) == ("interval" in entry):
        raise ConfigError(here, key_prefix, "give exactly one of `cron` or `interval`")
    if "target" in entry:
        covered = [str(entry["target"])]
        if covered[0] not in targets:
            raise bad("target", f"unknown target {covered[0]!r} (not in the targets file)")
    else:
        group = str(entry["group"])
        covered = sorted(t for t, g in targets.items() if g == group)
        if not covered:
            known = sorted({g for g in targets.values() if g})
            raise bad("group", f"unknown target group {group!r}; known: {', '.join(known) or '-'}")
    limit = entry.get("time_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise bad("time_limit", f"expected a positive number of seconds, got {limit!r}")
    if not isinstance(entry.get("enabled", True), bool):
        raise bad("enabled", f"expected true or false, got {entry['enabled']!r}")
    kind = "cron" if "cron" in entry else "interval"
    try:
        if kind == "cron":
            trigger, spec = cron_trigger(entry["cron"], tz)
        else:
            trigger, spec = interval_trigger(entry["interval"], tz)
    except (ValueError, TypeError) as exc:
        raise bad(kind, str(exc)) from None
    return entry, spec, trigger, covered


def load_plan(settings: Settings) -> SchedulePlan:
    """Read and check the schedules file and the targets; the jobs the scheduler should hold."""
    path = settings.path("schedules_file")
    data, root = _compose(path, "schedules")
    data = data or {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), None, "expected a mapping with `schedules:`")
    for key in data:
        if key not in ("timezone", "schedules"):
            raise ConfigError(_where(path, _key(root, str(key))), str(key),
                              "unknown key; expected timezone or schedules")
    tz = _timezone(path, data.get("timezone"), _key(root, "timezone"))
    plan = SchedulePlan(timezone=tz)
    schedules = data.get("schedules") or {}
    sched_node = _child(root, "schedules")
    if not isinstance(schedules, dict):
        raise ConfigError(_where(path, _key(root, "schedules")), "schedules",
                          "expected a mapping of schedule names to schedules")
    targets_file = settings.path("targets_file")
    if schedules or targets_file.is_file():
        plan.targets = read_targets(targets_file)
    for name, entry in schedules.items():
        name = str(name)
        if ":" in name:
            raise ConfigError(_where(path, _key(sched_node, name)), f"schedules.{name}",
                              "a schedule name may not contain ':'")
        entry, spec, trigger, covered = _check_entry(
            path, name, entry, _child(sched_node, name), _key(sched_node, name), plan.targets, tz)
        plan.schedules[name] = entry
        if not entry.get("enabled", True):
            continue
        for target in covered:
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
    recheck = settings["ledger_recheck_cron"]
    if recheck:
        try:
            trigger, spec = cron_trigger(recheck, tz)
        except ValueError as exc:
            raise ConfigError(settings.source("ledger_recheck_cron"), "ledger_recheck_cron",
                              str(exc)) from None
        plan.jobs["ledger:recheck"] = PlannedJob(
            id="ledger:recheck", func="scheduler:fire_ledger_recheck", trigger=trigger,
            spec=spec, kwargs={}, fingerprint=_fingerprint("ledger-recheck", spec, str(tz)))
    trigger, spec = interval_trigger({"seconds": ALERT_SENDER_SECONDS}, tz)
    plan.jobs["alerts:send"] = PlannedJob(
        id="alerts:send", func="scheduler:fire_alerts", trigger=trigger, spec=spec,
        kwargs={"task": "send"}, fingerprint=_fingerprint("send", spec, str(tz)))


def _timezone(path: Path, value: Any, node: yaml.Node | None) -> tzinfo:
    if value is None:
        from tzlocal import get_localzone

        return get_localzone()
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(_where(path, node), "timezone",
                          f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from None
