"""Look at a redirect before Scrapy follows it: loops, foreign schemes, blocked addresses and
other sites end here, counted by kind.

Runs just outside RedirectMiddleware (higher priority number, so it sees the 3xx response
first). Scrapy's own duplicate filter would drop a looping redirect silently; here the loop is
recognised (the target is already in the chain, or the chain is too long) and counted.

A redirect that is followed is kept as evidence: the 3xx exchange as received (headers, and at
most MAX_HOP_BODY bytes of its body) goes into `request.meta["patrol_hops"]`, which Scrapy
copies into the redirected request, so the page's capture holds the whole chain (how a
visitor was sent from the advertised address to the page that says it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from w3lib.url import safe_url_string

from findings.model import to_iso, utcnow

from ..address_guard import ALLOWED_SCHEMES, BadURL, parse_url
from ..context import PatrolContext, context_of
from ..skips import skip
from ..urls import canonical_url, same_site
from .size_limit import wire_of

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_HOP_BODY = 64 * 1024   # a redirect's body is a line of HTML; a hostile one is cut here


def hop_of(request: Request, response: Response) -> dict[str, Any]:
    """The redirect exchange as received, for the page's WARC capture."""
    hop = wire_of(request, response)
    hop["truncated"] = len(hop["body"]) > MAX_HOP_BODY
    hop["body"] = hop["body"][:MAX_HOP_BODY]
    hop["at"] = to_iso(utcnow())
    return hop


class RedirectGuardMiddleware:
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        self.stats = crawler.stats
        self.guard = ctx.guard
        self.allowed_domains = ctx.target.allowed_domains
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES", 10)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedirectGuardMiddleware:
        ctx = context_of(crawler)
        if ctx is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler, ctx)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        raw = location.decode("latin-1").strip()
        scheme = raw.split(":", 1)[0].lower() if ":" in raw.split("/", 1)[0] else ""
        if scheme and scheme not in ALLOWED_SCHEMES:
            raise skip(self.stats, "scheme", request.url, f"redirect to {raw[:80]}")
        target = safe_url_string(urljoin(request.url, raw.replace("\\", "/")))
        reason = self.guard.check_url(target)
        if reason:
            raise skip(self.stats, reason, request.url, f"redirect to {target[:120]}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonical_url(target) in {canonical_url(u) for u in chain}:
            raise skip(self.stats, "redirect_loop", request.url, f"back to {target[:120]}")
        if len(chain) > self.max_redirects:
            raise skip(self.stats, "redirect_loop", request.url, f"{len(chain)} redirects")
        try:
            hp = parse_url(target)
        except BadURL:
            raise skip(self.stats, "malformed_url", request.url, target[:120]) from None
        if not same_site(hp.host, self.allowed_domains) and not self.guard.is_exempt(*hp.key):
            raise skip(self.stats, "offsite", request.url, f"redirect to {target[:120]}")
        if request.meta.get("patrol_kind") == "page" and not request.meta.get("playwright"):
            request.meta["patrol_hops"] = [*request.meta.get("patrol_hops", ()),
                                           hop_of(request, response)]
        return response
