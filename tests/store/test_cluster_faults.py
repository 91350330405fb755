"""The cluster store when the cluster misbehaves: a restart mid-patrol, a busy node (429), a
node away from the start, a document the mapping refuses, and a mapping change (reindex)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from findings import AlertRecord, FindingQuery, PageRecord, PatrolRun, alert_id, open_store, page_id
from findings.cluster import ClusterStore, ClusterUnavailable
from tests.services.ports import free_port, wait_until

from .conftest import T0, make_finding
from .faultproxy import FaultProxy

pytestmark = pytest.mark.searchnode



def fast_store(url: str, data_dir: Path, prefix: str) -> ClusterStore:
    """A store that gives up on an absent cluster quickly and probes it often."""
    store = open_store(url, data_dir=data_dir, index_prefix=prefix, retry_seconds=1,
                       probe_seconds=0.2)
    assert isinstance(store, ClusterStore)
    return store


def all_findings(store: ClusterStore) -> list:
    return store.query_findings(FindingQuery(limit=1000)).items


def test_the_kind_of_node_is_detected(search_node: Any, prefix: str, tmp_path: Path) -> None:
    with fast_store(search_node.url, tmp_path, prefix) as store:
        assert store.kind == search_node.kind


def test_node_restart_mid_patrol_loses_nothing_and_doubles_nothing(
        search_node: Any, prefix: str, tmp_path: Path) -> None:
    src = "http://127.0.0.1:9/list.html"
    store = fast_store(search_node.url, tmp_path, prefix)
    try:
        first = [make_finding(i, source=src) for i in range(40)]
        assert store.upsert_findings(first) == [True] * 40

        search_node.stop()
        try:
            # the patrol goes on: every write returns, nothing raises
            second = [make_finding(i, source=src, at=T0 + timedelta(hours=1))
                      for i in range(20, 90)]
            assert len(store.upsert_findings(second)) == 70
            page = PageRecord(id=page_id("run-restart", src), url=src, captured_at=T0, text="保本保息")
            store.save_page(page)
            store.mark_gone(src, {f.id for f in second}, T0 + timedelta(hours=1))
            run = PatrolRun(id="run-restart", target="demo", started_at=T0, status="ok")
            store.save_run(run)
            alert = AlertRecord(id=alert_id("k1"), key="k1", kind="finding",
                                department="市金融局", channel="email", subject="s", body="b",
                                created_at=T0)
            assert store.enqueue_alert(alert) is True
            assert store.enqueue_alert(alert) is False  # known to the spool already
            assert store.pending() == 6
            with pytest.raises(ClusterUnavailable):
                store.query_findings(FindingQuery())
        finally:  # the node is shared by the session: always bring it back
            search_node.restart()
        wait_until(store.available, timeout=120, what="the node to answer again")
        assert store.upsert_findings([make_finding(500)]) == [True]  # replays the spool first
        assert store.pending() == 0

        items = all_findings(store)
        ids = [f.id for f in items]
        assert len(ids) == len(set(ids)) == 91
        by_id = {f.id: f for f in items}
        kept = by_id[first[25].id]
        assert kept.first_seen == T0 + timedelta(minutes=25)
        assert kept.last_seen == T0 + timedelta(hours=1) and kept.gone_at is None
        assert by_id[first[0].id].gone_at == T0 + timedelta(hours=1)  # not seen again
        assert store.get_page(page.id) is not None and store.get_run(run.id) == run
        assert [a.key for a in store.list_alerts()] == ["k1"]
        assert store.rejected() == []
    finally:
        store.close()


def test_a_busy_node_is_retried_with_backoff(proxy: FaultProxy, prefix: str,
                                             tmp_path: Path) -> None:
    with open_store(proxy.url, data_dir=tmp_path, index_prefix=prefix,
                    retry_seconds=20) as store:
        proxy.script("_bulk", [429, 429])
        assert store.upsert_findings([make_finding(1), make_finding(2)]) == [True, True]
        bulk = [status for method, path, status in proxy.seen if "_bulk" in path]
        assert bulk == [429, 429, 200]
        assert store.pending() == 0  # retried, not spooled
        assert len(all_findings(store)) == 2


def test_a_node_away_from_the_start_gets_the_spool_later(proxy: FaultProxy, prefix: str,
                                                         tmp_path: Path) -> None:
    proxy.down()
    store = fast_store(proxy.url, tmp_path, prefix)
    assert store.upsert_findings([make_finding(1), make_finding(1)]) == [True, False]
    store.save_run(PatrolRun(id="run-away", target="demo", started_at=T0))
    assert store.pending() == 2
    store.close()  # the queue is durable: a later process replays it
    proxy.up()
    with fast_store(proxy.url, tmp_path, prefix) as again:
        assert again.pending() == 0
        assert [f.id for f in all_findings(again)] == [make_finding(1).id]
        assert again.get_run("run-away") is not None


def test_nothing_listens_at_all(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with fast_store(url, tmp_path, "nobody") as store:
        assert store.upsert_findings([make_finding(1)]) == [True]
        assert store.previous_hash("http://127.0.0.1:9/a.html") is None
        assert store.acquire_lock("patrol:demo", "me", 60) is False
        assert store.pending() == 1


def test_a_rejected_document_is_recorded_and_the_others_land(search_node: Any, prefix: str,
                                                             tmp_path: Path) -> None:
    good = [make_finding(i) for i in range(3)]
    bad = make_finding(9, annual_rate="十二个点")  # a value the float mapping refuses
    with fast_store(search_node.url, tmp_path, prefix) as store:
        assert store.upsert_findings([good[0], bad, good[1], good[2]]) == [True, False, True,
                                                                           True]
        assert sorted(f.id for f in all_findings(store)) == sorted(f.id for f in good)
        rejected = store.rejected()
        assert [r["doc_id"] for r in rejected] == [bad.id]
        assert "annual_rate" in json.dumps(rejected[0]["error"], ensure_ascii=False)
        assert rejected[0]["doc"]["evidence"] == bad.evidence
        assert store.pending() == 0
        assert store.stats()["rejected"] == 1


def test_a_mapping_change_is_a_reindex_behind_the_alias(search_node: Any,
                                                        tmp_path: Path) -> None:
    from findings.cluster import indices
    from findings.cluster.clients import connect
    from findings.cluster.mappings import FINDINGS, INDEXES, LOCKS

    prefix = "tmigrate"
    client = connect(search_node.url)
    try:
        indices.delete_all(client, prefix)
        indices.ensure_all(client, prefix)
        with fast_store(search_node.url, tmp_path, prefix) as store:
            store.upsert_findings([make_finding(i) for i in range(5)])
            store.acquire_lock("patrol:demo", "sched-1", 600)
        v2 = {"dynamic": "strict",
              "properties": {**LOCKS["properties"], "host": {"type": "keyword"}}}
        # copied through Python (scroll + bulk): no reindex module or scripting needed
        next_findings = INDEXES["findings"][0] + 1
        bumped = {**INDEXES, "locks": (2, v2), "findings": (next_findings, FINDINGS)}
        assert indices.ensure_all(client, prefix, bumped) == 2
        assert indices.alias_targets(client, f"{prefix}-locks") == [f"{prefix}-locks-v2"]
        assert indices.alias_targets(client, f"{prefix}-findings") == [
            f"{prefix}-findings-v{next_findings}"]
        assert not indices.index_exists(client, f"{prefix}-locks-v1")
        assert indices.ensure_all(client, prefix, bumped) == 0
        # an older program (version 1) leaves the newer indexes alone
        with open_store(search_node.url, data_dir=tmp_path, index_prefix=prefix) as store:
            assert store.lock_holder("patrol:demo") == "sched-1"  # the data came along
            assert len(store.query_findings(FindingQuery(text="保本")).items) == 5
        assert indices.alias_targets(client, f"{prefix}-locks") == [f"{prefix}-locks-v2"]
    finally:
        indices.delete_all(client, prefix)
        client.close()
