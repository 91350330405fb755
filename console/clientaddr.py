"""The address of the person asking, seen through the reverse proxies the city trusts.

Behind a reverse proxy every request comes from the proxy's address, so throttling by address
would put every officer in one bucket. A proxy named in `console_trusted_proxies` may name the
client in X-Forwarded-For; the header is read from the right, skipping trusted proxies, so a
client cannot pick its own address by sending the header itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(addr: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(remote_addr: str | None, forwarded_for: str | None,
                   trusted_proxies: Iterable[str]) -> str:
    """The client's address: `remote_addr`, or, when that is a trusted proxy, the nearest
    untrusted address its X-Forwarded-For chain names."""
    addr = remote_addr or "-"
    networks = _networks(tuple(trusted_proxies))
    if not networks or not forwarded_for or not _trusted(addr, networks):
        return addr
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return addr  # a malformed header: keep the proxy's address, never invent one
    return hops[0] if hops else addr


def request_address(request: Any, trusted_proxies: Iterable[str]) -> str:
    """`client_address` of a Flask/Werkzeug request: what login throttling and the public tip
    page's rate limit count by."""
    return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                          trusted_proxies)


def check_networks(entries: Iterable[str]) -> None:
    """Raise ValueError naming the first entry that is not an address or network."""
    for entry in entries:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError as exc:
            raise ValueError(f"console_trusted_proxies: {entry!r} is not an address or network") from exc
