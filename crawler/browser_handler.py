"""scrapy-playwright's download handler with a deadline on every rendered request, and one
browser per patrol process.

Scrapy builds one download handler per URL scheme, and scrapy-playwright's is not lazy: with
the same class for `http` and `https`, every patrol started two Chromium processes (measured:
two browser processes for a patrol of http pages only), each with its own page limit. Here
`from_crawler` hands the same handler to both schemes, so one browser renders both, the page
limit is the patrol's, and closing (called once per scheme) closes it once.

scrapy-playwright has no overall timeout: when Chromium dies while pages are open, a request
can wait forever for a page slot of the dead browser context (its pages never report closing),
and the patrol hangs until its time limit. Here each rendered request gets the navigation
timeout plus the render wait plus a margin; past that it fails like any render failure (the
spider reads the page from its static HTML and counts `render_failed`), and the browser,
restarted by scrapy-playwright on disconnection, serves the pages that follow.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

MARGIN_SECONDS = 15
SHARED_ATTR = "_patrol_playwright_handler"   # the crawler's one handler, for every scheme


class RenderDeadlineExceeded(RuntimeError):
    """A rendered request took longer than any healthy render can."""


class PatrolPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        s = crawler.settings
        self.render_deadline = (s.getfloat("DOWNLOAD_TIMEOUT", 30)
                                + s.getfloat("PATROL_RENDER_WAIT", 8) + MARGIN_SECONDS)
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> PatrolPlaywrightHandler:
        shared = getattr(crawler, SHARED_ATTR, None)
        if shared is None:
            shared = cls(crawler)
            setattr(crawler, SHARED_ATTR, shared)
        return shared

    async def close(self) -> None:
        if self._closing is None:
            self._closing = asyncio.ensure_future(super().close())
        await asyncio.shield(self._closing)

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        try:
            return await asyncio.wait_for(super()._download_request(request, spider),
                                          self.render_deadline)
        except TimeoutError:
            raise RenderDeadlineExceeded(
                f"rendering took longer than {self.render_deadline:.0f} s") from None
