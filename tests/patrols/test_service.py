"""The patrol service's steps on a real SQLite store, without a crawl: the locks and the steps
after the crawl (`finish_run`), as distributed workers will call them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crawler.targets import adhoc_target
from findings import Store, open_store
from patrols import exit_codes
from patrols.locks import PatrolLocked, parse_owner, patrol_lock
from patrols.service import CrawlReport, finish_run, start_runs
from settings import Settings
from tests.store.conftest import make_finding


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings["store_url"], data_dir=settings.data_dir) as opened:
        yield opened


def target(name: str) -> Any:
    from dataclasses import replace

    return replace(adhoc_target(["http://127.0.0.1:9/"], "p2p"), name=name)


def test_a_locked_target_starts_nothing(settings: Settings, store: Store) -> None:
    (held,) = start_runs(settings, store, [target("alpha")])
    owner = parse_owner(store.lock_holder(patrol_lock("alpha")))
    assert owner is not None and owner.role == "patrol" and owner.token == held.run.id
    with pytest.raises(PatrolLocked) as raised:
        start_runs(settings, store, [target("beta"), target("alpha")])
    assert raised.value.holder == held.lock_owner
    assert store.lock_holder(patrol_lock("beta")) is None  # released again
    assert [r.target for r in store.list_runs()] == ["alpha"]


def test_finish_run_records_queues_alerts_and_unlocks(settings: Settings, store: Store) -> None:
    (started,) = start_runs(settings, store, [target("alpha")])
    new = [make_finding(1, target="alpha"), make_finding(2, target="alpha", severity="low")]
    store.upsert_findings(new)
    report = CrawlReport(summary={"pages": 3, "errors": {"http_404": 1}},
                         close_reason="finished", new_findings=new,
                         finding_ids={f.id for f in new})
    outcome = finish_run(settings, store, started.run, report, target_kind="p2p",
                         lock_owner=started.lock_owner)
    record = store.get_run(started.run.id)
    assert record is not None and record.status == "ok" and record.exit_code == exit_codes.OK
    assert (record.pages, record.findings, record.errors) == (3, 2, {"http_404": 1})
    assert all(v["ok"] for v in record.stats["health"])
    queued = store.list_alerts(limit=100)
    assert outcome.alerts_queued == record.stats["alerts_queued"] > 0
    assert {i for a in queued for i in a.finding_ids} <= {f.id for f in new}
    assert store.lock_holder(patrol_lock("alpha")) is None


def test_a_crawl_that_timed_out_or_crashed_is_not_judged_healthy(settings: Settings,
                                                                  store: Store) -> None:
    first, = start_runs(settings, store, [target("alpha")])
    timed_out = finish_run(settings, store, first.run, CrawlReport({"pages": 0}, "closespider_timeout"),
                           lock_owner=first.lock_owner)
    assert (timed_out.run.status, timed_out.run.exit_code) == ("timeout", exit_codes.FAILED)
    second, = start_runs(settings, store, [target("alpha")])
    crashed = finish_run(settings, store, second.run, CrawlReport({}, "crashed"),
                         lock_owner=second.lock_owner)
    assert crashed.run.status == "failed" and "health" not in crashed.run.stats
    assert store.list_alerts(kind="support") == []  # failures are the scheduler's to report
