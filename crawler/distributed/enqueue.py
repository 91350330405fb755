"""Enqueue a patrol run for the workers, and watch it until it ends (`patrol crawl
--distributed`; the scheduler and the console's run-now start that command).

The target's lock in the store is taken here, as a single-process patrol takes it, and held
for the run (the finisher releases it), so a second patrol of the same target is refused the
same way. The watcher ends the run as failed when no worker makes progress for
`worker_stall_seconds` (all workers gone), and as timed out past the run's time limit.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base

from findings.model import PatrolRun
from patrols.locks import LOCK_MARGIN_SECONDS

from ..address_guard import AddressGuard
from ..context import PatrolContext
from ..targets import Target
from . import runs
from .connection import SharedRedis
from .finish import fail_stalled, finish_run
from .frontier import Limits, RedisFrontier, run_key
from .scheduler import admission_of

if TYPE_CHECKING:
    from patrols.service import StartedRun

log = logging.getLogger(__name__)
WATCH_SECONDS = 1.0


def limits_for(settings: Any, target: Target) -> Limits:
    return Limits(max_pages=int(target.max_pages or 0),
                  max_per_host=int(settings["crawl_max_pages_per_host"]),
                  max_per_pattern=int(settings["crawl_max_pages_per_pattern"]))


def enqueue_patrol(settings: Any, target: Target, store: Any, trigger: str,
                   shared: SharedRedis) -> StartedRun:
    """Lock the target and record the run (patrols.service.start_runs, as every patrol
    starts), then put it with its seeds on Redis for the workers."""
    from patrols.service import CrawlReport, finish_run, start_runs

    from ..spiders.patrol import PatrolSpider

    (started,) = start_runs(settings, store, [target], trigger)
    run, target = started.run, started.target
    try:
        limits = limits_for(settings, target)
        ctx = PatrolContext(settings=settings, target=target, run=run, store=None,
                            analyzer=None, guard=AddressGuard.for_start_urls(target.start_urls))
        spider = PatrolSpider(patrol=ctx)
        codec = Base(shared.client, spider, run_key(run.id, "queue"), picklecompat)
        frontier = RedisFrontier(shared, run.id, limits, settings["worker_lease_seconds"])
        dupes = RFPDupeFilter(shared.client, run_key(run.id, "dupe"))
        seeds = [(codec._encode_request(r), r.priority, admission_of(r, dupes))
                 for r in spider.seed_requests()]
        runs.enqueue_run(shared, run, target, limits.__dict__, settings["patrol_time_limit"],
                         started.lock_owner, seeds, frontier)
    except BaseException:
        # Recorded as failed and the lock released, the way every run ends.
        finish_run(settings, store, run, CrawlReport(summary={}, close_reason="enqueue_failed"),
                   target_kind=target.kind, target_tags=target.tags,
                   lock_owner=started.lock_owner, queue_alerts=False)
        raise
    log.info("patrol run %s of %s enqueued for the workers (%d seeds)", run.id, target.name,
             len(seeds))
    return started


def watch_run(settings: Any, store: Any, shared: SharedRedis, run_id: str) -> PatrolRun:
    """Wait until the run ends; end it as stalled or timed out when the workers cannot."""
    owner = f"watch:{socket.gethostname()}:{os.getpid()}"
    stall = settings["worker_stall_seconds"]
    while True:
        meta = runs.run_meta(shared, run_id)
        if meta is not None:
            if meta.get("state") == runs.DONE:
                break
            now = time.time()
            if now - float(meta.get("progress", now)) > stall:
                log.error("patrol run %s stalled: no progress for %s s", run_id, stall)
                fail_stalled(shared, store, settings, run_id, owner)
            elif now > runs.deadline(meta) + LOCK_MARGIN_SECONDS and \
                    runs.claim_finish(shared, run_id, owner):
                finish_run(shared, store, settings, run_id, close_reason="closespider_timeout")
        time.sleep(WATCH_SECONDS)
    run = store.get_run(run_id)
    if run is None:
        raise RuntimeError(f"patrol run {run_id} ended without a record")
    return run
