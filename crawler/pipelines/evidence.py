"""Keep the evidence of every fetched page, so an officer can later prove what the page said
and when: a WARC capture (request, response as received, rendered DOM, metadata; see
evidence/warc.py) in the run's WARC file, and for high-severity findings a full-page screenshot
(in the WARC and as a content-addressed blob). The screenshot of a rendered page comes from the
same browser load as its DOM; a page fetched without the browser is loaded a second time only
to be photographed, and its metadata says so and when. The browser page of a rendered item is
closed here.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from findings.model import utcnow

from ..browser_page import init_page, screenshot, wait_dom_quiet
from ..context import PatrolContext, context_of
from ..evidence import CaptureWriter, shot_info
from ..items import PageItem
from ..skips import count_error

logger = logging.getLogger(__name__)


class EvidencePipeline:
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.ctx = ctx
        self.capture = ctx.settings["evidence_capture"]
        self.listed: set[str] = set()
        self.writer = CaptureWriter(ctx.settings, ctx.target.name, ctx.run.id)
        self.screenshots = crawler.settings.getbool("PATROL_SCREENSHOTS")
        self.quiet_ms = crawler.settings.getint("PATROL_DOM_QUIET_MS", 500)
        self.deadline_ms = crawler.settings.getint("PATROL_RENDER_WAIT", 8) * 1000

    @classmethod
    def from_crawler(cls, crawler: Any) -> EvidencePipeline:
        ctx = context_of(crawler)
        if ctx is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler, ctx)

    def close_spider(self) -> None:
        if self.capture == "off":
            return
        try:
            self.writer.close()
        except Exception as exc:  # noqa: BLE001 - the run's findings are stored already
            logger.exception("closing the run's WARC file failed")
            count_error(self.stats, "evidence_failed", "", repr(exc))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        if self.capture == "off" or (self.capture == "findings"
                                     and not (item.findings or item.site_findings)):
            await self._close(item)
            return item
        try:
            shot, info, skips = None, {}, []
            # an image read by OCR is its own evidence (kept byte for byte): no screenshot
            if self.screenshots and item.record_kind == "page" and any(
                    f.severity == "high" for f in [*item.findings, *item.site_findings]):
                shot, info, skips = await self._screenshot(item)
            started = time.perf_counter()
            item.evidence = self.writer.write(item, shot, info, skips)
            # what writing the capture costs the patrol (reported in the run's summary)
            self.stats.inc_value("patrol/evidence_seconds", time.perf_counter() - started)
            for e in item.evidence:   # a run's WARC file holds many pages: list it once
                if e["path"] not in self.listed:
                    self.listed.add(e["path"])
                    self.ctx.evidence_paths.append(e["path"])
            self.stats.inc_value("patrol/evidence_pages")
        except Exception as exc:  # noqa: BLE001 - a full disk must not lose the findings
            logger.exception("evidence failed for %s", item.url)
            count_error(self.stats, "evidence_failed", item.url, repr(exc))
        finally:
            await self._close(item)
        return item

    async def _screenshot(self, item: PageItem) -> tuple[bytes | None, dict[str, Any], list[str]]:
        same_load = item.live_page is not None and not item.live_page.is_closed()
        try:
            if same_load:
                data = await screenshot(item.live_page)
            else:
                data = await self._fetch_screenshot(item.final_url)
        except Exception as exc:  # noqa: BLE001 - no screenshot is better than no evidence
            count_error(self.stats, "screenshot_failed", item.url, repr(exc)[:200])
            return None, {}, ["screenshot_failed"]
        if data:
            self.stats.inc_value("patrol/screenshots")
        return data, shot_info(item, utcnow() if data else None, same_load), []

    async def _fetch_screenshot(self, url: str) -> bytes | None:
        """Render a page that was fetched without the browser, only to photograph it."""
        from scrapy_playwright.page import PageMethod

        shot = PageMethod(screenshot)
        request = Request(url, dont_filter=True, meta={
            "playwright": True, "patrol_kind": "screenshot",
            "playwright_page_init_callback": init_page,
            "playwright_page_methods": [PageMethod(wait_dom_quiet, self.quiet_ms,
                                                   self.deadline_ms), shot],
        })
        await self.crawler.engine.download_async(request)
        return shot.result

    async def _close(self, item: PageItem) -> None:
        page, item.live_page = item.live_page, None
        if page is not None:
            try:
                await page.close()
            except Exception:  # noqa: BLE001 - already gone
                pass
