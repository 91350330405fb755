"""The one lifecycle of a patrol run, for the command line, the demo, the scheduler's child
process, the console's run-now (through the scheduler) and distributed workers.

    start_runs   take each target's lock (all or none: PatrolLocked) and record the runs
    crawl        crawler.run.crawl, in this process (Scrapy's reactor runs once a process)
    finish_run   record the outcome, judge the run's health (patrols.health), queue alerts for
                 new findings, tell support of a degraded run, release the lock
    update_ledger register the targets' platforms in the ledger (台账) and score them again

`patrol()` does all three. A run crawled elsewhere (by several distributed workers) calls
`finish_run` once with `report_from_stats(merged stats, close reason, ...)`: exactly the same
steps (lock released by its owner string, kept with the run). Findings that are no
longer on a page are marked gone as each page is stored again (crawler/pipelines/store.py),
because only that page's fresh analysis says what is still there.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from findings import FindingRecord, PatrolRun, Store, utcnow
from settings import Settings

from . import exit_codes, health
from .locks import PatrolLocked, lock_ttl, new_owner, patrol_lock

log = logging.getLogger("patrol.run")

# How a crawl closed (Scrapy's close reason) -> the run's status.
CLOSE_STATUS = {"finished": "ok", "closespider_timeout": "timeout", "shutdown": "interrupted"}
STATUS_EXIT = {"ok": exit_codes.OK, "degraded": exit_codes.DEGRADED}


@dataclass
class StartedRun:
    """A run whose target's lock is held and whose record says "running"."""

    target: Any                 # crawler.targets.Target, resolved (every limit filled in)
    run: PatrolRun
    lock_owner: str


@dataclass
class CrawlReport:
    """What the crawl of one run produced, whoever crawled it."""

    summary: dict[str, Any]     # crawler.summary.summarize() of the (merged) crawl stats
    close_reason: str           # Scrapy's: finished, closespider_timeout, shutdown, ...
    new_findings: list[FindingRecord] = field(default_factory=list)
    finding_ids: set[str] = field(default_factory=set)
    evidence_paths: list[str] = field(default_factory=list)


@dataclass
class PatrolOutcome:
    target: Any
    run: PatrolRun
    report: CrawlReport
    verdicts: list[health.Verdict] = field(default_factory=list)
    alerts_queued: int = 0


def report_from_stats(stats: dict[str, Any], close_reason: str, *, chromium: bool,
                      wanted_render: bool, new_findings: list[FindingRecord] | tuple = (),
                      finding_ids: set[str] | frozenset = frozenset(),
                      evidence_paths: list[str] | tuple = ()) -> CrawlReport:
    """The report of a crawl from its Scrapy-style stats (one process's, or all workers'
    merged), so that every crawl is summarized the same way."""
    from crawler.summary import summarize

    return CrawlReport(summary=summarize(stats, chromium=chromium, wanted_render=wanted_render),
                       close_reason=close_reason, new_findings=list(new_findings),
                       finding_ids=set(finding_ids), evidence_paths=list(evidence_paths))


def new_run_id(target: str) -> str:
    return f"{utcnow().strftime('%Y%m%dT%H%M%S')}-{target[:40]}-{uuid.uuid4().hex[:6]}"


def start_runs(settings: Settings, store: Store, targets: list[Any],
               trigger: str = "manual") -> list[StartedRun]:
    """Lock and record a run of each target; if any target is locked, none is started."""
    from crawler.targets import resolve

    started: list[StartedRun] = []
    ttl = lock_ttl(settings)
    for raw in targets:
        target = resolve(raw, settings)
        run = PatrolRun(id=new_run_id(target.name), target=target.name, started_at=utcnow(),
                        trigger=trigger)
        owner = new_owner("patrol", run.id)
        if not store.acquire_lock(patrol_lock(target.name), owner, ttl):
            holder = store.lock_holder(patrol_lock(target.name))
            for done in started:
                store.release_lock(patrol_lock(done.target.name), done.lock_owner)
            raise PatrolLocked(target.name, holder)
        started.append(StartedRun(target, run, owner))
    for item in started:
        store.save_run(item.run)
    return started


def patrol(settings: Settings, store: Store, targets: list[Any], *, trigger: str = "manual",
           progress: str = "log", analyzer: Any | None = None,
           queue_alerts: bool = True) -> list[PatrolOutcome]:
    """Patrol `targets` at once in this process; blocks until every run is finished."""
    from crawler.run import crawl

    started = start_runs(settings, store, targets, trigger)
    reports: dict[str, CrawlReport] = {}
    try:
        for ctx in crawl(settings, [(s.target, s.run, s.lock_owner) for s in started], store,
                         progress=progress, analyzer=analyzer):
            reports[ctx.run.id] = report_from_stats(
                ctx.stats, ctx.close_reason, chromium=ctx.chromium is not None,
                wanted_render=ctx.target.render != "never", new_findings=ctx.new_findings,
                finding_ids=ctx.all_finding_ids, evidence_paths=ctx.evidence_paths)
    finally:
        # Also when the crawl raised: every run is completed and every lock released.
        outcomes = [finish_run(settings, store, item.run, reports.get(item.run.id)
                               or CrawlReport(summary={}, close_reason="crashed"),
                               target_kind=item.target.kind, target_tags=item.target.tags,
                               lock_owner=item.lock_owner, queue_alerts=queue_alerts)
                    for item in started]
    for outcome, item in zip(outcomes, started, strict=True):
        outcome.target = item.target
    update_ledger(settings, store, [item.target for item in started])
    return outcomes


