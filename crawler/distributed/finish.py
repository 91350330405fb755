"""The end of a distributed run, done once: record the run from all workers' stats, release
the target's lock, queue alerts for the findings this run found first, and close the run in
Redis. Every step is idempotent (upserts, keyed alerts), so a finisher that died half-way is
safely replaced by the next claimant (runs.claim_finish). The steps are the patrol service's
finish_run, which ends every patrol the same way.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from findings.model import PatrolRun
from patrols import service
from patrols.service import report_from_stats

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
    records = [f for f in (store.get_finding(i) for i in sorted(finding_ids)) if f is not None]
    # New means first found by this run: the store keeps the run that inserted a finding, so
    # this holds even when a page was fetched twice (its worker died before acknowledging).
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
    report = report_from_stats(stats, close_reason, chromium=True,
                               wanted_render=target.render != "never", new_findings=new,
                               finding_ids=finding_ids)
    # The same end as every patrol: record, judge health, queue alerts, release the lock.
    outcome = service.finish_run(settings, store, run, report, target_kind=target.kind,
                                 target_tags=target.tags, lock_owner=meta.get("lock_owner"))
    outcome.run.stats["distributed"] = True
    store.save_run(outcome.run)
    runs.mark_done(shared, run_id, outcome.run.status)
    RedisFrontier(shared, run_id, Limits(0, 0, 0), 1).drop()
    # The ledger's step is not taken here: a worker's data home is on a crawler machine, and
    # the ledger lives with the console. The command that enqueued the run (on the scheduler's
    # or the console's machine) takes it once the run has ended (cli/crawl.py).
    return outcome.run


def fail_stalled(shared: SharedRedis, store: Any, settings: Any, run_id: str,
                 owner: str) -> PatrolRun | None:
    """A run nobody works on: finish it as failed and tell the technical support team."""
    if not runs.claim_finish(shared, run_id, owner):
        return None
    run = finish_run(shared, store, settings, run_id, close_reason="stalled")
    if run is not None:
        service.tell_support(settings, store, run, [
            f"分布式巡查停滞：{settings['worker_stall_seconds']} 秒内没有任何进展（没有在线的巡查"
            "工作进程），已标记为失败。请检查各巡查机器上的 patrol worker 服务。"])
    return run
