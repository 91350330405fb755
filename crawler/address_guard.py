"""Which URLs a patrol may fetch: http(s) only, and never loopback, private, link-local or
cloud-metadata addresses, unless the operator typed exactly that host:port as a start URL.

Crawled pages are attacker-controlled, so a link, a redirect or a script on a patrolled site
must not make the patrol reach into the machine or network it runs on (SSRF). Hosts are parsed
the way browsers parse them (WHATWG URL): a backslash counts as a slash, and integer, octal and
hex IPv4 forms (http://2130706433/, http://0177.0.0.1/, http://0x7f.1/) are addresses.

`check_url` is pure (no DNS); `check_resolved` also looks at the addresses a host name resolves
to, which is what the downloader middleware and the browser proxy use.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Names that reach cloud metadata services or the local machine without looking like an address.
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "metadata.azure.com",
    "instance-data", "instance-data.ec2.internal", "metadata.tencentyun.com",
    "metadata.platformequinix.com", "localhost", "localhost.localdomain", "ip6-localhost",
    "ip6-loopback",
})
METADATA_SUFFIXES = (".localhost", ".internal")

# Reasons, also the skip kinds counted in the crawl summary.
SCHEME = "scheme"
MALFORMED = "malformed_url"
BLOCKED = "blocked_address"


class BadURL(ValueError):
    """The URL cannot be parsed into scheme, host and port."""


@dataclass(frozen=True)
class HostPort:
    scheme: str
    host: str          # lower case, no trailing dot; an IP address in its canonical form
    port: int
    ip: IPAddress | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.host, self.port)


def parse_ipv4_whatwg(host: str) -> ipaddress.IPv4Address | None:
    """IPv4 address of `host` as a browser reads it (1-4 parts, decimal/octal/hex), else None.

    Raises BadURL for a host that ends in a number but is not a valid address, as browsers
    refuse those too (http://1.2.3.4.5/).
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or not _is_number(parts[-1]):
        return None  # a domain name
    if len(parts) > 4:
        raise BadURL(f"invalid IPv4 host {host!r}")
    numbers: list[int] = []
    for part in parts:
        value = _parse_number(part)
        if value is None:
            raise BadURL(f"invalid IPv4 host {host!r}")
        numbers.append(value)
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise BadURL(f"IPv4 host out of range {host!r}")
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


def _is_number(part: str) -> bool:
    return _parse_number(part) is not None


def _parse_number(part: str) -> int | None:
    if part == "":
        return None
    base, digits = 10, part
    if part[:2].lower() == "0x":
        base, digits = 16, part[2:]
    elif len(part) > 1 and part[0] == "0":
        base, digits = 8, part[1:]
    if digits == "":
        return 0
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None


def parse_url(url: str) -> HostPort:
    """Scheme, normalized host and port of `url`, as a browser would connect."""
    text = url.strip()
    if any(ord(c) < 0x20 for c in text):
        raise BadURL("control character in URL")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme in ALLOWED_SCHEMES:
        # WHATWG: in special schemes a backslash is a path separator, even in the authority.
        text = text.replace("\\", "/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BadURL(str(exc)) from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme in ALLOWED_SCHEMES and not host:
        raise BadURL("URL has no host")
    if any(c in host for c in " %<>^|"):
        raise BadURL(f"invalid character in host {host!r}")
    ip: IPAddress | None = None
    if ":" in host:
        try:
            ip = ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise BadURL(f"invalid IPv6 host {host!r}") from None
    elif host:
        ip = parse_ipv4_whatwg(host)
    if ip is not None:
        host = str(ip)
    return HostPort(scheme, host, port or DEFAULT_PORTS.get(scheme, 0), ip)


def is_blocked_ip(ip: IPAddress) -> bool:
    """True for every address that is not a public unicast address (and for embedded ones)."""
    if isinstance(ip, ipaddress.IPv6Address):
        for embedded in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None):
            if embedded is not None and is_blocked_ip(embedded):
                return True
        if ip in _NAT64:  # 64:ff9b::a.b.c.d reaches a.b.c.d through a NAT64 gateway
            return is_blocked_ip(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    # is_global is False for 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10, ::1,
    # fc00::/7, fe80::/10, documentation and reserved ranges; multicast is never a web server.
    return not ip.is_global or ip.is_multicast


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_blocked_name(host: str) -> bool:
    return host in METADATA_HOSTS or host.endswith(METADATA_SUFFIXES)


@dataclass
class AddressGuard:
    """The policy of one patrol run: which exact host:port pairs are exempt."""

    allowed: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def for_start_urls(cls, start_urls: Iterable[str]) -> AddressGuard:
        """Exempt each start URL's exact host:port when it is on a blocked address or name:
        the operator typed it, so a patrol of an intranet or a local demo site works."""
        allowed: set[tuple[str, int]] = set()
        for url in start_urls:
            try:
                hp = parse_url(url)
            except BadURL:
                continue
            allowed.add(hp.key)
        return cls(allowed)

    def check_url(self, url: str) -> str | None:
        """Reason the URL may not be fetched (scheme, malformed_url, blocked_address) or None.

        Without DNS: a host name is judged by its name only; see check_resolved.
        """
        try:
            hp = parse_url(url)
        except BadURL:
            return MALFORMED
        if hp.scheme not in ALLOWED_SCHEMES:
            return SCHEME
        if hp.key in self.allowed:
            return None
        if hp.ip is not None and is_blocked_ip(hp.ip):
            return BLOCKED
        if hp.ip is None and is_blocked_name(hp.host):
            return BLOCKED
        return None

    def check_addresses(self, hp: HostPort, addresses: Iterable[IPAddress]) -> str | None:
        """Reason to refuse a host whose name resolved to `addresses` (any blocked one blocks)."""
        if hp.key in self.allowed:
            return None
        if any(is_blocked_ip(a) for a in addresses):
            return BLOCKED
        return None

    def is_exempt(self, host: str, port: int) -> bool:
        return (host, port) in self.allowed


def parse_address(text: str) -> IPAddress | None:
    """An address as returned by getaddrinfo (IPv6 may carry a %scope)."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
