"""The one DNS resolver of a patrol process: every host name is resolved once, judged by the
address policy, and pinned, so the address checked is the address connected to.

Scrapy connects through Twisted's reactor resolver (TWISTED_DNS_RESOLVER); the address guard
middleware asks the same resolver before a request goes out. Because an answer is pinned for
the life of the process, a name that resolves to a public address when checked cannot resolve
to 127.0.0.1 or 169.254.169.254 when connected (DNS rebinding), and a name whose answer
includes a loopback, private, link-local or metadata address is refused at the socket layer
too, not only by the middleware. IP literals are returned as they are (the middleware judges
them, with the start URLs' exemptions). Names the operator typed as start URLs are exempt (the guard's own exemption by
host:port is applied by the middleware).

`crawl_resolve` ("name=address" pairs, like curl --resolve) answers names without DNS: a site
reached through a known address, or a test that controls resolution.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any, ClassVar

from twisted.internet import defer, threads
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from .address_guard import is_blocked_ip, parse_address

MAX_PINNED = 100_000


class BlockedAddressError(DNSLookupError):
    """The name resolves to an address no patrol may reach."""


def parse_overrides(pairs: Sequence[str]) -> dict[str, list[str]]:
    """{"name": [addresses]} from ["name=addr", "name=addr2", ...]; bad entries are errors."""
    table: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, address = str(pair).partition("=")
        name = name.strip().lower().rstrip(".")
        if not sep or not name or parse_address(address.strip()) is None:
            raise ValueError(f"crawl_resolve entry {pair!r} is not name=address")
        table.setdefault(name, []).append(address.strip())
    return table


@implementer(IResolverSimple)
class GuardedResolver:
    exempt_names: ClassVar[set[str]] = set()   # start-URL host names (set by crawler.run)

    def __init__(self, reactor: Any, overrides: dict[str, list[str]], timeout: float) -> None:
        self.reactor = reactor
        self.overrides = overrides
        self.timeout = timeout
        self.pinned: dict[str, str | BaseException] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        s = crawler.settings
        return cls(reactor, parse_overrides(s.getlist("PATROL_RESOLVE")),
                   s.getfloat("DNS_TIMEOUT", 20))

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def lookup(self, name: str) -> list[str]:
        """All IPv4 addresses of `name` (runs in a worker thread)."""
        if name in self.overrides:
            return list(self.overrides[name])
        infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
        return list(dict.fromkeys(info[4][0] for info in infos))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred:  # noqa: N802 - Twisted's interface
        key = name.lower().rstrip(".")
        if parse_address(key) is not None:
            return defer.succeed(key)   # a literal: judged by the middleware (with exemptions)
        pinned = self.pinned.get(key)
        if isinstance(pinned, str):
            return defer.succeed(pinned)
        if isinstance(pinned, BaseException):
            return defer.fail(pinned)
        d = threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(),
                                      self.lookup, key)
        d.addTimeout(self.timeout, self.reactor)
        d.addCallbacks(lambda addresses: self._judge(key, addresses),
                       lambda failure: self._failed(key, failure))
        return d

    def _judge(self, name: str, addresses: list[str]) -> str:
        parsed = [a for a in (parse_address(x) for x in addresses) if a is not None]
        if not parsed:
            raise DNSLookupError(f"{name}: no address")
        if name not in self.exempt_names and any(is_blocked_ip(a) for a in parsed):
            error = BlockedAddressError(f"{name} resolves to a blocked address")
            self._pin(name, error)
            raise error
        self._pin(name, str(parsed[0]))
        return str(parsed[0])

    def _failed(self, name: str, failure: Any) -> Any:
        if failure.check(DNSLookupError):
            return failure
        raise DNSLookupError(f"{name}: {failure.getErrorMessage()}")

    def _pin(self, name: str, answer: str | BaseException) -> None:
        if len(self.pinned) >= MAX_PINNED:
            return   # past the bound, answers are judged each time but no longer remembered
        self.pinned[name] = answer
