"""scrapy-playwright's download handler with a deadline on every rendered request.

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


class RenderDeadlineExceeded(RuntimeError):
    """A rendered request took longer than any healthy render can."""


class PatrolPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        s = crawler.settings
        self.render_deadline = (s.getfloat("DOWNLOAD_TIMEOUT", 30)
                                + s.getfloat("PATROL_RENDER_WAIT", 8) + MARGIN_SECONDS)

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        try:
            return await asyncio.wait_for(super()._download_request(request, spider),
                                          self.render_deadline)
        except TimeoutError:
            raise RenderDeadlineExceeded(
                f"rendering took longer than {self.render_deadline:.0f} s") from None
