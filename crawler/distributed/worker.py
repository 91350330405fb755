"""`patrol worker`: a long-lived process that joins the distributed patrol runs in Redis.

One Twisted reactor for the life of the process (it cannot be restarted), one crawl at a
time: the worker takes an active run, crawls it with the same spider, middlewares and
pipelines as a single-process patrol (address guard, limits, charsets, rendering with one
Chromium, evidence, operator checks) on the shared frontier, and looks for the next run when
the run ends for it. SIGTERM/SIGINT: the current crawl stops, what this worker held goes back
to the frontier at once, and the process exits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from typing import Any

from findings.model import PatrolRun

from ..address_guard import AddressGuard
from ..context import PatrolContext
from ..run import _quiet_scrapy_logs
from ..settings import (
    ASYNCIO_REACTOR,
    base_settings,
    distributed_settings,
    find_chromium,
    scrapy_settings,
)
from ..targets import Target
from . import runs
from .connection import SharedRedis
from .frontier import Limits
from .member import RunMember

log = logging.getLogger(__name__)
IDLE_POLL_SECONDS = 0.5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(settings: Any, store: Any, *, max_runs: int | None = None,
               idle_exit: float | None = None) -> int:
    """Work on distributed runs until stopped (or after `max_runs` runs, or `idle_exit`
    seconds without a run). Returns the number of runs this worker took part in."""
    from scrapy.utils.reactor import install_reactor

    install_reactor(ASYNCIO_REACTOR)
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer, reactor

    from analyzers import Analyzer

    shared = SharedRedis(settings["redis_url"])
    analyzer = Analyzer.from_settings(settings)
    chromium = find_chromium(settings)
    state = {"stopping": False, "runs": 0}

    class WorkerProcess(CrawlerProcess):
        def _signal_shutdown(self, signum: int, _: Any) -> None:
            state["stopping"] = True
            super()._signal_shutdown(signum, _)

    process = WorkerProcess(base_settings(settings))
    _quiet_scrapy_logs(settings)
    preload_components(settings)
    name = worker_name()
    log.info("patrol worker %s on %s", name, settings["redis_url"])

    async def loop() -> None:
        idle = 0.0
        while not state["stopping"]:
            job = next_run(shared)
            if job is None:
                if idle_exit is not None and idle >= idle_exit:
                    break
                await asyncio.sleep(IDLE_POLL_SECONDS)
                idle += IDLE_POLL_SECONDS
                continue
            idle = 0.0
            run, target, limits, deadline = job
            state["runs"] += 1
            await crawl_run(process, settings, store, shared, analyzer, chromium, run, target,
                            limits, deadline, name)
            if max_runs is not None and state["runs"] >= max_runs:
                break

    def main() -> None:
        d = defer.Deferred.fromFuture(asyncio.ensure_future(loop()))
        d.addErrback(lambda f: log.error("worker failed: %s", f.getTraceback()))
        d.addBoth(lambda _: reactor.stop() if reactor.running else None)

    reactor.callWhenRunning(main)
    process.start(stop_after_crawl=False)
    shared.close()
    return state["runs"]


def preload_components(settings: Any) -> None:
    """Import every component a crawl of a run loads (Scrapy's and ours) once, at start: a
    worker that joins a run should begin fetching at once, not spend its first moments of
    every run's start (all workers at the same moment) importing modules."""
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    from ..spiders.patrol import PatrolSpider  # noqa: F401 - imported for its modules
    from ..targets import adhoc_target, resolve

    target = resolve(adhoc_target(["http://127.0.0.1/"]), settings)
    values = Settings(distributed_settings(scrapy_settings(settings, target, chromium=None,
                                                           proxy_port=None)))
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES"):
        for path, order in values.getwithbase(name).items():
            if order is not None:
                load_object(path)
    for path in (*values.getwithbase("DOWNLOAD_HANDLERS").values(), values["SCHEDULER"]):
        if path:
            load_object(path)


def next_run(shared: SharedRedis) -> tuple[PatrolRun, Target, Limits, float] | None:
    for run_id in runs.active_runs(shared):
        meta = runs.run_meta(shared, run_id)
        if meta and meta.get("state") == runs.RUNNING and not runs.finishing(shared, run_id):
            run, target = runs.load_run(meta)
            return run, target, Limits(**json.loads(meta["limits"])), runs.deadline(meta)
    return None


async def crawl_run(process: Any, settings: Any, store: Any, shared: SharedRedis,
                    analyzer: Any, chromium: str | None, run: PatrolRun, target: Target,
                    limits: Limits, deadline: float, name: str) -> None:
    from scrapy.crawler import Crawler
    from scrapy.utils.defer import maybe_deferred_to_future

    from ..browser_proxy import bind_proxy_socket
    from ..spiders.patrol import PatrolSpider

    use_browser = chromium if target.render != "never" else None
    member = RunMember(shared, run.id, limits, settings["worker_lease_seconds"], name, deadline)
    ctx = PatrolContext(settings=settings, target=target, run=run, store=store,
                        analyzer=analyzer, guard=AddressGuard.for_start_urls(target.start_urls),
                        chromium=use_browser,
                        proxy_socket=bind_proxy_socket() if use_browser else None,
                        distributed=member)
    port = ctx.proxy_socket.getsockname()[1] if ctx.proxy_socket else None
    values = scrapy_settings(settings, target, chromium=use_browser, proxy_port=port)
    values["PATROL_PROGRESS"] = "log"
    crawler = Crawler(PatrolSpider, distributed_settings(values))
    log.info("worker %s joins patrol run %s (%s)", name, run.id, target.name)
    try:
        await maybe_deferred_to_future(process.crawl(crawler, patrol=ctx))
    finally:
        if ctx.proxy_socket is not None:
            ctx.proxy_socket.close()
    log.info("worker %s leaves patrol run %s", name, run.id)
