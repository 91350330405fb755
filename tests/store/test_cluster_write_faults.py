"""Issue 15, faults of the store's writes: the node killed (SIGKILL) in the middle of a bulk
write and restarted, items refused with 429/503 inside a 200 bulk answer, and a node that
accepts connections and never answers. Real node; the fault proxy only for what a healthy
node will not do on cue."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from findings import FindingQuery, open_store
from findings.cluster import ClusterStore
from tests.services.ports import wait_until

from .conftest import make_finding
from .faultproxy import FaultProxy

pytestmark = pytest.mark.searchnode



def cluster_store(url: str, data_dir: Path, prefix: str, **options: Any) -> ClusterStore:
    store = open_store(url, data_dir=data_dir, index_prefix=prefix, **options)
    assert isinstance(store, ClusterStore)
    return store


def stored_ids(store: ClusterStore) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = store.query_findings(FindingQuery(limit=1000, cursor=cursor))
        ids += [f.id for f in page.items]
        cursor = page.next_cursor
        if not cursor:
            return ids


def test_node_killed_in_the_middle_of_a_bulk_write(search_node: Any, proxy: FaultProxy,
                                                   prefix: str, tmp_path: Path) -> None:
    store = cluster_store(proxy.url, tmp_path, prefix, retry_seconds=1, probe_seconds=0.2)
    try:
        early = [make_finding(i) for i in range(10)]
        assert store.upsert_findings(early) == [True] * 10
        batch = [make_finding(i, source=f"http://127.0.0.1:9/list{i % 40}.html")
                 for i in range(10, 6010)]
        finished = threading.Event()
        writer = threading.Thread(target=lambda: (store.upsert_findings(batch),
                                                  finished.set()))
        writer.start()

        def bulks_answered() -> int:
            return sum(1 for _m, path, status in proxy.seen if "_bulk" in path and status == 200)

        before = bulks_answered()
        wait_until(lambda: bulks_answered() > before + 1 or finished.is_set(), 120,
                   what="the bulk load to be under way")
        assert not finished.is_set(), "the bulk load ended before the node could be killed"
        try:
            search_node.kill()               # SIGKILL: no flush, requests in flight cut off
            writer.join(300)
            assert finished.is_set()         # the write returned: the rest waits in the spool
            assert store.pending() > 0
        finally:
            search_node.restart()            # translog recovery; the session's node again
        wait_until(store.available, timeout=120, what="the node to answer again")
        assert store.upsert_findings([make_finding(9999)]) == [True]   # replays the spool
        assert store.pending() == 0
        ids = stored_ids(store)
        expected = {f.id for f in early + batch} | {make_finding(9999).id}
        assert len(ids) == len(set(ids))     # nothing doubled
        assert set(ids) == expected          # nothing lost
        kept = store.get_finding(early[3].id)
        assert kept is not None and kept.first_seen == early[3].captured_at
        assert store.rejected() == []
    finally:
        store.close()


def test_items_refused_inside_a_200_bulk_answer_are_retried(proxy: FaultProxy, prefix: str,
                                                            tmp_path: Path) -> None:
    with cluster_store(proxy.url, tmp_path, prefix, retry_seconds=20) as store:
        findings = [make_finding(i) for i in range(4)]
        proxy.refuse_items([200, 429, 200, 503])
        assert store.upsert_findings(findings) == [True] * 4
        bulk = [status for _m, path, status in proxy.seen if "_bulk" in path]
        assert bulk == [200, 200]            # the partial answer, then the two refused again
        assert store.pending() == 0          # retried, not spooled
        assert sorted(stored_ids(store)) == sorted(f.id for f in findings)


def test_a_node_that_never_answers_is_timed_out_and_writes_wait(
        proxy: FaultProxy, prefix: str, tmp_path: Path) -> None:
    store = cluster_store(proxy.url, tmp_path, prefix, retry_seconds=1, probe_seconds=0.2,
                          request_timeout=1)
    try:
        assert store.upsert_findings([make_finding(1)]) == [True]
        proxy.hang()                         # connections accepted, nothing answered
        assert store.upsert_findings([make_finding(2), make_finding(3)]) == [True, True]
        assert store.pending() == 1          # timed out, then spooled: the patrol goes on
        proxy.up()
        wait_until(store.available, timeout=60, what="the node to answer again")
        assert store.upsert_findings([make_finding(4)]) == [True]
        assert store.pending() == 0
        assert sorted(stored_ids(store)) == sorted(make_finding(i).id for i in (1, 2, 3, 4))
    finally:
        proxy.up()
        store.close()
