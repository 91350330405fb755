"""URL canonical forms: one name per page, and a coarse shape per URL family.

A canonical URL (lower-case host, no default port, no fragment, sorted query, no session or
tracking parameters) is the page's identity in the store and the duplicate filter, so that
`?PHPSESSID=...` variations of one page are one page. The path pattern (numbers and hex ids
folded, query values dropped) groups the endless families a trap site generates (calendars,
`?page=N`, `/item/123`) so the frontier can cap them.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from .address_guard import DEFAULT_PORTS

# Query parameters that identify a visitor or a campaign, never a page.
SESSION_PARAMS = frozenset({
    "sid", "sessid", "sessionid", "session_id", "session", "phpsessid", "jsessionid",
    "aspsessionid", "cfid", "cftoken", "zenid", "osCsid".lower(), "s_id", "token_session",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "spm",
    "fbclid", "gclid", "_t", "timestamp", "ts", "rand", "random", "nocache",
})
_SESSION_PREFIXES = ("aspsessionid", "utm_")
# ;jsessionid=... path parameters (Java servlets), and their cousins.
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)
_NUMBER = re.compile(r"\d+")
_HEXID = re.compile(r"(?<![0-9a-z])[0-9a-f]{8,}(?![0-9a-z])", re.I)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def is_session_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in SESSION_PARAMS or lowered.startswith(_SESSION_PREFIXES)


def canonical_url(url: str) -> str:
    """The page identity of `url` (see module doc). Non-http(s) URLs are returned unchanged."""
    url = _PATH_SESSION.sub("", url.strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_session_param(k)]
    host = (parts.hostname or "").rstrip(".").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def path_pattern(url: str) -> str:
    """Shape of a URL family: host, path with numbers and ids folded, sorted query names."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = _UUID.sub("U", parts.path)
    path = _HEXID.sub("H", path)
    path = _NUMBER.sub("N", path)
    names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    shape = f"{(parts.hostname or '').lower()}{quote(path, safe='/NHU')}"
    return shape + ("?" + "&".join(names) if names else "")


def same_site(host: str, allowed_domains: list[str]) -> bool:
    """True when `host` is one of the allowed domains or a subdomain of one."""
    host = host.rstrip(".").lower()
    return any(host == d or host.endswith("." + d) for d in allowed_domains)
