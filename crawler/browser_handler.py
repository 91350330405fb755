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

A page whose script starts a download while it loads (a hidden link clicked to push an APK)
rendered all the same: the patrol's page hook refuses and counts the download, but
scrapy-playwright also listens for downloads during navigation and, when the refused one
reports its failure before the page's content is read (a race, about one load in six here),
fails the whole render with "Failed to download". Here a navigation that returned a page
keeps the page; only a navigation that is itself a download is handled as one.
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

    async def _get_response_and_download(self, request: Any, page: Any,
                                         spider: Any) -> tuple[Any, Any]:
        response, download = await super()._get_response_and_download(request, page, spider)
        if response is not None and download is not None and not download.body:
            return response, None   # a download the page's script started, refused elsewhere
        return response, download

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        try:
            return await asyncio.wait_for(super()._download_request(request, spider),
                                          self.render_deadline)
        except TimeoutError:
            raise RenderDeadlineExceeded(
                f"rendering took longer than {self.render_deadline:.0f} s") from None
