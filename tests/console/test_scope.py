"""Listings over the union of several store queries: merged in the store's order, each finding
once, nothing lost across pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from console.scope import narrow, scoped_page
from findings import FindingQuery, utcnow

from .conftest import Console, make_finding


def test_narrow_intersects_filters_or_gives_up() -> None:
    base = FindingQuery(rules=["promised_return", "restricted_name"], statuses=["new"])
    part = FindingQuery(rules=["restricted_name"], kinds=["enterprise"])
    both = narrow(base, part)
    assert both is not None
    assert (both.rules, both.kinds, both.statuses) == (["restricted_name"], ["enterprise"], ["new"])
    assert narrow(FindingQuery(rules=["public_risk"]), part) is None


def test_union_pages_in_order_without_duplicates(console: Console) -> None:
    now = utcnow()
    made = []
    for i in range(40):
        kind = ("ad", "page", "enterprise", "post")[i % 4]
        rule = "restricted_name" if i % 5 == 0 else "promised_return"
        made.append(make_finding(rule, kind=kind, seen=now - timedelta(seconds=i * 7),
                                 severity=("high", "low")[i % 2], evidence=f"e{i}"))
    console.add(*made)
    scope = [FindingQuery(rules=["restricted_name"]), FindingQuery(kinds=["ad"])]
    expected = {f.id for f in made if f.rule == "restricted_name" or f.kind == "ad"}
    for sort in ("newest", "severity"):
        query, seen = FindingQuery(sort=sort, limit=4), []
        while True:
            page = scoped_page(console.store, query, scope)
            seen += page.items
            if not page.next_cursor:
                break
            query = replace(query, cursor=page.next_cursor)
        assert [f.id for f in seen if f.id not in expected] == []
        assert len(seen) == len({f.id for f in seen}) == len(expected)
        if sort == "newest":
            assert [f.last_seen for f in seen] == sorted((f.last_seen for f in seen), reverse=True)
