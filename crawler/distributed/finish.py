"""The end of a distributed run, done once: record the run from all workers' stats, release
the target's lock, queue alerts for the findings this run found first, and close the run in
Redis. Every step is idempotent (upserts, keyed alerts), so a finisher that died half-way is
safely replaced by the next claimant (runs.claim_finish).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from findings.model import PatrolRun

from ..run import lock_name, record_end
from . import runs
from .connection import SharedRedis
from .frontier import Limits, RedisFrontier

log = logging.getLogger(__name__)


def finish_run(shared: SharedRedis, store: Any, settings: Any, run_id: str, *,
               close_reason: str) -> PatrolRun | None:
    meta = runs.run_meta(shared, run_id)
    if meta is None or meta.get("state") == runs.DONE:
        return None
    run, target = runs.load_run(meta)
    stats = runs.run_stats(shared, run_id)
    finding_ids = runs.run_findings(shared, run_id)
    # New means first found by this run: the store keeps the run that inserted a finding, so
    # this holds even when a page was fetched twice (its worker died before acknowledging).
    records = [f for f in (store.get_finding(i) for i in sorted(finding_ids)) if f is not None]
    new = [f for f in records if f.run_id == run.id]
    # Workers count what they stored; a finding stored by two workers (the operator check of
    # a site runs once per worker) or twice (a page fetched again) is still one finding.
    stats = {k: v for k, v in stats.items() if not k.startswith("patrol/findings_by_rule/")}
    stats["patrol/findings"] = len(records)
    stats["patrol/findings_new"] = len(new)
    for record in records:
        key = f"patrol/findings_by_rule/{record.rule}"
        stats[key] = stats.get(key, 0) + 1
    stats.setdefault("elapsed_time_seconds", time.time() - float(meta.get("started", time.time())))
    record_end(run, stats, close_reason, findings=len(finding_ids), new_findings=len(new),
               chromium=True, wanted_render=target.render != "never")
    run.stats["distributed"] = True
    store.save_run(run)
    store.release_lock(lock_name(target.name), meta.get("lock_owner", ""))
    if run.status != "failed" and new:
        from alerts import queue_for_findings

        queued = queue_for_findings(store, settings, new, target_kind=target.kind,
                                    tags=target.tags)
        run.stats["alerts_queued"] = queued
        store.save_run(run)
    runs.mark_done(shared, run_id, run.status)
    RedisFrontier(shared, run_id, Limits(0, 0, 0), 1).drop()
    log.info("distributed patrol run %s finished: %s, %d pages, %d findings (%d new)",
             run.id, run.status, run.pages, run.findings, len(new))
    return run


def fail_stalled(shared: SharedRedis, store: Any, settings: Any, run_id: str,
                 owner: str) -> PatrolRun | None:
    """A run nobody works on: finish it as failed and tell the technical support team."""
    if not runs.claim_finish(shared, run_id, owner):
        return None
    run = finish_run(shared, store, settings, run_id, close_reason="stalled")
    if run is not None:
        from alerts import notify_support

        notify_support(store, settings, f"巡查任务停滞：{run.target}",
                       f"分布式巡查 {run.id}（目标 {run.target}）在 "
                       f"{settings['worker_stall_seconds']} 秒内没有任何进展（没有在线的巡查工作进程），"
                       "已标记为失败。请检查各巡查机器上的 patrol worker 服务。",
                       f"stalled:{run.id}")
    return run
