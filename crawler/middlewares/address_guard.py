"""Refuse requests to addresses a patrol must never reach, and requests that left the target.

Every request passes here, including redirects and meta refreshes: a scheme other than http(s),
a malformed authority, a loopback/private/link-local/metadata address (literal, in an integer
form, or what the host name resolves to) or a host outside the target's domains. The target's
own start hosts are exempt for exactly their host:port (see address_guard.AddressGuard).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from ..address_guard import BadURL, parse_address, parse_url
from ..context import PatrolContext, context_of
from ..skips import skip
from ..urls import same_site

_DNS_CACHE_SIZE = 4096


class AddressGuardMiddleware:
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        self.stats = crawler.stats
        self.guard = ctx.guard
        self.allowed_domains = ctx.target.allowed_domains
        self.dns_timeout = crawler.settings.getfloat("DNS_TIMEOUT", 20)
        self._resolved: dict[tuple[str, int], list[Any]] = {}

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
        addresses = await self._resolve(hp.host, hp.port)
        reason = self.guard.check_addresses(hp, addresses)
        if reason:
            raise skip(self.stats, reason, url, "host name resolves to a blocked address")
        return None

    async def _resolve(self, host: str, port: int) -> list[Any]:
        key = (host, port)
        if key in self._resolved:
            return self._resolved[key]
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), self.dns_timeout)
        except (TimeoutError, OSError, UnicodeError):
            return []  # the download fails with its own DNS error, counted there
        addresses = [a for a in (parse_address(info[4][0]) for info in infos) if a is not None]
        if len(self._resolved) > _DNS_CACHE_SIZE:
            self._resolved.clear()
        self._resolved[key] = addresses
        return addresses


def host_port(url: str) -> tuple[str, int] | None:
    try:
        return parse_url(url).key
    except BadURL:
        return None
