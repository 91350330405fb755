"""The patrol spider: robots.txt and sitemaps first, then the target's pages, breadth first.

Discovery: links, `rel=next` pagination, same-site frames, and every URL the sitemaps list
(from robots.txt `Sitemap:` lines and /sitemap.xml), so a page no menu links to is still
patrolled. Every discovered URL is canonicalized and admitted by the frontier (duplicates,
page budget, per-host and per-pattern caps); what is refused is counted by kind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from findings.model import page_id, utcnow

from ..address_guard import BadURL, parse_url
from ..context import PatrolContext
from ..extract import PageContent, extract
from ..failures import classify_failure
from ..frontier import DUPLICATE, Frontier
from ..items import PageItem
from ..skips import SkipRequest, count_error, count_skip
from ..urls import canonical_url, same_site
from .images import ImageReading

logger = logging.getLogger(__name__)

MAX_CRAWL_DELAY = 30.0      # a hostile Crawl-delay cannot stall a patrol
MAX_SITEMAPS = 50
MAX_SITEMAP_BYTES = 20 * 1024 * 1024
UNLIMITED = 1 << 62


class PatrolSpider(ImageReading, scrapy.Spider):
    name = "patrol"

    def __init__(self, patrol: PatrolContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.patrol = patrol
        self.target = patrol.target
        self.sitemaps_seen: set[str] = set()
        self.offsite_seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PatrolSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        if spider.patrol.distributed is not None:
            # Limits hold across workers in the shared frontier (distributed.frontier); here
            # only what this worker already queued is left out.
            spider.frontier = Frontier(max_pages=UNLIMITED, max_per_host=UNLIMITED,
                                       max_per_pattern=UNLIMITED)
        else:
            spider.frontier = Frontier(max_pages=s.getint("PATROL_MAX_PAGES"),
                                       max_per_host=s.getint("PATROL_MAX_PER_HOST"),
                                       max_per_pattern=s.getint("PATROL_MAX_PER_PATTERN"))
        spider.depth_limit = s.getint("PATROL_DEPTH")
        spider.sitemap_budget = max(1, s.getint("PATROL_MAX_PAGES") // 2)
        spider.init_images(spider.patrol.settings)
        return spider

    # -- start: robots.txt of each start host, then sitemaps and start URLs -----------------------
    async def start(self) -> AsyncIterator[Any]:
        self.note_images_off()
        if self.patrol.distributed is not None:
            return  # the run's seeds were queued once, when it was enqueued
        for request in self.seed_requests():
            yield request

    def seed_requests(self) -> Iterator[scrapy.Request]:
        roots: dict[str, list[str]] = {}
        for url in self.target.start_urls:
            parts = urlsplit(url)
            roots.setdefault(f"{parts.scheme}://{parts.netloc}", []).append(url)
        for root, urls in roots.items():
            yield scrapy.Request(root + "/robots.txt", callback=self.parse_robots,
                                 errback=self.robots_failed, dont_filter=True, priority=100,
                                 meta={"patrol_kind": "robots", "patrol_root": root,
                                       "patrol_start": urls, "handle_httpstatus_all": True})

    def parse_robots(self, response: Response) -> Iterator[Any]:
        root = response.meta["patrol_root"]
        sitemaps: list[str] = []
        if response.status == 200 and isinstance(response, TextResponse):
            robots = Protego.parse(response.text[:500_000])
            delay = robots.crawl_delay(self.settings.get("USER_AGENT") or "*")
            if delay:
                self._apply_crawl_delay(response.request, float(delay))
            sitemaps = list(robots.sitemaps)
        yield from self._start_pages(response.meta["patrol_start"])
        if self.target.sitemaps:
            for url in [*sitemaps, root + "/sitemap.xml"]:
                request = self._sitemap_request(urljoin(root + "/", url))
                if request is not None:
                    yield request

    def robots_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        root = request.meta["patrol_root"]
        yield from self._start_pages(request.meta["patrol_start"])
        if self.target.sitemaps:
            request = self._sitemap_request(root + "/sitemap.xml")
            if request is not None:
                yield request

    def _apply_crawl_delay(self, request: scrapy.Request, delay: float) -> None:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        delay = min(delay, MAX_CRAWL_DELAY)
        self.crawler.stats.set_value("patrol/crawl_delay", delay)
        if self.patrol.distributed is not None:
            # One delay for all workers, kept by the host leases (distributed.hostslots); a
            # local one on top would make this worker lag behind its leases.
            self.patrol.distributed.set_crawl_delay(key, delay)
            return
        # Slots are created lazily and collected when idle: set both the live slot and the
        # settings a new slot for this host would be made from.
        # Crawl-delay is a minimum: Scrapy's default randomization (0.5x-1.5x) would go below it.
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0.0)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0

    def _start_pages(self, urls: list[str]) -> Iterator[scrapy.Request]:
        for url in urls:
            canonical = canonical_url(url)
            if self.frontier.admit(canonical, forced=True) is None:
                yield self._page_request(url, canonical, priority=50, depth=0)

    # -- sitemaps ----------------------------------------------------------------------------
    def _sitemap_request(self, url: str) -> scrapy.Request | None:
        canonical = canonical_url(url)
        if canonical in self.sitemaps_seen or len(self.sitemaps_seen) >= MAX_SITEMAPS:
            return None
        if not self._followable(url, count=True):
            return None
        self.sitemaps_seen.add(canonical)
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                              priority=40, meta={"patrol_kind": "sitemap"})

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
            except (OSError, ValueError):
                count_skip(self.crawler.stats, "decompression_bomb", response.url, "sitemap")
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # noqa: BLE001 - not XML: nothing listed
            return
        self.crawler.stats.inc_value("patrol/sitemaps")
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                request = self._sitemap_request(urljoin(response.url, entry.get("loc", "")))
                if request is not None:
                    yield request
            return
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            if not loc or self.sitemap_budget <= 0:
                continue
            url = urljoin(response.url, loc)
            request = self._discovered(url, priority=5, source="sitemap", depth=1)
            if request is not None:
                self.sitemap_budget -= 1
                self.crawler.stats.inc_value("patrol/discovered/sitemap")
                yield request

    def sitemap_failed(self, failure: Failure) -> None:
        self._count_failure(failure, quiet=True)

    # -- pages -------------------------------------------------------------------------------
    def _page_request(self, url: str, canonical: str, priority: int, depth: int) -> \
            scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_failed,
                              priority=priority,
                              meta={"patrol_kind": "page", "patrol_url": canonical,
                                    "patrol_depth": depth})

    def _followable(self, url: str, count: bool = True) -> bool:
        """Scheme, address and site checks of a discovered URL (counted when refused)."""
        reason = self.patrol.guard.check_url(url)
        if reason:
            if count:
                count_skip(self.crawler.stats, reason, url, "link")
            return False
        try:
            hp = parse_url(url)
        except BadURL:
            return False
        if not same_site(hp.host, self.target.allowed_domains) and \
                not self.patrol.guard.is_exempt(*hp.key):
            if count and url not in self.offsite_seen and len(self.offsite_seen) < 100_000:
                self.offsite_seen.add(url)
                count_skip(self.crawler.stats, "offsite", url, "link")
            return False
        return True

    def _discovered(self, url: str, priority: int = 0, source: str = "link",
                    depth: int = 1) -> scrapy.Request | None:
        canonical = canonical_url(url)
        if canonical in self.frontier.seen:
            return None
        if not self._followable(url):
            return None
        reason = self.frontier.admit(canonical)
        if reason is not None:
            if reason != DUPLICATE:
                count_skip(self.crawler.stats, reason, url, source)
            return None
        return self._page_request(canonical, canonical, priority=priority, depth=depth)

    def parse_page(self, response: Response) -> Iterator[Any]:
        self.frontier.mark_seen(canonical_url(response.url))
        if not isinstance(response, TextResponse):
            count_skip(self.crawler.stats, "non_html", response.url)
            return
        static = response.meta.get("patrol_static")
        try:
            if static is None:
                content = response.meta.get("patrol_content") or extract(response.text,
                                                                         response.url)
            else:
                content = extract(response.text, response.url)
            item = self._page_item(response, content, static)
        except Exception as exc:  # noqa: BLE001 - one strange page must not end the patrol
            logger.exception("cannot read %s", response.url)
            count_error(self.crawler.stats, "parse_failed", response.url, repr(exc))
            page = response.meta.get("playwright_page")
            if page is not None:
                self._close_page(page)   # its browser slot would be lost otherwise
            return
        yield item
        depth = response.meta.get("patrol_depth", 0)
        yield from self._image_requests(response, item, content)
        yield from self._follow_refreshes(response, content, depth)
        if depth >= self.depth_limit:
            return
        if content.bad_scheme_links:
            self.crawler.stats.inc_value("patrol/skip/scheme", content.bad_scheme_links)
        for url in content.next_pages:
            request = self._discovered(url, priority=2, source="next", depth=depth + 1)
            if request is not None:
                yield request
        for url in content.frames:
            request = self._discovered(url, priority=1, source="frame", depth=depth + 1)
            if request is not None:
                yield request
        for url in content.links:
            request = self._discovered(url, depth=depth + 1)
            if request is not None:
                yield request

    def _follow_refreshes(self, response: TextResponse, content: PageContent,
                          depth: int) -> Iterator[scrapy.Request]:
        """Follow where the page sends its visitors (meta refresh, <noscript> refresh, a script
        changing `location` while it rendered) as an ordinary link, after the page itself was
        read: the refresh never replaces the page. A zero-delay refresh within the site is a
        redirect and keeps the page's depth; any other is a link one level deeper."""
        targets = [(r.url, r.delay) for r in content.refreshes]
        targets += [(url, 0.0) for url in response.meta.get("patrol_navigations", ())]
        seen: set[str] = set()
        for url, delay in targets:
            if url in seen:
                continue
            seen.add(url)
            self.crawler.stats.inc_value("patrol/refreshes")
            try:
                redirect_like = delay == 0 and same_site(
                    parse_url(url).host, [parse_url(response.url).host])
            except BadURL:
                redirect_like = False
            next_depth = depth if redirect_like else depth + 1
            if next_depth > self.depth_limit:
                continue
            request = self._discovered(url, priority=3, source="refresh", depth=next_depth)
            if request is not None:
                yield request

    def _page_item(self, response: TextResponse, content: PageContent,
                   static: dict[str, Any] | None) -> PageItem:
        now = utcnow()
        canonical = response.meta.get("patrol_url") or canonical_url(response.url)
        if static is not None:
            body, status, final_url = static["body"], static["status"], static["url"]
            headers = static["headers"]
            encoding, charset_source = static["encoding"], static["charset_source"]
        else:
            body, status, final_url = response.body, response.status, response.url
            headers = response.headers.to_unicode_dict()
            encoding, charset_source = response.meta.get(
                "patrol_charset", (response.encoding, "header"))
        self.crawler.stats.inc_value("patrol/pages")
        self.crawler.stats.inc_value("patrol/bytes", len(body))
        rendered = static is not None
        return PageItem(
            url=canonical, final_url=final_url, status=status,
            headers={k: [v] if isinstance(v, str) else list(v) for k, v in dict(headers).items()},
            body=body, captured_at=now, content_hash=hashlib.sha256(body).hexdigest(),
            encoding=encoding, charset_source=charset_source, title=content.title,
            text=content.analysis_text(), footer_text=content.footer_text,
            host=parse_url(final_url).host, depth=response.meta.get("patrol_depth", 0),
            rendered=rendered, render_reason=response.meta.get("patrol_render_reason", ""),
            rendered_html=response.text if rendered else None,
            page_id=page_id(self.patrol.run.id, canonical),
            live_page=response.meta.get("playwright_page"),
            wire=response.meta.get("patrol_wire"),
            hops=list(response.meta.get("patrol_hops") or []),
            render_loaded_at=now if rendered else None,
        )

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        static = request.meta.get("patrol_static")
        page = request.meta.get("playwright_page")
        if page is not None:
            self._close_page(page)
        if static is not None and not failure.check(IgnoreRequest):
            # The render failed: read the page from its static HTML rather than lose it.
            count_error(self.crawler.stats, "render_failed", request.url,
                        str(failure.value)[:200])
            response = HtmlResponse(url=static["url"], status=static["status"],
                                    body=static["body"], encoding=static["encoding"],
                                    headers=static["headers"], request=request)
            content = extract(response.text, response.url)
            item = self._page_item(response, content, None)
            item.charset_source = static["charset_source"]
            yield item
            # a page whose render hung (an image that never ends) still has its pictures read
            yield from self._image_requests(response, item, content)
            return
        self._count_failure(failure)

    def _count_failure(self, failure: Failure, quiet: bool = False) -> None:
        if failure.check(SkipRequest):
            return  # counted where it was raised
        if failure.check(StopDownload):
            return  # counted by the content filter
        category, kind = classify_failure(failure)
        url = failure.request.url if hasattr(failure, "request") else ""
        if category == "skip":
            count_skip(self.crawler.stats, kind, url, str(failure.value)[:200])
        elif not quiet or kind not in ("http_404",):
            count_error(self.crawler.stats, kind, url, str(failure.value)[:200])

    def _close_page(self, page: Any) -> None:
        import asyncio

        from twisted.internet.defer import Deferred

        try:
            if not page.is_closed():
                closing = Deferred.fromFuture(asyncio.ensure_future(page.close()))
                closing.addErrback(lambda _: None)
        except Exception:  # noqa: BLE001 - closing a dead page
            pass
