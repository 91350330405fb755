"""Refuse downloads and non-page bodies as soon as their headers arrive.

A patrol reads web pages; an attachment (Content-Disposition: attachment), an installer or a
video a page links to is neither fetched nor stored. Stopping at the headers (Scrapy's
headers_received signal, StopDownload) saves the bandwidth and the time. robots.txt and
sitemaps are exempt (text/plain, XML, gzip).
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured, StopDownload

from ..context import context_of
from ..skips import count_skip

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")


class ContentTypeFilter:
    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ContentTypeFilter:
        if context_of(crawler) is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler)

    def headers_received(self, headers: Any, body_length: int, request: Any, spider: Any) -> None:
        if request.meta.get("patrol_kind") != "page" or request.meta.get("playwright"):
            return
        disposition = headers.get(b"Content-Disposition", b"").decode("latin-1").lower()
        if disposition.startswith("attachment"):
            count_skip(self.stats, "download", request.url, disposition[:80])
            raise StopDownload(fail=True)
        content_type = headers.get(b"Content-Type", b"").decode("latin-1").lower()
        media = content_type.split(";", 1)[0].strip()
        if media and not media.startswith(PAGE_TYPES):
            kind = "download" if media in ("application/octet-stream",
                                           "application/vnd.android.package-archive",
                                           "application/x-msdownload", "application/zip") \
                else "non_html"
            count_skip(self.stats, kind, request.url, media)
            raise StopDownload(fail=True)
