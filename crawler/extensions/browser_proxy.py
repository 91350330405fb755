"""Start and stop the browser's guard proxy with the crawl (see crawler.browser_proxy)."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from ..browser_proxy import GuardProxy
from ..context import context_of
from ..skips import count_skip


class BrowserProxyExtension:
    def __init__(self, crawler: Any, proxy: GuardProxy) -> None:
        self.proxy = proxy
        crawler.signals.connect(self.start, signal=signals.engine_started)
        crawler.signals.connect(self.stop, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrowserProxyExtension:
        ctx = context_of(crawler)
        if ctx is None or ctx.proxy_socket is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        stats = crawler.stats

        def blocked(kind: str, url: str) -> None:
            count_skip(stats, kind, url, "in-browser request")

        return cls(crawler, GuardProxy(ctx.guard, ctx.proxy_socket, on_block=blocked,
                                       timeout=crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 30)))

    async def start(self) -> None:
        await self.proxy.start()

    async def stop(self) -> None:
        await self.proxy.close()
