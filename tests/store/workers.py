"""Work done in other processes (spawned, so each opens the store on its own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from findings import AlertRecord, alert_id, open_store

from .conftest import T0, make_finding


def contend_for_lock(url: str, data_dir: str, options: dict[str, Any], owner: str,
                     start: Any, results: Any) -> None:
    store = open_store(url, data_dir=data_dir, **options)
    try:
        start.wait(60)
        results.put((owner, store.acquire_lock("patrol:demo", owner, 300)))
    finally:
        store.close()


def write_many(url: str, data_dir: str, options: dict[str, Any], worker: int, count: int,
               batch: int, start: Any) -> None:
    """A crawler-like writer: findings in small batches, pages, alerts and run records."""
    from findings import PageRecord, PatrolRun, page_id

    store = open_store(url, data_dir=data_dir, **options)
    store.get_finding("warm-up")  # connections open before the start signal
    start.wait(60)  # all writers begin together
    try:
        run = PatrolRun(id=f"run-{worker}", target=f"t{worker}", started_at=T0)
        store.save_run(run)
        for first in range(0, count, batch):
            items = [make_finding(worker * 100_000 + n, at=T0 + timedelta(seconds=n))
                     for n in range(first, min(first + batch, count))]
            store.upsert_findings(items)
            url_ = f"http://127.0.0.1:9/w{worker}/{first}.html"
            store.save_page(PageRecord(id=page_id(run.id, url_), url=url_, captured_at=T0,
                                       text="保本保息" * 20))
            key = f"w{worker}-{first}"
            store.enqueue_alert(AlertRecord(id=alert_id(key), key=key, kind="finding",
                                            department="市金融局", channel="email",
                                            subject="s", body="b", created_at=T0))
            store.acquire_lock("patrol:shared", f"w{worker}", 1)
        run.status = "ok"
        store.save_run(run)
    finally:
        store.close()


def decide_once(url: str, data_dir: str, options: dict[str, Any], finding: str, name: str,
                decision: str, start: Any, results: Any) -> None:
    """A reviewer deciding through the decision service: "won", or the message it got."""
    import decisions
    from settings import load_settings

    settings = load_settings(environ={}, overrides={"data_dir": data_dir})
    store = open_store(url, data_dir=data_dir, **options)
    store.get_finding(finding)  # connections open before the start signal
    reviewer = decisions.Reviewer.of(name, ["市金融局"])
    try:
        start.wait(60)
        try:
            decisions.decide(settings, store, reviewer, finding, decision, note=f"{name} 的理由")
            results.put((name, "won"))
        except decisions.AlreadyDecided as exc:
            results.put((name, str(exc)))
    finally:
        store.close()
