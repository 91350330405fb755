"""Give every text response its real encoding (see crawler.charset): header, meta, detection."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from ..charset import choose_encoding


class CharsetMiddleware:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> CharsetMiddleware:
        if not crawler.settings.get("PATROL_MAX_PAGES"):
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or "playwright" in response.flags:
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        encoding, source = choose_encoding(response.body, content_type)
        request.meta["patrol_charset"] = (encoding, source)
        self.stats.inc_value(f"patrol/charset/{source}/{encoding}")
        return response.replace(encoding=encoding)
