"""Crawl patrol runs: one Scrapy CrawlerProcess in this process, one crawler per target.

The runs are started (locked, recorded) and finished (recorded, judged, alerted) by the patrol
service (patrols/service.py); this module only crawls them. The Twisted reactor cannot be
restarted, so this runs once per process: `patrol crawl` and `patrol demo` call the service,
the scheduler starts `patrol crawl --target NAME` as a subprocess.
"""

from __future__ import annotations

import logging
from typing import Any

from findings.model import PatrolRun
from settings import Settings

from .address_guard import AddressGuard
from .context import PatrolContext
from .settings import ASYNCIO_REACTOR, base_settings, find_chromium, scrapy_settings
from .targets import Target

logger = logging.getLogger(__name__)


def crawl(settings: Settings, runs: list[tuple[Target, PatrolRun, str]], store: Any, *,
          progress: str = "log", analyzer: Any | None = None) -> list[PatrolContext]:
    """Crawl each (resolved target, started run, lock owner) at once; blocks until all end.

    Returns each run's context with its close reason and final stats (a crawl that never
    started has an empty close reason)."""
    from scrapy.utils.reactor import install_reactor

    install_reactor(ASYNCIO_REACTOR)
    from scrapy.crawler import Crawler, CrawlerProcess

    from .spiders.patrol import PatrolSpider

    if analyzer is None:
        from analyzers import Analyzer

        analyzer = Analyzer.from_settings(settings)
    chromium = find_chromium(settings)
    contexts = [_context(settings, target, run, owner, store, analyzer, chromium)
                for target, run, owner in runs]
    crawlers: list[Any] = []
    try:
        process = CrawlerProcess(base_settings(settings))
        _quiet_scrapy_logs(settings)  # after: CrawlerProcess resets the scrapy loggers
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
        for ctx, crawler in zip(contexts, crawlers + [None] * (len(contexts) - len(crawlers)),
                                strict=True):
            _close(ctx, crawler)
    return contexts


def _context(settings: Settings, target: Target, run: PatrolRun, owner: str, store: Any,
             analyzer: Any, chromium: str | None) -> PatrolContext:
    use_browser = chromium if target.render != "never" else None
    if chromium is None and target.render != "never":
        logger.warning("Chromium not found: rendering and screenshots are off for %s",
                       target.name)
    from .browser_proxy import bind_proxy_socket

    return PatrolContext(
        settings=settings, target=target, run=run, store=store, analyzer=analyzer,
        guard=AddressGuard.for_start_urls(target.start_urls), chromium=use_browser,
        proxy_socket=bind_proxy_socket() if use_browser else None, lock_owner=owner)


def _watch(crawler: Any, ctx: PatrolContext) -> None:
    from scrapy import signals

    def closed(spider: Any, reason: str) -> None:
        ctx.close_reason = reason
        ctx.stats = dict(crawler.stats.get_stats())

    crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)


def _close(ctx: PatrolContext, crawler: Any) -> None:
    if crawler is not None and crawler.stats.get_stats():
        ctx.stats = dict(crawler.stats.get_stats())  # complete (elapsed time is set last)
    if ctx.proxy_socket is not None:
        ctx.proxy_socket.close()


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
