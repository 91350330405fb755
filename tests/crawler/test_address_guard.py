"""The address guard as a function: no DNS, no traffic; every form a hostile page may use."""

from __future__ import annotations

import ipaddress

import pytest

from crawler.address_guard import AddressGuard, BadURL, is_blocked_ip, parse_url

GUARD = AddressGuard()


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/", "http://10.255.255.255:8080/x", "http://172.16.0.1/",
    "http://172.31.255.254/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/", "http://100.100.100.200/", "http://127.0.0.1/", "http://127.8.9.10/",
    "http://0.0.0.0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://[fc00::1]/",
    "http://[64:ff9b::a00:1]/",
    "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f000001/",
    "http://127.1/", "http://017700000001/", "http://10.1/", "http://3232235777/",
    "http://127.0.0.1./", "http://LOCALHOST/", "http://localhost:8080/", "http://foo.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/", "http://metadata/",
    "http://instance-data/", "http://whatever.internal/",
    "http://127.0.0.1\\@example.com/",
    "http://user:pass@127.0.0.1/", "https://192.168.0.1:443/",
])
def test_blocked(url: str) -> None:
    assert GUARD.check_url(url) == "blocked_address"


@pytest.mark.parametrize("url", [
    "http://example.com/", "https://www.example.cn/path?q=1", "http://93.184.216.34/",
    "http://[2001:4860:4860::8888]/", "http://8.8.8.8:8080/", "http://example.com@8.8.8.8/",
    # the backslash ends the authority: this goes to example.com, path /@127.0.0.1/
    "http://example.com\\@127.0.0.1/",
])
def test_public_allowed(url: str) -> None:
    assert GUARD.check_url(url) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/html,x", "ftp://example.com/",
                                 "gopher://127.0.0.1/", "javascript:alert(1)"])
def test_other_schemes(url: str) -> None:
    assert GUARD.check_url(url) == "scheme"


@pytest.mark.parametrize("url", ["http://1.2.3.4.5/", "http://256.1.1.1/", "http://[::1/",
                                 "http://0x100000000/", "http://exa mple.com/"])
def test_malformed(url: str) -> None:
    assert GUARD.check_url(url) == "malformed_url"


def test_integer_forms_parse_like_a_browser() -> None:
    assert parse_url("http://2130706433/").host == "127.0.0.1"
    assert parse_url("http://0177.0.0.1/").host == "127.0.0.1"
    assert parse_url("http://0x7f.1/").host == "127.0.0.1"
    assert parse_url("http://127.1:81/").key == ("127.0.0.1", 81)
    assert parse_url("https://Example.COM./").key == ("example.com", 443)
    # a backslash ends the authority in http(s), as in browsers and w3lib
    assert parse_url("http://127.0.0.1\\@example.com/").host == "127.0.0.1"
    with pytest.raises(BadURL):
        parse_url("http://1.2.3.4.5/")


def test_start_url_exempts_exactly_its_host_and_port() -> None:
    guard = AddressGuard.for_start_urls(["http://127.0.0.1:8701/"])
    assert guard.check_url("http://127.0.0.1:8701/any/page") is None
    assert guard.check_url("http://2130706433:8701/") is None   # the same address and port
    assert guard.check_url("http://127.0.0.1:8702/") == "blocked_address"
    assert guard.check_url("http://127.0.0.2:8701/") == "blocked_address"
    assert guard.check_url("http://localhost:8701/") == "blocked_address"
    assert guard.check_url("http://10.0.0.1:8701/") == "blocked_address"


def test_resolved_addresses_decide_for_names() -> None:
    guard = AddressGuard()
    hp = parse_url("http://rebind.example.com/")
    private = [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.5")]
    assert guard.check_addresses(hp, private) == "blocked_address"
    assert guard.check_addresses(hp, [ipaddress.ip_address("93.184.216.34")]) is None


def test_embedded_ipv4_in_ipv6() -> None:
    assert is_blocked_ip(ipaddress.ip_address("::ffff:192.168.1.1"))
    assert is_blocked_ip(ipaddress.ip_address("2002:c0a8:0101::1"))   # 6to4 of 192.168.1.1
    assert not is_blocked_ip(ipaddress.ip_address("::ffff:8.8.8.8"))
