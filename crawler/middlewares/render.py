"""Render a page in Chromium when its static HTML does not carry its text.

After the static fetch (which went through the address guard, the size and bomb limits and the
charset fix), `auto` asks render_detect whether the page is script-built; `always` renders
every HTML page. The render is a second request for the final URL through scrapy-playwright,
carrying the static response along (its raw body is the evidence; if rendering fails, the page
is still analysed from it). Without Chromium nothing is rendered and each page that needed it
is counted as `render_unavailable`.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response

from ..browser_page import collect_backgrounds, init_page, wait_dom_quiet
from ..context import context_of
from ..extract import extract
from ..render_detect import render_reason
from ..skips import count_skip


class RenderIfNeededMiddleware:
    def __init__(self, crawler: Any) -> None:
        s = crawler.settings
        self.stats = crawler.stats
        self.mode = s.get("PATROL_RENDER", "auto")
        self.available = bool(s.get("PATROL_CHROMIUM"))
        self.quiet_ms = s.getint("PATROL_DOM_QUIET_MS", 500)
        self.deadline_ms = s.getint("PATROL_RENDER_WAIT", 8) * 1000
        self.background_area = s.getint("PATROL_OCR_BACKGROUND_AREA", 0)
        self._warned = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderIfNeededMiddleware:
        if context_of(crawler) is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("playwright"):
            if request.meta.get("patrol_kind") == "page":
                self.stats.inc_value("patrol/rendered")
            return response
        if (request.meta.get("patrol_kind") != "page" or self.mode == "never"
                or not isinstance(response, HtmlResponse) or response.status != 200):
            return response
        content = extract(response.text, response.url)
        request.meta["patrol_content"] = content
        reason = "always" if self.mode == "always" else render_reason(response.text, content)
        if not reason:
            return response
        if not self.available:
            count_skip(self.stats, "render_unavailable", response.url, reason)
            return response
        self.stats.inc_value(f"patrol/render_reason/{reason}")
        return self.render_request(request, response, reason)

    def render_request(self, request: Request, response: Response, reason: str) -> Request:
        encoding, source = request.meta.get("patrol_charset", (response.encoding, "header"))
        meta = {k: v for k, v in request.meta.items() if not k.startswith("patrol_content")}
        meta.update({
            "playwright": True,
            "playwright_include_page": True,
            "playwright_page_init_callback": init_page,
            "playwright_page_methods": [],
            "patrol_render_reason": reason,
            "patrol_download_counter": lambda url: count_skip(self.stats, "download", url),
            "patrol_static": {
                "url": response.url, "status": response.status, "body": response.body,
                "headers": response.headers.to_unicode_dict(), "encoding": encoding,
                "charset_source": source,
            },
        })
        from scrapy_playwright.page import PageMethod

        meta["playwright_page_methods"] = [
            PageMethod(wait_dom_quiet, self.quiet_ms, self.deadline_ms)]
        if self.background_area:
            meta["playwright_page_methods"].append(
                PageMethod(collect_backgrounds, self.background_area))
        return request.replace(url=response.url, meta=meta, dont_filter=True,
                               priority=request.priority + 1)
