"""`patrol store stats` and `patrol store reindex` on every backend: Store.stats and
Store.rebuild_search_index are part of the contract (abstract in findings/base.py)."""

from __future__ import annotations

from datetime import timedelta

from findings import Decision, FindingQuery, PatrolRun, Store

from .conftest import T0, make_finding
from .test_records_contract import make_alert, make_page


def _fill(store: Store) -> list:
    findings = [make_finding(i) for i in range(3)]
    findings.append(make_finding(3, rule="promised_return", evidence="年化收益率12%",
                                 context="理财产品年化收益率12%，稳健"))
    store.upsert_findings(findings)
    store.mark_gone(findings[2].source, set(), T0 + timedelta(days=1))
    store.review(Decision(findings[0].id, "confirmed", "张科长", T0 + timedelta(hours=1)))
    store.save_page(make_page("http://127.0.0.1:9/a.html"))
    store.save_page(make_page("http://127.0.0.1:9/b.html", text="理财产品年化收益率12%"))
    store.save_run(PatrolRun(id="run-1", target="demo", started_at=T0, trigger="schedule"))
    sent = make_alert("a")
    store.enqueue_alert(sent)
    sent.status, sent.attempts, sent.sent_at = "sent", 1, T0
    store.update_alert(sent)
    store.enqueue_alert(make_alert("b"))
    return findings


def test_stats_counts_every_kind_of_record(store: Store) -> None:
    empty = store.stats()
    assert empty["findings"] == 0 and empty["pages"] == 0 and empty["by_rule"] == {}
    _fill(store)
    stats = store.stats()
    assert stats["backend"] in ("sqlite", "opensearch", "elasticsearch")
    assert (stats["findings"], stats["live"]) == (4, 3)
    assert stats["by_rule"] == {"guaranteed_principal": 3, "promised_return": 1}
    assert stats["by_status"] == {"new": 3, "confirmed": 1}
    assert (stats["pages"], stats["runs"], stats["decisions"]) == (2, 1, 1)
    assert stats["alerts"] == {"sent": 1, "pending": 1}


def test_rebuild_search_index_keeps_every_search_answer(store: Store) -> None:
    findings = _fill(store)

    def answers() -> tuple[set[str], set[str], list[str]]:
        return ({f.id for f in store.query_findings(FindingQuery(text="保本")).items},
                {f.id for f in store.query_findings(FindingQuery(text="年化收益")).items},
                sorted(h.page.url for h in store.search_pages("理财")))

    before = answers()
    assert before[1] == {findings[3].id} and before[2] == ["http://127.0.0.1:9/b.html"]
    assert store.rebuild_search_index() == 4 + 2   # every finding and page, once
    assert answers() == before
