"""Chat robots and the generic webhook against a real HTTP receiver: each format as the vendor
documents it, the DingTalk and Feishu signatures checked the way the receiving side checks
them, and the faults: 500 then 200, 429, 400."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, unquote

import alerts
from findings import FindingRecord

from .conftest import NOW, make_finding

SECRET = "SEC0123456789abcdef"


def queue_one(store, settings, finding: FindingRecord | None = None) -> FindingRecord:
    f = finding or make_finding(evidence="保证年化18%", context="本平台保证年化18%，稳赚不赔")
    assert store.upsert_findings([f]) == [True]
    assert alerts.queue_for_findings(store, settings, [f], [True]) > 0
    return f


def test_dingtalk_markdown_with_a_signature_the_receiver_verifies(store, alert_settings, webhook) -> None:
    url = f"{webhook.url}/dingtalk/robot/send?access_token=tok123"
    settings = alert_settings({"finance_bureau": [{"type": "dingtalk", "url": url,
                                                   "secret": SECRET}]})
    f = queue_one(store, settings)
    report = alerts.send_due(store, settings, now=NOW)
    assert report.sent == 1
    [req] = webhook.wait_for(1, "/dingtalk/robot/send")
    # Receiver side, as DingTalk checks it: timestamp within an hour, sign = HMAC of it.
    q = parse_qs(req.query)
    assert q["access_token"] == ["tok123"]
    ts, sign = q["timestamp"][0], q["sign"][0]
    assert abs(int(ts) - time.time() * 1000) < 3600_000
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert sign == expected
    body = req.json()
    assert body["msgtype"] == "markdown"
    text = body["markdown"]["text"]
    assert body["markdown"]["title"].startswith("【高风险】承诺/夸大收益")
    # Markdown-active characters come out full-width: 二(一)1 reads 二（一）1.
    for part in ("承诺/夸大收益", "**风险等级**：高", "【保证年化18%】", "二（一）1",
                 "**牵头部门**：市金融局", f"(http://127.0.0.1:8600/findings/{f.id})"):
        assert part in text, part
    key = f"finding:{f.id}:finance_bureau:dingtalk"
    assert unquote(req.headers["X-Patrol-Alert-Key"]) == key
    assert key.replace("_", "＿") in text   # shown in the chat too, escaped for Markdown


def test_dingtalk_without_secret_sends_no_signature(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": [{"type": "dingtalk",
                                                   "url": f"{webhook.url}/dt?access_token=t"}]})
    queue_one(store, settings)
    alerts.send_due(store, settings, now=NOW)
    [req] = webhook.wait_for(1, "/dt")
    assert parse_qs(req.query) == {"access_token": ["t"]}


def test_wecom_markdown_within_the_size_limit(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": [{"type": "wecom",
                                                   "url": f"{webhook.url}/wecom?key=k"}]})
    long_context = "本平台保证年化18%，" + "详情请咨询客服。" * 2000
    f = queue_one(store, settings, make_finding(context=long_context))
    alerts.send_due(store, settings, now=NOW)
    [req] = webhook.wait_for(1, "/wecom")
    body = req.json()
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert "保证年化18%" in content and f.id in content


def test_feishu_post_with_signature(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": [{"type": "feishu", "secret": SECRET,
                                                   "url": f"{webhook.url}/feishu/hook/abc"}]})
    f = queue_one(store, settings)
    alerts.send_due(store, settings, now=NOW)
    [req] = webhook.wait_for(1, "/feishu/hook/abc")
    body = req.json()
    assert body["msg_type"] == "post"
    ts = body["timestamp"]
    assert abs(int(ts) - time.time()) < 3600
    expected = base64.b64encode(hmac.new(f"{ts}\n{SECRET}".encode(), b"",
                                         hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    post = body["content"]["post"]["zh_cn"]
    assert post["title"].startswith("【高风险】承诺/夸大收益")
    flat = json.dumps(post["content"], ensure_ascii=False)
    assert "保证年化18%" in flat and "市金融局" in flat
    links = [el["href"] for row in post["content"] for el in row if el["tag"] == "a"]
    assert f"http://127.0.0.1:8600/findings/{f.id}" in links


def test_generic_webhook_carries_the_key_and_an_hmac(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": [{"type": "webhook", "secret": "s3",
                                                   "url": f"{webhook.url}/hook"}]})
    f = queue_one(store, settings)
    alerts.send_due(store, settings, now=NOW)
    [req] = webhook.wait_for(1, "/hook")
    body = req.json()
    assert body["key"] == f"finding:{f.id}:finance_bureau:webhook"
    assert body["department_name"] == "市金融局" and body["severity"] == "high"
    assert body["finding_ids"] == [f.id]
    mac = "sha256=" + hmac.new(b"s3", req.body, hashlib.sha256).hexdigest()
    assert req.headers["X-Patrol-Signature"] == mac


def test_500_then_200_is_delivered_once(store, alert_settings, webhook) -> None:
    settings = alert_settings({"finance_bureau": [{"type": "webhook", "url": f"{webhook.url}/h"}]})
    webhook.script("/h", [500, 500])
    queue_one(store, settings)
    reports = [alerts.send_due(store, settings, now=NOW) for _ in range(4)]
    assert [(r.sent, r.retried) for r in reports] == [(0, 1), (0, 1), (1, 0), (0, 0)]
    assert len(webhook.wait_for(3, "/h")) == 3
    [alert] = store.list_alerts(kind="finding")
    assert alert.status == "sent" and alert.attempts == 3
    assert [e["outcome"] for e in alert.attempt_log] == ["retry", "retry", "sent"]


def test_429_is_retried_after_retry_after_not_dropped(store, alert_settings, webhook) -> None:
    from datetime import timedelta

    settings = alert_settings({"finance_bureau": [{"type": "wecom", "url": f"{webhook.url}/w"}]})
    webhook.script("/w", [429])
    queue_one(store, settings)
    first = alerts.send_due(store, settings, now=NOW)
    assert first.retried == 1
    [alert] = store.list_alerts(kind="finding")
    assert alert.status == "pending"
    assert alert.next_attempt_at == NOW + timedelta(seconds=1)   # the receiver's Retry-After
    assert alerts.send_due(store, settings, now=NOW).sent == 0   # not yet due
    assert alerts.send_due(store, settings, now=NOW + timedelta(seconds=1)).sent == 1
    assert len(webhook.wait_for(2, "/w")) == 2


def test_robot_rate_limit_errcode_in_a_200_is_retried(store, alert_settings, webhook) -> None:
    from alerts.channels.http import Answer, classify

    assert classify(Answer(200, {}, '{"errcode":130101,"errmsg":"send too fast"}'),
                    frozenset({130101})).outcome == "retry"
    assert classify(Answer(200, {}, '{"errcode":310000,"errmsg":"sign not match"}'),
                    frozenset({130101})).outcome == "dead"
    assert classify(Answer(200, {}, '{"code":0,"msg":"success"}')).outcome == "sent"


def test_400_is_a_dead_letter_and_support_is_told(store, alert_settings, webhook) -> None:
    settings = alert_settings({
        "finance_bureau": [{"type": "dingtalk", "url": f"{webhook.url}/bad?access_token=x"}],
        "tech_support": [{"type": "webhook", "url": f"{webhook.url}/support"}],
    })
    webhook.script("/bad", [400])
    queue_one(store, settings)
    first = alerts.send_due(store, settings, now=NOW)
    # The dead letter, and the support message it caused, sent in the same pass.
    assert (first.dead, first.sent) == (1, 1)
    [dead] = store.list_alerts(status="dead")
    assert dead.department == "finance_bureau" and "HTTP 400" in dead.last_error
    [told] = webhook.wait_for(1, "/support")
    body = told.json()
    assert body["kind"] == "support" and "告警无法送达：市金融局" in body["subject"]
    assert dead.id in body["text"]
    # Nothing more: the dead letter is not retried on its own, support is told once.
    assert alerts.send_due(store, settings, now=NOW).sent == 0
    assert len(webhook.wait_for(1, "/bad")) == 1
