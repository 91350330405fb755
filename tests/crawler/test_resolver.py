"""The patrol's resolver: answers judged by the address policy and pinned (no rebinding).
No traffic: the resolver's lookup is replaced, and pinned answers come back without a reactor."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet import defer

from crawler.resolver import BlockedAddressError, GuardedResolver, parse_overrides


class FlippingResolver(GuardedResolver):
    """A DNS server that rebinds: a public address first, loopback after."""

    def __init__(self) -> None:
        super().__init__(reactor=None, overrides={}, timeout=5)
        self.answers = [["93.184.216.34"], ["127.0.0.1"]]
        self.lookups = 0

    def lookup(self, name: str) -> list[str]:
        self.lookups += 1
        return self.answers[min(self.lookups - 1, 1)]


def _result(d: defer.Deferred) -> Any:
    out: list[Any] = []
    d.addBoth(out.append)
    assert out, "a pinned answer comes back at once"
    return out[0]


def test_answer_is_pinned_so_a_rebinding_server_cannot_switch_it() -> None:
    r = FlippingResolver()
    first = r._judge("rebind.test", r.lookup("rebind.test"))
    assert first == "93.184.216.34"
    for _ in range(3):   # the check and every connection after it
        assert _result(r.getHostByName("rebind.test")) == "93.184.216.34"
    assert r.lookups == 1


@pytest.mark.parametrize("answers", [["127.0.0.1"], ["10.0.0.5"], ["169.254.169.254"],
                                     ["93.184.216.34", "192.168.1.1"], ["100.64.0.1"]])
def test_blocked_answers_are_refused_and_stay_refused(answers: list[str]) -> None:
    r = GuardedResolver(reactor=None, overrides={"evil.test": answers}, timeout=5)
    with pytest.raises(BlockedAddressError):
        r._judge("evil.test", r.lookup("evil.test"))
    failure = _result(r.getHostByName("evil.test"))
    assert failure.check(BlockedAddressError)


def test_exempt_start_names_resolve_to_their_address() -> None:
    r = GuardedResolver(reactor=None, overrides={"demo.test": ["127.0.0.1"]}, timeout=5)
    GuardedResolver.exempt_names.add("demo.test")
    try:
        assert r._judge("demo.test", r.lookup("demo.test")) == "127.0.0.1"
    finally:
        GuardedResolver.exempt_names.discard("demo.test")


def test_overrides_are_validated() -> None:
    assert parse_overrides(["A.test=127.0.0.2", "a.test=127.0.0.3"]) == {
        "a.test": ["127.0.0.2", "127.0.0.3"]}
    with pytest.raises(ValueError):
        parse_overrides(["a.test=not-an-address"])
