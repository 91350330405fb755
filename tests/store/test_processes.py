"""Several processes on one store: lock contention (both backends), concurrent SQLite writers."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from findings import FindingQuery, open_store

from . import workers
from .conftest import StoreSpec, make_finding

SPAWN = mp.get_context("spawn")


def _join_all(processes: list, timeout: float = 120) -> None:
    for p in processes:
        p.join(timeout)
    for p in processes:
        if p.is_alive():
            p.kill()
    assert [p.exitcode for p in processes] == [0] * len(processes)


def test_one_of_several_processes_gets_the_lock(store_spec: StoreSpec) -> None:
    open_store(store_spec.url, store_spec.data_dir, **store_spec.options).close()  # migrate once
    start, results = SPAWN.Event(), SPAWN.Queue()
    owners = [f"sched-{i}" for i in range(4)]
    processes = [SPAWN.Process(target=workers.contend_for_lock,
                               args=(store_spec.url, store_spec.data_dir, store_spec.options,
                                     owner, start, results)) for owner in owners]
    for p in processes:
        p.start()
    start.set()
    got = dict(results.get(timeout=120) for _ in owners)
    _join_all(processes)
    winners = [o for o, ok in got.items() if ok]
    assert len(winners) == 1
    with store_spec.open() as store:
        assert store.lock_holder("patrol:demo") == winners[0]


@pytest.mark.parametrize("store_spec", ["sqlite"], indirect=True)
def test_concurrent_writers_on_one_sqlite_file(store_spec: StoreSpec) -> None:
    # a short busy timeout makes contention frequent: the retry, not luck, must absorb it
    # No busy wait at all: every overlap of two writers is a `database is locked` from SQLite
    # (checked: with write_timeout=0 this test fails), which the store's retry must absorb.
    options = {"busy_timeout": 0}
    count, batch, writers = 300, 3, 4
    open_store(store_spec.url, store_spec.data_dir).close()  # migrate once
    start = SPAWN.Event()
    processes = [SPAWN.Process(target=workers.write_many,
                               args=(store_spec.url, store_spec.data_dir, options, w, count,
                                     batch, start)) for w in range(writers)]
    for p in processes:
        p.start()
    start.set()
    _join_all(processes, timeout=300)
    with open_store(store_spec.url, store_spec.data_dir) as store:
        page = store.query_findings(FindingQuery(limit=1))
        assert page.total == writers * count
        assert store.count_findings(FindingQuery(), "target") == {"demo": writers * count}
        assert len(store.list_alerts(limit=10_000)) == writers * count // batch
        assert {r.status for r in store.list_runs()} == {"ok"}
        assert len(store.search_pages("保本", limit=1000)) == writers * count // batch


def test_two_reviewers_deciding_at_once_one_wins(store_spec: StoreSpec) -> None:
    with store_spec.open() as store:
        finding = make_finding(0)
        store.upsert_findings([finding])
    start, results = SPAWN.Event(), SPAWN.Queue()
    reviewers = [("张三", "confirmed"), ("李四", "dismissed"), ("王五", "confirmed"),
                 ("赵六", "dismissed")]
    processes = [SPAWN.Process(target=workers.decide_once,
                               args=(store_spec.url, store_spec.data_dir, store_spec.options,
                                     finding.id, name, decision, start, results))
                 for name, decision in reviewers]
    for p in processes:
        p.start()
    start.set()
    got = dict(results.get(timeout=120) for _ in reviewers)
    _join_all(processes)
    winners = [name for name, said in got.items() if said == "won"]
    assert len(winners) == 1, got
    assert all("已由他人处理" in said or "已处理" in said
               for name, said in got.items() if name != winners[0])
    with store_spec.open() as store:
        log = store.decisions(finding.id)
        assert [d.by for d in log] == winners
        assert store.get_finding(finding.id).status == dict(reviewers)[winners[0]]


def test_a_current_sqlite_store_opens_while_another_process_holds_its_write_lock(
        tmp_path) -> None:
    """A worker stopped in the middle of a write (SIGSTOP) keeps SQLite's write lock (held here
    by a second connection); opening the store must not wait for it, reading does not need it."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'patrol.sqlite3'}"
    open_store(url).close()                       # created and migrated
    holder = sqlite3.connect(tmp_path / "patrol.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")         # the write lock, held
        store = open_store(url, write_timeout=1.0, busy_timeout=0.5)
        try:
            assert store.query_findings(FindingQuery(limit=1)).items == []
        finally:
            store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
