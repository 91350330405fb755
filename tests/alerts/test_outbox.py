"""The outbox: written before sending, once per key, resumed after a restart, delayed (never
dropped) by quiet hours and rate limits, digests of the non-urgent findings, dry runs."""

from __future__ import annotations

from datetime import datetime, timedelta

import alerts
import findings
from alerts.outbox import NEVER

from .conftest import NOW, make_finding


def hook(webhook, path="/h"):
    return [{"type": "webhook", "url": f"{webhook.url}{path}"}]


def test_repatrolling_the_same_violation_never_alerts_twice(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": hook(webhook)})
    f = make_finding(source="http://127.0.0.1:9/p2p")
    flags = store.upsert_findings([f])
    assert alerts.queue_for_findings(store, settings, [f], flags) == 1
    assert alerts.send_due(store, settings, now=NOW).sent == 1
    # The next patrol sees the same violation: the store says it is not new...
    again = make_finding(source="http://127.0.0.1:9/p2p", captured_at=NOW + timedelta(hours=1))
    flags = store.upsert_findings([again])
    assert flags == [False]
    assert alerts.queue_for_findings(store, settings, [again], flags) == 0
    # ...and even a caller that insists gets nothing new: the key exists.
    assert alerts.queue_for_findings(store, settings, [again], [True]) == 0
    assert alerts.send_due(store, settings, now=NOW + timedelta(hours=1)).sent == 0
    assert len(webhook.wait_for(1, "/h")) == 1


def test_written_before_sent_and_resumed_by_a_new_sender(tmp_path, alert_settings, webhook) -> None:
    url = "sqlite:///" + str(tmp_path / "resume.sqlite3")
    settings = alert_settings({"finance_bureau": hook(webhook)}, alerts_rate_per_minute=2)
    found = [make_finding(evidence=f"年化{n}5%") for n in range(1, 6)]
    with findings.open_store(url) as store:
        store.upsert_findings(found)
        assert alerts.queue_for_findings(store, settings, found) == 5
        assert [a.status for a in store.list_alerts()] == ["pending"] * 5
        report = alerts.send_due(store, settings, now=NOW)
        assert (report.sent, report.deferred) == (2, 3)       # rate limit: 2 a minute
        waiting = store.list_alerts(status="pending")
        assert {a.next_attempt_at for a in waiting} == {NOW + timedelta(minutes=1)}
        assert waiting[0].attempt_log[-1]["outcome"] == "deferred"
    # A new process on the same file picks up where the first stopped.
    with findings.open_store(url) as store:
        assert alerts.send_due(store, settings, now=NOW + timedelta(seconds=30)).sent == 0
        assert alerts.send_due(store, settings, now=NOW + timedelta(minutes=1)).sent == 2
        assert alerts.send_due(store, settings, now=NOW + timedelta(minutes=2)).sent == 1
        assert [a.status for a in store.list_alerts()] == ["sent"] * 5
    keys = [r.json()["key"] for r in webhook.wait_for(5, "/h")]
    assert len(keys) == len(set(keys)) == 5


def test_only_one_sender_at_a_time(store, alert_settings) -> None:
    from alerts.sender import LOCK_NAME

    settings = alert_settings({"finance_bureau": [{"type": "fake"}]})
    store.upsert_findings([f := make_finding()])
    alerts.queue_for_findings(store, settings, [f])
    assert store.acquire_lock(LOCK_NAME, "other-host:123:abc", 60)
    report = alerts.send_due(store, settings, now=NOW)
    assert report.busy and report.sent == 0
    store.release_lock(LOCK_NAME, "other-host:123:abc")
    assert alerts.send_due(store, settings, now=NOW).sent == 1


def test_quiet_hours_hold_back_all_but_urgent(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": hook(webhook)}, alerts_quiet_hours="22:00-07:00")
    night = datetime.fromisoformat("2026-03-02T15:30:00+00:00")     # 23:30 in Qingyuan
    high = make_finding(severity="high", evidence="保证年化20%", captured_at=night)
    medium = make_finding(severity="medium", evidence="年化8%", captured_at=night)
    store.upsert_findings([high, medium])
    alerts.queue_for_findings(store, settings, [high, medium], now=night)
    assert alerts.run_digest(store, settings, now=night) == 1
    report = alerts.send_due(store, settings, now=night)
    assert (report.sent, report.deferred) == (1, 1)              # the high one goes at once
    [digest] = store.list_alerts(kind="digest")
    morning = datetime.fromisoformat("2026-03-02T23:00:00+00:00")   # 07:00 next day
    assert digest.status == "pending" and digest.next_attempt_at == morning
    assert alerts.send_due(store, settings, now=morning - timedelta(minutes=1)).sent == 0
    assert alerts.send_due(store, settings, now=morning).sent == 1
    kinds = [r.json()["kind"] for r in webhook.wait_for(2, "/h")]
    assert kinds == ["finding", "digest"]


def test_digest_groups_non_urgent_findings_per_department(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": hook(webhook, "/fin"), "aic": hook(webhook, "/aic"),
                               "housing_bureau": hook(webhook, "/house")},
                              alerts_digest_minutes=60)
    batch = ([make_finding(severity="medium", evidence=f"年化{n}%") for n in (6, 7, 8)]
             + [make_finding(rule="guaranteed_principal", severity="low", evidence="本息保障",
                             kind="ad")]
             + [make_finding(rule="real_estate_finance", severity="medium", evidence="首付贷")])
    store.upsert_findings(batch)
    # Non-urgent findings wait for the digest: nothing is due yet.
    assert alerts.queue_for_findings(store, settings, batch) == 6   # 5 for 市金融局/工商局/住建
    assert alerts.send_due(store, settings, now=NOW).sent == 0
    assert {a.next_attempt_at for a in store.list_alerts(kind="digest_item")} == {NEVER}
    assert alerts.run_digest(store, settings, now=NOW) == 3
    assert alerts.send_due(store, settings, now=NOW).sent == 3
    [fin] = webhook.wait_for(1, "/fin")
    text = fin.json()["text"]
    assert fin.json()["subject"] == "【巡查汇总】市金融局：新增中低风险线索 4 条"
    assert "承诺/夸大收益：3 条（中 3）" in text and "保本保息/零风险：1 条（低 1）" in text
    assert "1：[中] 承诺/夸大收益：“年化" in text and "/findings/" in text
    assert len(fin.json()["finding_ids"]) == 4
    [aic] = webhook.wait_for(1, "/aic")
    assert aic.json()["subject"].endswith("新增中低风险线索 1 条")
    # In the same period new items wait; the next period carries only them.
    late = make_finding(severity="medium", evidence="年化9%")
    store.upsert_findings([late])
    alerts.queue_for_findings(store, settings, [late])
    assert alerts.run_digest(store, settings, now=NOW + timedelta(minutes=30)) == 0
    assert alerts.run_digest(store, settings, now=NOW + timedelta(minutes=60)) == 1
    alerts.send_due(store, settings, now=NOW + timedelta(minutes=60))
    second = webhook.wait_for(2, "/fin")[1].json()
    assert second["finding_ids"] == [late.id] and second["subject"].endswith("线索 1 条")


def test_dry_run_prints_and_changes_nothing(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": hook(webhook)}, alerts_dry_run=True)
    store.upsert_findings([f := make_finding()])
    alerts.queue_for_findings(store, settings, [f])
    printed: list[str] = []
    report = alerts.send_due(store, settings, now=NOW, echo=printed.append)
    assert report.skipped == 1 and report.sent == 0
    assert "演练，未发送" in printed[0] and "保证年化18%" in printed[0]
    [alert] = store.list_alerts()
    assert (alert.status, alert.attempts, alert.attempt_log) == ("pending", 0, [])
    assert webhook.requests == []


def test_department_without_channels_is_a_visible_dead_letter(store, alert_settings) -> None:
    settings = alert_settings({"tech_support": [{"type": "fake"}]})
    store.upsert_findings([f := make_finding()])
    alerts.queue_for_findings(store, settings, [f])
    report = alerts.send_due(store, settings, now=NOW)
    assert (report.dead, report.sent) == (1, 1)
    [dead] = store.list_alerts(status="dead")
    assert dead.department == "finance_bureau" and "no channels" in dead.last_error
    assert store.list_alerts(kind="support")[0].status == "sent"


def test_notify_support_is_idempotent_by_key(store, alert_settings, webhook) -> None:
    settings = alert_settings({"tech_support": hook(webhook, "/s")})
    assert alerts.notify_support(store, settings, "巡查失败：示例网站", "退出码 1", key="run:abc:failed")
    assert not alerts.notify_support(store, settings, "巡查失败：示例网站", "退出码 1",
                                     key="run:abc:failed")
    alerts.send_due(store, settings, now=NOW)
    [req] = webhook.wait_for(1, "/s")
    assert req.json()["subject"] == "【系统运维】巡查失败：示例网站"