def update_ledger(settings: Settings, store: Store, targets: list[Any]) -> None:
    """The ledger's step after the runs: register the targets' platforms and the operators
    their pages named, score them again (platforms.intake; a ledger problem is logged, never
    fails the runs). A distributed run: the command that enqueued it calls this once the run
    has ended, in its own data home, where the console reads the ledger."""
    from platforms.intake import ledger_step

    ledger_step(settings, store, targets)


def finish_run(settings: Settings, store: Store, run: PatrolRun, report: CrawlReport, *,
               target_kind: str = "", target_tags: tuple[str, ...] | list[str] = (),
               lock_owner: str | None = None, queue_alerts: bool = True) -> PatrolOutcome:
    """Everything after the crawl, once per run: record, judge, alert, release the lock."""
    outcome = PatrolOutcome(target=None, run=run, report=report)
    try:
        summary = report.summary
        run.ended_at = utcnow()
        run.status = CLOSE_STATUS.get(report.close_reason, "failed")
        run.pages = int(summary.get("pages", 0))
        run.findings = len(report.finding_ids)
        run.errors = dict(summary.get("errors") or {})
        run.stats = {**summary, "close_reason": report.close_reason,
                     "new_findings": len(report.new_findings)}
        if run.status == "ok":
            outcome.verdicts = health.judge(_facts(store, run, summary))
            run.stats["health"] = [v.to_dict() for v in outcome.verdicts]
            if health.failed(outcome.verdicts):
                run.status = "degraded"
        run.exit_code = STATUS_EXIT.get(run.status, exit_codes.FAILED)
        store.save_run(run)
        if queue_alerts and report.new_findings:
            outcome.alerts_queued = _queue_finding_alerts(settings, store, run, report,
                                                          target_kind, target_tags)
        if run.status == "degraded":
            problems = [v.message for v in health.failed(outcome.verdicts)]
            tell_support(settings, store, run, ["状况异常（巡查已结束）", *problems])
    finally:
        if lock_owner:
            store.release_lock(patrol_lock(run.target), lock_owner)
    log.info("patrol of %s ended: %s, %s pages, %s findings (%s new), %s alerts queued, run %s",
             run.target, run.status, run.pages, run.findings, len(report.new_findings),
             outcome.alerts_queued, run.id)
    return outcome


def _facts(store: Store, run: PatrolRun, summary: dict[str, Any]) -> health.RunFacts:
    previous = next((r for r in store.list_runs(run.target, limit=20)
                     if r.id != run.id and r.status in ("ok", "degraded")), None)
    return health.RunFacts(target=run.target, pages=run.pages, errors=dict(run.errors),
                           skips=dict(summary.get("skips") or {}),
                           previous_pages=previous.pages if previous else None,
                           previous_run=previous.id if previous else None)


def _queue_finding_alerts(settings: Settings, store: Store, run: PatrolRun, report: CrawlReport,
                          target_kind: str, target_tags: Any) -> int:
    from alerts import queue_for_findings

    try:
        queued = queue_for_findings(store, settings, report.new_findings,
                                    target_kind=target_kind or None, tags=tuple(target_tags))
    except Exception as exc:  # noqa: BLE001 - the run stays recorded; the alerts failure is in it
        if exit_codes.storage_failure(exc):
            raise   # the store cannot be written: the command ends with one line, status 74
        log.exception("could not queue the alerts of run %s", run.id)
        run.errors = {**run.errors, "alerts_failed": 1}
        store.save_run(run)
        return 0
    run.stats["alerts_queued"] = queued
    store.save_run(run)
    return queued


SUPPORT_SUBJECTS = {"degraded": "巡查异常", "failed": "巡查失败", "timeout": "巡查超时"}
TRIGGER_NAMES = {"schedule": "定时巡查", "manual": "手动巡查", "demo": "演示"}


def tell_support(settings: Settings, store: Store, run: PatrolRun, problems: list[str],
                 log_path: Path | None = None) -> None:
    """Tell the technical support team what went wrong with a run (once per run and status);
    a failure to queue the message is logged, never raised."""
    from common.timefmt import SECONDS, configured_zone, format_local

    tz = configured_zone(settings)
    lines = [
        f"巡查目标：{run.target}",
        f"巡查编号：{run.id}",
        f"触发方式：{TRIGGER_NAMES.get(run.trigger, run.trigger)}",
        f"开始时间：{format_local(run.started_at, tz, SECONDS, with_zone=True)}",
        f"结束时间：{format_local(run.ended_at, tz, SECONDS, empty='-', with_zone=True)}",
        "结果：" + "；".join(problems),
        f"已抓取页面：{run.pages}，发现问题：{run.findings}",
    ]
    if log_path is not None:
        lines.append(f"日志文件：{log_path}")
    lines.append("下一次定时巡查将照常进行。")
    if log_path is not None:
        lines += ["", "日志末尾：", _tail(log_path)]
    subject = f"{SUPPORT_SUBJECTS.get(run.status, '巡查出错')}：{run.target}"
    try:
        from alerts import notify_support

        notify_support(store, settings, subject, "\n".join(lines), f"patrol-{run.status}:{run.id}")
    except Exception:  # noqa: BLE001 - a support message must not undo the run's record
        log.exception("could not tell support of run %s (%s)", run.id, run.status)


def _tail(path: Path, max_bytes: int = 4000, lines: int = 20) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - max_bytes))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return "(无法读取日志)"
    return "\n".join(text.splitlines()[-lines:])
