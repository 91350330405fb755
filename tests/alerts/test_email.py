"""Email alerts through real aiosmtpd servers: Chinese subject and body decode, the server
down for a while, STARTTLS / TLS with login, refused addresses."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

import alerts
from tests.services.ports import free_port

from .conftest import NOW, make_finding

TO = ["duty@example.invalid", "chief@example.invalid"]


def smtp_settings(alert_settings, smtp, channels=None, **kw):  # type: ignore[no-untyped-def]
    channels = channels or {"finance_bureau": [{"type": "email", "to": TO}]}
    return alert_settings(channels, smtp_host=smtp.host, smtp_port=smtp.port,
                          smtp_from="patrol@example.invalid", **kw)


def test_subject_and_body_decode_to_chinese(store, alert_settings, smtp) -> None:  # type: ignore[no-untyped-def]
    settings = smtp_settings(alert_settings, smtp)
    f = make_finding(evidence="保本保息，零风险", rule="guaranteed_principal", kind="ad",
                     context="本产品保本保息，零风险，年化收益稳定")
    store.upsert_findings([f])
    alerts.queue_for_findings(store, settings, [f])
    assert alerts.send_due(store, settings, now=NOW).sent == 1
    [msg] = smtp.wait_for(1)
    assert msg["Subject"] == "【高风险】保本保息/零风险：127.0.0.1"
    assert msg["X-Envelope-To"] == ", ".join(TO)
    key = f"finding:{f.id}:finance_bureau:email"
    assert unquote(msg["X-Patrol-Alert-Key"]) == key
    body = msg.get_content()
    for part in ("规则：保本保息/零风险", "风险等级：高", "证据：保本保息，零风险",
                 "上下文：本产品【保本保息，零风险】，年化收益稳定", "来源类型：广告",
                 "整治方案条款：二(一)1", "牵头部门：市金融局", "本提醒发送至：市金融局",
                 "同时通知：市工商局", "发现时间：2026-03-02 14:00:00（北京时间）",
                 f"在控制台查看：http://127.0.0.1:8600/findings/{f.id}", f"提醒编号：{key}"):
        assert part in body, part


def test_smtp_down_for_a_while_then_up_delivers_each_exactly_once(store, alert_settings, smtp) -> None:  # type: ignore[no-untyped-def]
    settings = smtp_settings(alert_settings, smtp, alerts_max_attempts=8)
    found = [make_finding(evidence=f"保证年化{n}0%") for n in range(1, 4)]
    store.upsert_findings(found)
    assert alerts.queue_for_findings(store, settings, found) == 3
    smtp.down()
    for _ in range(3):
        report = alerts.send_due(store, settings, now=NOW)
        assert (report.sent, report.retried) == (0, 3)
    assert smtp.messages == []
    smtp.up()
    assert alerts.send_due(store, settings, now=NOW).sent == 3
    assert alerts.send_due(store, settings, now=NOW).sent == 0
    messages = smtp.wait_for(3)
    keys = sorted(unquote(m["X-Patrol-Alert-Key"]) for m in messages)
    assert keys == sorted(f"finding:{f.id}:finance_bureau:email" for f in found)
    for alert in store.list_alerts(kind="finding"):
        assert alert.status == "sent" and alert.attempts == 4
        assert [e["outcome"] for e in alert.attempt_log] == ["retry"] * 3 + ["sent"]
        assert "451" in alert.attempt_log[0]["detail"]


def test_server_unreachable_is_retried_then_dead_after_max_attempts(store, alert_settings) -> None:  # type: ignore[no-untyped-def]
    settings = alert_settings({"finance_bureau": [{"type": "email", "to": TO}],
                               "tech_support": [{"type": "fake"}]},
                              smtp_host="127.0.0.1", smtp_port=free_port(),
                              alerts_max_attempts=3)
    store.upsert_findings([f := make_finding()])
    alerts.queue_for_findings(store, settings, [f])
    outcomes = [alerts.send_due(store, settings, now=NOW) for _ in range(3)]
    assert [(r.retried, r.dead, r.sent) for r in outcomes] == [(1, 0, 0), (1, 0, 0), (0, 1, 1)]
    [alert] = store.list_alerts(kind="finding")
    assert alert.status == "dead" and alert.last_error.startswith("gave up after 3 attempts")
    [told] = store.list_alerts(kind="support")
    assert told.status == "sent" and alert.id in told.body


@pytest.mark.parametrize("secure_smtp, security", [("starttls", "starttls"), ("tls", "tls")],
                         indirect=["secure_smtp"])
def test_starttls_or_tls_with_login(store, alert_settings, secure_smtp, security) -> None:  # type: ignore[no-untyped-def]
    settings = alert_settings({"finance_bureau": [{"type": "email", "to": TO}]},
                              smtp_host="127.0.0.1", smtp_port=secure_smtp.port,
                              smtp_security=security, smtp_username="patrol",
                              smtp_password="口令-secret", smtp_ca_file=str(secure_smtp.cert))
    store.upsert_findings([f := make_finding()])
    alerts.queue_for_findings(store, settings, [f])
    assert alerts.send_due(store, settings, now=NOW).sent == 1
    [(authenticated, msg)] = secure_smtp.messages
    assert authenticated and secure_smtp.logins == ["patrol"]
    assert "承诺/夸大收益" in msg["Subject"]


def test_wrong_password_and_untrusted_certificate_are_dead_letters(store, alert_settings,  # type: ignore[no-untyped-def]
                                                                  secure_smtp) -> None:
    common = {"smtp_host": "127.0.0.1", "smtp_port": secure_smtp.port,
              "smtp_security": "starttls", "smtp_username": "patrol"}
    chans = {"finance_bureau": [{"type": "email", "to": TO}], "tech_support": [{"type": "fake"}]}
    wrong = alert_settings(chans, smtp_password="wrong", smtp_ca_file=str(secure_smtp.cert),
                           **common)
    store.upsert_findings([f := make_finding()])
    alerts.queue_for_findings(store, wrong, [f])
    assert alerts.send_due(store, wrong, now=NOW).dead == 1
    [dead] = store.list_alerts(status="dead", kind="finding")
    assert "SMTP 535" in dead.last_error
    untrusted = alert_settings(chans, smtp_password="口令-secret", **common)
    store.upsert_findings([g := make_finding()])
    alerts.queue_for_findings(store, untrusted, [g])
    assert alerts.send_due(store, untrusted, now=NOW).dead == 1
    assert any("certificate" in a.last_error for a in store.list_alerts(status="dead"))
    assert secure_smtp.messages == []


def test_refused_address_is_dead_and_support_told(store, alert_settings, secure_smtp, webhook) -> None:  # type: ignore[no-untyped-def]
    settings = alert_settings(
        {"finance_bureau": [{"type": "email", "to": ["nobody@example.invalid"]}],
         "aic": [{"type": "email", "to": ["nobody@example.invalid", "duty@example.invalid"]}],
         "tech_support": [{"type": "webhook", "url": f"{webhook.url}/support"}]},
        smtp_host="127.0.0.1", smtp_port=secure_smtp.port, smtp_security="starttls",
        smtp_username="patrol", smtp_password="口令-secret", smtp_ca_file=str(secure_smtp.cert))
    store.upsert_findings([f := make_finding(kind="ad")])   # 市金融局 and 市工商局
    alerts.queue_for_findings(store, settings, [f])
    report = alerts.send_due(store, settings, now=NOW)
    # 市金融局: its only address refused -> dead; 市工商局: one of two refused -> sent, and
    # support hears of both.
    assert (report.dead, report.sent) == (1, 3)
    [dead] = store.list_alerts(status="dead")
    assert dead.department == "finance_bureau" and "550" in dead.last_error
    told = [r.json()["subject"] for r in webhook.wait_for(2, "/support")]
    assert set(told) == {"【系统运维】告警部分收件人无法送达", "【系统运维】告警无法送达：市金融局 / email"}
    assert len(secure_smtp.messages) == 1


def test_bidi_and_control_characters_never_reach_the_mail(store, alert_settings, smtp) -> None:  # type: ignore[no-untyped-def]
    """A disguised domain (x\\u202emoc.evil shows as xlive.com), isolates around an operator
    name and an escape sequence in the evidence: the mail carries the text in logical order
    with every bidi control, isolate and control character removed (issue 15)."""
    from common.text import BIDI_CONTROLS

    settings = smtp_settings(alert_settings, smtp)
    f = make_finding(evidence="保证年化\u202e%81\u202c\x1b[2J", domain="x\u202emoc.evil",
                     operator="\u2067北江金服\u2069有限公司", platform="\u2066鑫盛贷\u2069",
                     source="http://x\u202emoc.evil/p")
    store.upsert_findings([f])
    alerts.queue_for_findings(store, settings, [f])
    assert alerts.send_due(store, settings, now=NOW).sent == 1
    [msg] = smtp.wait_for(1)
    body, subject = msg.get_content(), str(msg["Subject"])
    assert subject.endswith("：xmoc.evil")
    assert "证据：保证年化%81[2J" in body and "经营者：北江金服有限公司" in body
    assert "涉及平台：鑫盛贷" in body and "http://xmoc.evil/p" in body
    for text in (body, subject):
        assert not set(BIDI_CONTROLS) & set(text) and "\x1b" not in text
