"""Findings on every backend: lifecycle, filters, cursor pagination, counts, Chinese full text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from findings import Decision, FindingQuery, Store, walk_findings

from .conftest import T0, make_finding


def test_upsert_reports_new_and_keeps_first_seen(store: Store) -> None:
    f = make_finding(1)
    assert store.upsert_findings([f, make_finding(2)]) == [True, True]
    later = make_finding(1, at=T0 + timedelta(days=3))
    assert store.upsert_findings([later]) == [False]
    got = store.get_finding(f.id)
    assert got is not None
    assert got.first_seen == f.captured_at
    assert got.last_seen == later.captured_at
    assert got.captured_at == f.captured_at
    assert got.status == "new"


def test_upsert_same_finding_twice_in_one_batch_is_one_finding(store: Store) -> None:
    f = make_finding(1)
    assert store.upsert_findings([f, f]) == [True, False]
    assert store.query_findings(FindingQuery()).total == 1
    assert store.upsert_findings([]) == []


def test_an_older_sighting_does_not_move_last_seen_back(store: Store) -> None:
    f = make_finding(1, at=T0 + timedelta(days=2))
    store.upsert_findings([f])
    store.upsert_findings([make_finding(1, at=T0)])
    got = store.get_finding(f.id)
    assert got and got.last_seen == f.captured_at


def test_round_trip_keeps_every_field(store: Store) -> None:
    f = make_finding(7, rule="public_risk", severity="medium", annual_rate=15.5,
                     platform="北江金服", sentiment=-0.8, operator="北江金服有限公司",
                     page_id="p" * 24, run_id="run-1", kind="post",
                     posted_at=T0 - timedelta(days=400, microseconds=7),
                     extra={"rates": [12.0, 15.5], "note": "<script>x</script>"})
    store.upsert_findings([f])
    got = store.get_finding(f.id)
    assert got is not None
    expected = f.to_dict()
    expected.update(first_seen=expected["captured_at"], last_seen=expected["captured_at"])
    assert got.to_dict() == expected
    assert got.captured_at.tzinfo is not None
    assert store.get_finding("0" * 24) is None


def test_review_status_survives_a_new_sighting(store: Store) -> None:
    f = make_finding(1)
    store.upsert_findings([f])
    store.review(Decision(f.id, "forwarded", "张科长", T0, note="转市工商局", to="市工商局"))
    store.upsert_findings([make_finding(1, at=T0 + timedelta(days=1))])
    got = store.get_finding(f.id)
    assert got and got.status == "forwarded" and got.forwarded_to == "市工商局"


def test_mark_gone_and_reappear(store: Store) -> None:
    src = "http://127.0.0.1:9/a.html"
    a, b, c = (make_finding(i, source=src) for i in range(3))
    other = make_finding(9)
    store.upsert_findings([a, b, c, other])
    gone_at = T0 + timedelta(days=1)
    assert store.mark_gone(src, {a.id}, gone_at) == 2
    assert store.mark_gone(src, {a.id}, gone_at) == 0  # already gone
    assert store.get_finding(b.id).gone_at == gone_at
    assert store.get_finding(a.id).gone_at is None
    assert store.get_finding(other.id).gone_at is None
    live = store.query_findings(FindingQuery(include_gone=False))
    assert {x.id for x in live.items} == {a.id, other.id}
    # the platform put it back: seen again, gone_at cleared
    store.upsert_findings([make_finding(1, source=src, at=T0 + timedelta(days=2))])
    assert store.get_finding(b.id).gone_at is None
    assert store.mark_gone(src, set(), gone_at) == 2  # a and b; c is still gone


def _corpus(store: Store) -> list:
    items = [
        make_finding(0, rule="promised_return", severity="high", evidence="年化18%",
                     annual_rate=18.0, domain="a.test", target="t1"),
        make_finding(1, rule="promised_return", severity="medium", evidence="年化8%",
                     domain="a.test", target="t1"),
        make_finding(2, rule="guaranteed_principal", severity="high", domain="b.test",
                     target="t2", lead="市金融局"),
        make_finding(3, rule="public_risk", severity="low", evidence="提现困难",
                     kind="post", platform="鑫盛贷", lead="市委宣传部", domain="b.test",
                     target="t2"),
        make_finding(4, rule="real_estate_finance", severity="high", evidence="首付贷",
                     lead="市住房和城乡建设管理局", domain="c.test", target="t3"),
    ]
    store.upsert_findings(items)
    return items


@pytest.mark.parametrize("query, expected", [
    (FindingQuery(rules=["promised_return"]), {0, 1}),
    (FindingQuery(severities=["high"]), {0, 2, 4}),
    (FindingQuery(leads=["市委宣传部", "市住房和城乡建设管理局"]), {3, 4}),
    (FindingQuery(domains=["b.test"]), {2, 3}),
    (FindingQuery(targets=["t1", "t3"]), {0, 1, 4}),
    (FindingQuery(kinds=["post"]), {3}),
    (FindingQuery(platforms=["鑫盛贷"]), {3}),
    (FindingQuery(source="http://127.0.0.1:9/p2.html"), {2}),
    (FindingQuery(since=T0 + timedelta(minutes=2)), {2, 3, 4}),
    (FindingQuery(until=T0 + timedelta(minutes=2)), {0, 1}),
    (FindingQuery(rules=["promised_return"], severities=["high"]), {0}),
    (FindingQuery(statuses=["confirmed"]), {1}),
    (FindingQuery(statuses=["new"], domains=["a.test"]), {0}),
    (FindingQuery(forwarded_to=["市公安局"]), {4}),
    (FindingQuery(statuses=["forwarded"], forwarded_to=["市工商局"]), set()),
])
def test_filters(store: Store, query: FindingQuery, expected: set[int]) -> None:
    items = _corpus(store)
    store.review(Decision(items[1].id, "confirmed", "李四", T0))
    store.review(Decision(items[4].id, "forwarded", "李四", T0, to="市公安局"))
    page = store.query_findings(query)
    assert {items.index(next(i for i in items if i.id == f.id)) for f in page.items} == expected
    assert page.total == len(expected)


def test_newest_and_severity_order(store: Store) -> None:
    items = _corpus(store)
    newest = store.query_findings(FindingQuery())
    assert [f.id for f in newest.items] == [f.id for f in reversed(items)]
    by_severity = store.query_findings(FindingQuery(sort="severity"))
    assert [f.id for f in by_severity.items] == [items[i].id for i in (4, 2, 0, 1, 3)]
    with pytest.raises(ValueError):
        store.query_findings(FindingQuery(sort="oldest"))


@pytest.mark.parametrize("sort", ["newest", "severity"])
def test_cursor_pagination_walks_every_finding_once(store: Store, sort: str) -> None:
    severities = ["high", "medium", "low"]
    items = [make_finding(i, severity=severities[i % 3], at=T0 + timedelta(minutes=i // 4))
             for i in range(87)]  # ties in last_seen: the id breaks them
    store.upsert_findings(items)
    seen: list[str] = []
    query = FindingQuery(sort=sort, limit=10)
    first = store.query_findings(query)
    assert first.total == 87
    page = first
    while True:
        seen.extend(f.id for f in page.items)
        if not page.next_cursor:
            break
        page = store.query_findings(FindingQuery(sort=sort, limit=10, cursor=page.next_cursor))
    assert len(seen) == 87 and set(seen) == {f.id for f in items}
    whole = store.query_findings(FindingQuery(sort=sort, limit=100))
    assert [f.id for f in whole.items] == seen and whole.next_cursor is None


def test_cursor_with_filter_and_text(store: Store) -> None:
    items = [make_finding(i, severity="high" if i % 2 else "low",
                          evidence="保本保息" if i % 3 else "年化15%") for i in range(30)]
    store.upsert_findings(items)
    expected = {f.id for i, f in enumerate(items) if i % 2 and i % 3}
    got: list[str] = []
    cursor = None
    while True:
        page = store.query_findings(FindingQuery(severities=["high"], text="保本", limit=3,
                                                 cursor=cursor))
        got.extend(f.id for f in page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(got) == sorted(expected) and len(got) == len(set(got))


def test_walk_findings_reads_past_a_page_and_stops_at_its_limit(store: Store) -> None:
    """The one walk every multi-page reader uses (exports, scores, retention, spikes)."""
    items = [make_finding(i, severity="high" if i % 2 else "low") for i in range(1203)]
    store.upsert_findings(items)
    info: dict = {}
    every = [f.id for f in walk_findings(store, FindingQuery(), info=info)]
    assert len(every) == 1203 and set(every) == {f.id for f in items} and info["total"] == 1203
    high = [f.id for f in walk_findings(store, FindingQuery(severities=["high"]), 510)]
    assert len(high) == 510 == len(set(high))
    assert {f.id for f in items if f.severity == "high"} >= set(high)


def test_bad_cursor_is_a_value_error(store: Store) -> None:
    store.upsert_findings([make_finding(1)])
    with pytest.raises(ValueError):
        store.query_findings(FindingQuery(cursor="not-a-cursor"))
    cursor_newest = store.query_findings(FindingQuery(limit=1))
    store.upsert_findings([make_finding(2)])
    cursor_newest = store.query_findings(FindingQuery(limit=1)).next_cursor
    assert cursor_newest
    with pytest.raises(ValueError):
        store.query_findings(FindingQuery(sort="severity", cursor=cursor_newest))


def test_chinese_full_text(store: Store) -> None:
    items = [
        make_finding(0, evidence="保本保息", context="本平台承诺保本保息，安全可靠"),
        make_finding(1, rule="promised_return", evidence="年化收益率12%",
                     context="理财产品年化收益率12%，稳健"),
        make_finding(2, evidence="穩賺不賠", context="投資穩賺不賠，名額有限"),
        make_finding(3, rule="public_risk", evidence="提现困难",
                     context="理一下思路。该平台提现困难，已报警"),
        make_finding(4, rule="margin_financing", evidence="Ｐ２Ｐ配资",
                     context="Ｐ２Ｐ配资，1:10杠杆"),
    ]
    store.upsert_findings(items)

    def ids(text: str, **kw) -> set[int]:
        page = store.query_findings(FindingQuery(text=text, **kw))
        return {[i.id for i in items].index(f.id) for f in page.items}

    assert ids("保本") == {0}
    assert ids("保本保息") == {0}
    assert ids("理财") == {1}          # 理 alone (item 3) is not 理财
    assert ids("理") == {3}            # and 理 does not match inside 理财
    assert ids("年化收益") == {1}
    assert ids("稳赚不赔") == {2}      # traditional text, simplified query
    assert ids("p2p") == {4}           # full-width letters and digits
    assert ids("保本 年化") == set()   # every word must match
    assert ids("提现困难 报警") == {3}
    assert ids("保本", rules=["promised_return"]) == set()
    assert ids("？！") == set()        # punctuation only matches nothing
    assert ids("保本*") == {0}         # query syntax is text, not operators
    assert ids('"保本" OR 提现困难') == set()  # OR is a word here, and no text has it


def test_counts(store: Store) -> None:
    items = _corpus(store)
    store.upsert_findings([make_finding(20, rule="promised_return", severity="high",
                                        at=T0 + timedelta(days=8))])
    store.review(Decision(items[0].id, "dismissed", "王五", T0))
    q = FindingQuery()
    assert store.count_findings(q, "rule") == {
        "promised_return": 3, "guaranteed_principal": 1, "public_risk": 1,
        "real_estate_finance": 1}
    assert store.count_findings(q, "severity") == {"high": 4, "medium": 1, "low": 1}
    assert store.count_findings(q, "status") == {"new": 5, "dismissed": 1}
    assert store.count_findings(q, "lead")["市金融局"] == 4
    assert store.count_findings(q, "platform") == {"鑫盛贷": 1}
    assert store.count_findings(q, "domain")["a.test"] == 2
    assert store.count_findings(q, "target")["t2"] == 2
    assert store.count_findings(q, "day") == {"2026-03-02": 5, "2026-03-10": 1}
    # 2026-03-02 is a Monday; weeks are named by their Monday
    assert store.count_findings(q, "week") == {"2026-03-02": 5, "2026-03-09": 1}
    assert store.count_findings(FindingQuery(rules=["promised_return"]), "severity") == {
        "high": 2, "medium": 1}
    assert store.count_findings(FindingQuery(text="首付贷"), "rule") == {
        "real_estate_finance": 1}
    with pytest.raises(ValueError):
        store.count_findings(q, "colour")


def test_full_text_survives_every_kind_of_update(store: Store) -> None:
    """Review, a new sighting and mark_gone change a stored finding; it stays findable."""
    src = "http://127.0.0.1:9/a.html"
    f = make_finding(1, source=src, context="本平台承诺保本保息，欢迎投资")
    store.upsert_findings([f])
    store.review(Decision(f.id, "confirmed", "张三", T0))
    store.upsert_findings([make_finding(1, source=src, at=T0 + timedelta(days=1))])
    store.mark_gone(src, set(), T0 + timedelta(days=2))
    page = store.query_findings(FindingQuery(text="保本"))
    assert [x.id for x in page.items] == [f.id]
    got = page.items[0]
    assert got.status == "confirmed" and got.gone_at == T0 + timedelta(days=2)
    assert got.last_seen == T0 + timedelta(days=1)


def test_days_and_weeks_are_counted_in_the_configured_time_zone(store: Store) -> None:
    """2026-01-01T17:00Z is 01:00 on 01-02 in Asia/Shanghai (the default time_zone), and a
    Sunday evening in UTC is already Monday there: the day and the week move with the zone."""
    from datetime import UTC, datetime

    thursday_late = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)
    sunday_late = datetime(2026, 1, 4, 17, 0, tzinfo=UTC)
    store.upsert_findings([make_finding(1, at=thursday_late), make_finding(2, at=sunday_late)])
    q = FindingQuery()
    assert store.time_zone == "Asia/Shanghai"
    assert store.count_findings(q, "day") == {"2026-01-02": 1, "2026-01-05": 1}
    assert store.count_findings(q, "week") == {"2025-12-29": 1, "2026-01-05": 1}
    store.time_zone = "UTC"
    assert store.count_findings(q, "day") == {"2026-01-01": 1, "2026-01-04": 1}
    assert store.count_findings(q, "week") == {"2025-12-29": 2}


def test_posts_are_dated_by_when_they_were_written(store: Store) -> None:
    """A post written two years ago and found today counts on its own day, not today's; a
    finding without a posting time counts on the day it was first seen; a post dated after
    we first saw it is dated when we saw it; a later sighting changes no date."""
    old = make_finding(1, kind="post", posted_at=T0 - timedelta(days=730))
    recent = make_finding(2, kind="post", posted_at=T0 - timedelta(minutes=30))
    late = make_finding(3, kind="post", posted_at=T0 + timedelta(days=1))   # after first_seen
    page = make_finding(4)                                                 # no posting time
    store.upsert_findings([old, recent, late, page])
    store.upsert_findings([make_finding(1, kind="post", at=T0 + timedelta(days=3),
                                        posted_at=T0)])
    got = store.get_finding(old.id)
    assert got and got.posted_at == T0 - timedelta(days=730) and got.first_seen == T0 + \
        timedelta(minutes=1)
    assert store.get_finding(late.id).posted_at == late.captured_at
    assert store.get_finding(page.id).posted_at is None
    # T0 is 16:00 on 2026-03-02 in Asia/Shanghai
    assert store.count_findings(FindingQuery(), "day") == {"2024-03-02": 1, "2026-03-02": 3}
    assert store.count_findings(FindingQuery(), "week") == {"2024-02-26": 1, "2026-03-02": 3}
    # still seen this week, but written this week: the old post is not
    week = FindingQuery(dated_since=T0 - timedelta(days=7))
    assert {f.id for f in store.query_findings(week).items} == {recent.id, late.id, page.id}
    assert store.count_findings(week, "rule") == {"guaranteed_principal": 3}
    hour = FindingQuery(dated_since=T0 - timedelta(minutes=45), kinds=["post"])
    assert store.count_findings(hour, "rule") == {"guaranteed_principal": 2}
    assert store.count_findings(FindingQuery(since=T0 - timedelta(days=7)), "rule") == {
        "guaranteed_principal": 4}   # `since` stays on last_seen
