"""Pages, decisions, patrol runs, the alert outbox and locks on every backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from findings import (
    AlertRecord,
    Decision,
    DecisionConflict,
    EvidenceFile,
    PageRecord,
    PatrolRun,
    Store,
    alert_id,
    page_id,
)
from tests.services.ports import wait_until

from .conftest import T0, make_finding


def make_page(url: str, at=T0, text: str = "本平台承诺保本保息，年化收益率12%。", **kw) -> PageRecord:
    run = kw.get("run_id") or f"run-{at.isoformat()}"   # another time: another run's record
    return PageRecord(id=page_id(run, url), url=url, captured_at=at, final_url=url, status=200,
                      title="北江金服", text=text, content_hash=f"h-{at.isoformat()}",
                      domain="127.0.0.1", target="demo", **kw)


def test_pages_round_trip_and_previous_hash(store: Store) -> None:
    url = "http://127.0.0.1:9/a.html"
    body = EvidenceFile("body", "evidence/ab/cd.html.gz", "cd" * 32, 1234).to_dict()
    first = make_page(url, evidence=[body], operator="北江金服有限公司", rendered=True,
                      run_id="run-1")
    store.save_page(first)
    assert store.get_page(first.id) == first
    assert store.previous_hash(url) == first.content_hash
    second = make_page(url, at=T0 + timedelta(hours=1), text="已下线")
    store.save_page(second)
    assert store.previous_hash(url) == second.content_hash
    assert store.previous_hash("http://127.0.0.1:9/never.html") is None
    assert store.get_page("nope") is None
    # saving the same capture again replaces it (and its full-text entry)
    store.save_page(make_page(url, text="内容更正：稳赚不赔", run_id="run-1"))
    got = store.get_page(first.id)
    assert got is not None and got.text == "内容更正：稳赚不赔" and got.evidence == []
    assert [h.page.id for h in store.search_pages("稳赚不赔")] == [first.id]
    assert store.search_pages("保本") == []


def test_a_url_fetched_twice_in_one_run_is_one_page_record(store: Store) -> None:
    """A distributed run's request whose lease ran out is fetched again by a second worker,
    though the first had stored it: the run still has one record of the URL, the later one."""
    url = "http://127.0.0.1:9/again.html"
    first = make_page(url, text="本平台承诺保本保息", run_id="run-7")
    again = make_page(url, at=T0 + timedelta(seconds=40), text="本平台承诺稳赚不赔", run_id="run-7")
    assert again.id == first.id
    store.save_page(first)
    store.save_page(again)
    assert store.get_page(first.id) == again
    assert [h.page.id for h in store.search_pages("稳赚不赔")] == [first.id]
    assert store.search_pages("保本") == []
    # another run's fetch of the URL is a record of its own
    later = make_page(url, at=T0 + timedelta(days=1), text="本平台承诺保本保息", run_id="run-8")
    store.save_page(later)
    assert later.id != first.id and store.get_page(first.id) == again
    assert [h.page.id for h in store.search_pages("保本")] == [later.id]


def test_search_pages_chinese_with_snippet(store: Store) -> None:
    long_text = "公司简介。" * 40 + "本平台承诺保本保息，理财无忧。" + "联系我们。" * 40
    store.save_page(make_page("http://127.0.0.1:9/1.html", text=long_text))
    store.save_page(make_page("http://127.0.0.1:9/2.html", text="理一下头发，今天天气很好。"))
    hits = store.search_pages("保本")
    assert [h.page.url for h in hits] == ["http://127.0.0.1:9/1.html"]
    assert "保本保息" in hits[0].snippet and len(hits[0].snippet) < 100
    assert [h.page.url for h in store.search_pages("理财")] == ["http://127.0.0.1:9/1.html"]
    assert [h.page.url for h in store.search_pages("理")] == ["http://127.0.0.1:9/2.html"]
    assert store.search_pages("") == []


def test_review_appends_to_the_audit_log(store: Store) -> None:
    f = make_finding(1)
    store.upsert_findings([f])
    got = store.review(Decision(f.id, "confirmed", "张三", T0, note="核实属实"))
    assert got.status == "confirmed" and got.forwarded_to is None
    got = store.review(Decision(f.id, "forwarded", "张三", T0 + timedelta(minutes=5),
                                to="市工商局"))
    assert got.status == "forwarded" and got.forwarded_to == "市工商局"
    got = store.review(Decision(f.id, "dismissed", "李四", T0 + timedelta(minutes=9),
                                note="已整改"))
    assert got.status == "dismissed"
    log = store.decisions(f.id)
    assert [(d.decision, d.by, d.to) for d in log] == [
        ("confirmed", "张三", None), ("forwarded", "张三", "市工商局"), ("dismissed", "李四", None)]
    assert log[0].note == "核实属实" and log[0].at == T0
    assert store.decisions("0" * 24) == []


def test_review_refuses_bad_decisions(store: Store) -> None:
    f = make_finding(1)
    store.upsert_findings([f])
    with pytest.raises(KeyError):
        store.review(Decision("0" * 24, "confirmed", "张三", T0))
    with pytest.raises(ValueError):
        store.review(Decision(f.id, "approved", "张三", T0))
    with pytest.raises(ValueError):
        store.review(Decision(f.id, "forwarded", "张三", T0))  # forwarded to whom?
    with pytest.raises(ValueError):
        store.review(Decision(f.id, "confirmed", " ", T0))
    assert store.decisions(f.id) == []
    assert store.get_finding(f.id).status == "new"


def test_review_compare_and_set_and_reopen(store: Store) -> None:
    f = make_finding(2)
    store.upsert_findings([f])
    store.review(Decision(f.id, "forwarded", "张三", T0, to="市公安局"), expect_status="new")
    with pytest.raises(DecisionConflict) as raised:
        store.review(Decision(f.id, "confirmed", "李四", T0), expect_status="new")
    assert raised.value.status == "forwarded"
    assert [d.by for d in store.decisions(f.id)] == ["张三"]
    store.upsert_findings([f])  # a patrol seeing it again moves last_seen, not the status
    got = store.review(Decision(f.id, "reopened", "李四", T0), expect_status="forwarded")
    assert (got.status, got.forwarded_to) == ("new", None)
    assert [d.decision for d in store.decisions(f.id)] == ["forwarded", "reopened"]


def test_runs(store: Store) -> None:
    run = PatrolRun(id="run-1", target="demo", started_at=T0, trigger="schedule")
    store.save_run(run)
    assert store.get_run("run-1") == run
    run.ended_at, run.status, run.exit_code = T0 + timedelta(minutes=3), "ok", 0
    run.pages, run.findings = 42, 7
    run.stats, run.errors = {"bytes": 1024, "rendered": 3}, {"timeout": 2}
    store.save_run(run)
    assert store.get_run("run-1") == run
    store.save_run(PatrolRun(id="run-2", target="other", started_at=T0 + timedelta(hours=1)))
    store.save_run(PatrolRun(id="run-3", target="demo", started_at=T0 + timedelta(hours=2)))
    assert [r.id for r in store.list_runs()] == ["run-3", "run-2", "run-1"]
    assert [r.id for r in store.list_runs(target="demo")] == ["run-3", "run-1"]
    assert [r.id for r in store.list_runs(limit=1)] == ["run-3"]
    assert store.get_run("nope") is None


def make_alert(key: str, created=T0, **kw) -> AlertRecord:
    return AlertRecord(id=alert_id(key), key=key, kind=kw.pop("kind", "finding"),
                       department=kw.pop("department", "市金融局"),
                       channel=kw.pop("channel", "email"), subject="【高】发现保本保息宣传",
                       body="来源：http://127.0.0.1:9/a.html", created_at=created,
                       payload={"finding": "x"}, finding_ids=["x"], **kw)


def test_outbox_is_idempotent_by_key(store: Store) -> None:
    alert = make_alert("f1|市金融局|finding|email")
    assert store.enqueue_alert(alert) is True
    again = make_alert("f1|市金融局|finding|email")
    again.subject = "changed"
    assert store.enqueue_alert(again) is False
    assert store.get_alert(alert.id) == alert
    assert len(store.list_alerts()) == 1


def test_outbox_due_update_and_list(store: Store) -> None:
    now = T0 + timedelta(hours=1)
    a = make_alert("a", created=T0)
    b = make_alert("b", created=T0 + timedelta(minutes=1), next_attempt_at=now)
    c = make_alert("c", created=T0 + timedelta(minutes=2),
                   next_attempt_at=now + timedelta(seconds=1))
    d = make_alert("d", created=T0 + timedelta(minutes=3), department="市公安局",
                   kind="spike", channel="webhook")
    for x in (c, b, a, d):
        store.enqueue_alert(x)
    assert [x.key for x in store.due_alerts(now)] == ["a", "b", "d"]
    assert [x.key for x in store.due_alerts(now, limit=2)] == ["a", "b"]
    a.status, a.attempts, a.sent_at = "sent", 1, now
    a.attempt_log = [{"at": "2026-03-02T09:00:00+00:00", "ok": True}]
    store.update_alert(a)
    b.attempts, b.last_error = 1, "SMTP 451 稍后重试"
    b.next_attempt_at = now + timedelta(minutes=5)
    store.update_alert(b)
    assert store.get_alert(a.id) == a and store.get_alert(b.id) == b
    assert [x.key for x in store.due_alerts(now + timedelta(seconds=1))] == ["c", "d"]
    assert [x.key for x in store.due_alerts(now + timedelta(minutes=5))] == ["b", "c", "d"]
    assert [x.key for x in store.list_alerts()] == ["d", "c", "b", "a"]
    assert [x.key for x in store.list_alerts(status="sent")] == ["a"]
    assert [x.key for x in store.list_alerts(department="市公安局")] == ["d"]
    assert [x.key for x in store.list_alerts(kind="finding", limit=2)] == ["c", "b"]
    assert store.get_alert("nope") is None
    with pytest.raises(KeyError):
        store.update_alert(make_alert("never-enqueued"))


def test_locks(store: Store) -> None:
    assert store.lock_holder("patrol:demo") is None
    assert store.acquire_lock("patrol:demo", "sched-1", 60) is True
    assert store.acquire_lock("patrol:demo", "sched-2", 60) is False
    assert store.lock_holder("patrol:demo") == "sched-1"
    assert store.acquire_lock("patrol:demo", "sched-1", 60) is True  # renewal
    assert store.acquire_lock("patrol:other", "sched-2", 60) is True
    store.release_lock("patrol:demo", "sched-2")  # not the owner: no effect
    assert store.lock_holder("patrol:demo") == "sched-1"
    store.release_lock("patrol:demo", "sched-1")
    assert store.lock_holder("patrol:demo") is None
    assert store.acquire_lock("patrol:demo", "sched-2", 60) is True


def test_an_expired_lock_can_be_taken(store: Store) -> None:
    assert store.acquire_lock("patrol:demo", "crashed", 1) is True
    wait_until(lambda: store.lock_holder("patrol:demo") is None, timeout=10,
               what="the lock to expire")
    assert store.acquire_lock("patrol:demo", "sched-2", 60) is True
    assert store.lock_holder("patrol:demo") == "sched-2"


def test_broken_unicode_in_crawled_text_is_stored_not_fatal(store: Store) -> None:
    bad = "保本保息\ud800尾"  # a lone surrogate, as a lenient decoder leaves it
    f = make_finding(1, context=f"承诺{bad}", extra={"raw\udfff": bad})
    assert store.upsert_findings([f]) == [True]
    store.save_page(make_page("http://127.0.0.1:9/bad.html", text=bad))
    got = store.get_finding(f.id)
    assert got is not None and got.context == "承诺保本保息?尾"
    assert [h.page.url for h in store.search_pages("保本")] == ["http://127.0.0.1:9/bad.html"]
    store.review(Decision(f.id, "confirmed", "张\udc80三", T0, note="备注\ud800"))
    assert store.decisions(f.id)[0].by == "张?三"


def test_warc_pointers_round_trip_and_stay_with_the_first_capture(store: Store) -> None:
    url = "http://127.0.0.1:9/warc.html"
    page = make_page(url, warc_file="evidence/warc/demo/2026-12-01/run-1-00001.warc.gz",
                     warc_offset=123_456_789_012, warc_length=4096)
    store.save_page(page)
    assert store.get_page(page.id) == page
    first = make_finding(source=url, warc_file=page.warc_file, warc_offset=page.warc_offset,
                         warc_length=page.warc_length)
    assert store.upsert_findings([first]) == [True]
    got = store.get_finding(first.id)
    assert got is not None
    assert (got.warc_file, got.warc_offset, got.warc_length) == (
        page.warc_file, 123_456_789_012, 4096)
    # seen again in a later capture: the pointer keeps naming the capture it was found in
    again = make_finding(source=url, warc_file="evidence/warc/demo/2026-12-02/run-2-00001.warc.gz",
                         warc_offset=7, warc_length=9, last_seen=T0 + timedelta(days=1))
    assert store.upsert_findings([again]) == [False]
    got = store.get_finding(first.id)
    assert got is not None and got.warc_file == page.warc_file and got.warc_offset == 123_456_789_012
