"""Scrapy settings of one patrol run, derived from our Settings and the target.

Our settings module is the one source of configuration; this function is the only place that
translates it into Scrapy's vocabulary, so nobody configures the crawler in two places.
"""

from __future__ import annotations

import shutil
from typing import Any

from settings import Settings

from .targets import Target

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# Keep the browser's own traffic on the guard proxy: no UDP side channels, no loopback bypass.
PROXY_ARGS = [
    "--proxy-bypass-list=<-loopback>",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-quic",
]
M = "crawler.middlewares."
P = "crawler.pipelines."
E = "crawler.extensions."


def find_chromium(settings: Settings) -> str | None:
    """The browser binary: the chromium_path setting, else `chromium` on PATH, else None."""
    configured = settings["chromium_path"]
    if configured:
        return configured if shutil.which(configured) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def base_settings(settings: Settings) -> dict[str, Any]:
    """Settings shared by every crawl of the process (reactor and logging)."""
    return {
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": False,   # the patrol command configured logging already
        "LOG_LEVEL": "DEBUG" if settings["log_level"] == "DEBUG" else "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        # one resolver for the guard's check and the connection (crawler/resolver.py)
        "TWISTED_DNS_RESOLVER": "crawler.resolver.GuardedResolver",
        "PATROL_RESOLVE": list(settings["crawl_resolve"]),
        "DNS_TIMEOUT": min(settings["crawl_page_timeout"], 20),
    }


def scrapy_settings(settings: Settings, target: Target, *, chromium: str | None,
                    proxy_port: int | None) -> dict[str, Any]:
    """Scrapy settings for a patrol of `target` (already resolved against the settings)."""
    page_timeout = settings["crawl_page_timeout"]
    render_pages = max(1, settings["crawl_render_pages"])
    values: dict[str, Any] = {
        **base_settings(settings),
        "BOT_NAME": "patrol",
        "USER_AGENT": settings["crawl_user_agent"],
        "ROBOTSTXT_OBEY": bool(target.obey_robots),
        "CONCURRENT_REQUESTS": target.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": target.concurrency,
        # Outputs of one response handled at once. Scrapy starts this many asyncio tasks for
        # every response (default 100); a page yields one item and a few links, so 100 tasks
        # per page were most of the engine's own CPU per page.
        "CONCURRENT_ITEMS": 8,
        "DOWNLOAD_DELAY": target.delay or settings["crawl_delay"],
        "DOWNLOAD_TIMEOUT": page_timeout,
        "DOWNLOAD_MAXSIZE": settings["crawl_max_page_bytes"],
        "DOWNLOAD_WARNSIZE": 0,
        "DEPTH_LIMIT": 0,      # depth is counted by the spider from the start URLs
        "PATROL_DEPTH": target.depth,
        "DEPTH_PRIORITY": 1,   # breadth first: the pages nearest the start matter most
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "RETRY_TIMES": 1,
        "REDIRECT_MAX_TIMES": 10,
        # Scrapy's meta-refresh middleware would replace the page before anything read it: one
        # line of HTML would hide a site. The spider reads the page and follows the refresh.
        "METAREFRESH_ENABLED": False,
        "DNS_TIMEOUT": min(page_timeout, 20),
        "CLOSESPIDER_TIMEOUT": settings["patrol_time_limit"],
        "COOKIES_ENABLED": True,
        "HTTPERROR_ALLOW_ALL": False,
        "MEMUSAGE_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {
            M + "address_guard.AddressGuardMiddleware": 60,
            M + "redirect_guard.RedirectGuardMiddleware": 610,
            # Scrapy's decompression already stops at DOWNLOAD_MAXSIZE (gzip, deflate, br, zstd);
            # ours is the same code that also counts the bombs it stops.
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            M + "size_limit.SizeLimitMiddleware": 590,
            M + "charset.CharsetMiddleware": 560,
            M + "render.RenderIfNeededMiddleware": 550,
        },
        "EXTENSIONS": {
            "scrapy.extensions.logstats.LogStats": None,
            E + "progress.ProgressReporter": 500,
            E + "content_filter.ContentTypeFilter": 510,
            E + "browser_proxy.BrowserProxyExtension": 520,
        },
        "ITEM_PIPELINES": {
            P + "analyze.AnalyzePipeline": 300,
            P + "evidence.EvidencePipeline": 500,
            P + "store.StorePipeline": 700,
        },
        "PATROL_RENDER": target.render,
        "PATROL_SCREENSHOTS": bool(settings["crawl_screenshots"]) and chromium is not None,
        "PATROL_DOM_QUIET_MS": settings["crawl_dom_quiet_ms"],
        "PATROL_RENDER_WAIT": settings["crawl_render_wait"],
        "PATROL_MAX_PAGES": target.max_pages,
        "PATROL_MAX_PER_HOST": settings["crawl_max_pages_per_host"],
        "PATROL_MAX_PER_PATTERN": settings["crawl_max_pages_per_pattern"],
        "PATROL_CHROMIUM": chromium or "",
        # 0: no OCR, so the browser need not look for background images
        "PATROL_OCR_BACKGROUND_AREA": settings["ocr_min_background_area"]
        if settings["ocr_enabled"] else 0,
    }
    if chromium:
        handler = "crawler.browser_handler.PatrolPlaywrightHandler"
        args = list(CHROMIUM_ARGS)
        if proxy_port:
            args += [f"--proxy-server=http://127.0.0.1:{proxy_port}", *PROXY_ARGS]
        values.update({
            "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True,
                                          "args": args},
            "PLAYWRIGHT_CONTEXTS": {"default": {
                "accept_downloads": False,
                "locale": "zh-CN",
                "viewport": {"width": 1280, "height": 900},
                "ignore_https_errors": True,
                "service_workers": "block",
                "java_script_enabled": True,
            }},
            "PLAYWRIGHT_MAX_CONTEXTS": 1,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": render_pages,
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": page_timeout * 1000,
            "PLAYWRIGHT_ABORT_REQUEST": "crawler.browser_guard.abort_unneeded",
        })
    return values


def distributed_settings(values: dict[str, Any]) -> dict[str, Any]:
    """A worker's crawl of a distributed run: the shared frontier schedules, and politeness
    (per-host concurrency and delay) is leased in Redis for all workers, not per process."""
    values = dict(values)
    values["SCHEDULER"] = "crawler.distributed.scheduler.FrontierScheduler"
    values["PATROL_HOST_DELAY"] = values["DOWNLOAD_DELAY"]
    values["DOWNLOAD_DELAY"] = 0
    values["CLOSESPIDER_TIMEOUT"] = 0      # the run's time limit is the run's, not the worker's
    values["DOWNLOADER_MIDDLEWARES"] = {**values["DOWNLOADER_MIDDLEWARES"],
                                        "crawler.distributed.hostslots.HostSlotMiddleware": 950}
    return values
