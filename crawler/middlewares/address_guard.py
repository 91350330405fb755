"""Refuse requests to addresses a patrol must never reach, and requests that left the target.

Every request passes here, including redirects and meta refreshes: a scheme other than http(s),
a malformed authority, a loopback/private/link-local/metadata address (literal, in an integer
form, or what the host name resolves to) or a host outside the target's domains. The target's
own start hosts are exempt for exactly their host:port (see address_guard.AddressGuard).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from ..address_guard import BadURL, parse_address, parse_url
from ..context import PatrolContext, context_of
from ..resolver import BlockedAddressError
from ..skips import skip
from ..urls import same_site


class AddressGuardMiddleware:
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        self.stats = crawler.stats
        self.guard = ctx.guard
        self.allowed_domains = ctx.target.allowed_domains

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressGuardMiddleware:
        ctx = context_of(crawler)
        if ctx is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler, ctx)

    async def process_request(self, request: Request) -> None:
        url = request.url
        reason = self.guard.check_url(url)
        if reason:
            raise skip(self.stats, reason, url)
        hp = parse_url(url)
        # a page's images may come from any public host (CDNs): the address rules still apply
        offsite_ok = request.meta.get("patrol_kind") == "image"
        if not offsite_ok and not same_site(hp.host, self.allowed_domains) and \
                not self.guard.is_exempt(*hp.key):
            raise skip(self.stats, "offsite", url)
        if hp.ip is not None or self.guard.is_exempt(*hp.key):
            return None
        try:
            address = await self._resolve(hp.host)
        except BlockedAddressError:
            raise skip(self.stats, "blocked_address", url,
                       "host name resolves to a blocked address") from None
        except Exception:  # noqa: BLE001 - the download fails with its own DNS error
            return None
        parsed = parse_address(address)
        reason = self.guard.check_addresses(hp, [parsed] if parsed else [])
        if reason:
            raise skip(self.stats, reason, url, "host name resolves to a blocked address")
        return None

    async def _resolve(self, host: str) -> str:
        """The address the connection will use: the reactor's resolver (crawler.resolver),
        which pins each answer, so what is checked here is what is connected to."""
        from twisted.internet import reactor

        return await maybe_deferred_to_future(reactor.resolve(host))


def host_port(url: str) -> tuple[str, int] | None:
    try:
        return parse_url(url).key
    except BadURL:
        return None
