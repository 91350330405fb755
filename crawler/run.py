"""Run patrols: one Scrapy CrawlerProcess in this process, one crawler per target.

For each target: take its lock in the store (a second patrol of the same target is refused),
record the patrol run at the start and at the end (with the crawl's stats), and crawl. The
Twisted reactor cannot be restarted, so this runs once per process: `patrol crawl` and
`patrol demo` call it, the scheduler starts `patrol crawl --target NAME` as a subprocess.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

from findings.model import FindingRecord, PatrolRun, utcnow
from settings import Settings

from .address_guard import AddressGuard
from .context import PatrolContext
from .settings import ASYNCIO_REACTOR, base_settings, find_chromium, scrapy_settings
from .summary import summarize
from .targets import Target

logger = logging.getLogger(__name__)
LOCK_MARGIN_SECONDS = 600


class PatrolLocked(Exception):
    """Another patrol of the target holds its lock."""

    def __init__(self, target: str, holder: str | None) -> None:
        super().__init__(f"target {target!r} is being patrolled by {holder or 'another process'}")
        self.target, self.holder = target, holder


@dataclass
class PatrolResult:
    target: Target
    run: PatrolRun
    summary: dict[str, Any]
    new_findings: list[FindingRecord] = field(default_factory=list)
    evidence_paths: list[str] = field(default_factory=list)
    finding_ids: set[str] = field(default_factory=set)


def new_run_id(target: str) -> str:
    return f"{utcnow().strftime('%Y%m%dT%H%M%S')}-{target[:40]}-{uuid.uuid4().hex[:6]}"


def run_patrols(settings: Settings, targets: list[Target], store: Any, *,
                trigger: str = "manual", progress: str = "log",
                analyzer: Any | None = None) -> list[PatrolResult]:
    """Crawl `targets` at once and return one result per target (blocks until all end)."""
    from scrapy.utils.reactor import install_reactor

    install_reactor(ASYNCIO_REACTOR)
    from scrapy.crawler import Crawler, CrawlerProcess

    from .spiders.patrol import PatrolSpider

    if analyzer is None:
        from analyzers import Analyzer

        analyzer = Analyzer.from_settings(settings)
    chromium = find_chromium(settings)
    contexts = _lock_all(settings, targets, store, trigger, analyzer, chromium)
    process = CrawlerProcess(base_settings(settings))
    _quiet_scrapy_logs(settings)  # after: CrawlerProcess resets the scrapy loggers
    crawlers = []
    try:
        for ctx in contexts:
            port = ctx.proxy_socket.getsockname()[1] if ctx.proxy_socket else None
            values = scrapy_settings(settings, ctx.target, chromium=ctx.chromium, proxy_port=port)
            values["PATROL_PROGRESS"] = progress
            crawler = Crawler(PatrolSpider, values)
            _watch(crawler, ctx)
            crawlers.append(crawler)
            process.crawl(crawler, patrol=ctx)
        process.start()
    finally:
        results = [_finish(store, ctx, crawler) for ctx, crawler in
                   zip(contexts, crawlers + [None] * (len(contexts) - len(crawlers)),
                       strict=True)]
    return results


def _lock_all(settings: Settings, targets: list[Target], store: Any, trigger: str,
              analyzer: Any, chromium: str | None) -> list[PatrolContext]:
    contexts: list[PatrolContext] = []
    ttl = settings["patrol_time_limit"] + LOCK_MARGIN_SECONDS
    for raw in targets:
        target = raw.resolved(settings)
        run = PatrolRun(id=new_run_id(target.name), target=target.name, started_at=utcnow(),
                        trigger=trigger)
        owner = f"{socket.gethostname()}:{os.getpid()}:{run.id}"
        if not store.acquire_lock(lock_name(target.name), owner, ttl):
            holder = store.lock_holder(lock_name(target.name))
            for ctx in contexts:
                store.release_lock(lock_name(ctx.target.name), ctx.lock_owner)
            raise PatrolLocked(target.name, holder)
        use_browser = chromium if target.render != "never" else None
        if chromium is None and target.render != "never":
            logger.warning("Chromium not found: rendering and screenshots are off for %s",
                           target.name)
        from .browser_proxy import bind_proxy_socket

        ctx = PatrolContext(
            settings=settings, target=target, run=run, store=store, analyzer=analyzer,
            guard=(AddressGuard() if "untrusted" in target.tags
                   else AddressGuard.for_start_urls(target.start_urls)), chromium=use_browser,
            proxy_socket=bind_proxy_socket() if use_browser else None, lock_owner=owner)
        store.save_run(run)
        contexts.append(ctx)
    return contexts


def lock_name(target: str) -> str:
    return f"patrol:{target}"


def _watch(crawler: Any, ctx: PatrolContext) -> None:
    from scrapy import signals

    def closed(spider: Any, reason: str) -> None:
        ctx.close_reason = reason
        ctx.stats = dict(crawler.stats.get_stats())

    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)


def _quiet_scrapy_logs(settings: Settings) -> None:
    if settings["log_level"] == "DEBUG":
        return
    for name in ("scrapy", "scrapy-playwright", "twisted", "asyncio", "protego",
                 "filelock", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.WARNING)


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


# Scrapy logs its version banner while the process object is built, before any setting of
# ours can quiet it.
logging.getLogger("scrapy.utils.log").addFilter(_BelowWarning())
logging.getLogger("scrapy.crawler").addFilter(_BelowWarning())


def _finish(store: Any, ctx: PatrolContext, crawler: Any) -> PatrolResult:
    if crawler is not None and crawler.stats.get_stats():
        ctx.stats = dict(crawler.stats.get_stats())  # complete (elapsed time is set last)
    run = ctx.run
    summary = summarize(ctx.stats, chromium=ctx.chromium is not None,
                        wanted_render=ctx.target.render != "never")
    run.ended_at = utcnow()
    run.status = {"finished": "ok", "closespider_timeout": "timeout",
                  "shutdown": "interrupted"}.get(ctx.close_reason, "failed")
    run.exit_code = 0 if run.status == "ok" else 1
    run.pages = summary["pages"]
    run.findings = len(ctx.all_finding_ids)
    run.errors = dict(summary["errors"])
    run.stats = {**summary, "close_reason": ctx.close_reason,
                 "new_findings": len(ctx.new_findings)}
    try:
        store.save_run(run)
    finally:
        store.release_lock(lock_name(ctx.target.name), ctx.lock_owner)
        if ctx.proxy_socket is not None:
            ctx.proxy_socket.close()
    return PatrolResult(target=ctx.target, run=run, summary=run.stats,
                        new_findings=list(ctx.new_findings),
                        evidence_paths=list(ctx.evidence_paths),
                        finding_ids=set(ctx.all_finding_ids))
