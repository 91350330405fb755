"""The test services themselves answer like the real thing (they back every other suite)."""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from email.message import EmailMessage

import redis


def test_redis_server_answers(redis_server) -> None:
    client = redis.Redis.from_url(redis_server.url)
    assert client.ping() is True
    client.set("patrol:probe", "巡查")
    assert client.get("patrol:probe").decode("utf-8") == "巡查"


def test_smtp_server_records_and_refuses_when_down(smtp) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.invalid", "b@example.invalid", "测试"
    msg.set_content("正文")
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as client:
        client.send_message(msg)
    got = smtp.wait_for(1)
    assert got[0]["Subject"] == "测试" and got[0].get_content().strip() == "正文"
    smtp.down()
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as client:
        try:
            client.send_message(msg)
            refused = False
        except smtplib.SMTPDataError as exc:
            refused = exc.smtp_code == 451
    assert refused and len(smtp.messages) == 1


def test_webhook_receiver_scripts_answers(webhook) -> None:
    webhook.script("/hook", [500])
    codes = []
    for _ in range(2):
        req = urllib.request.Request(webhook.url + "/hook", data=json.dumps({"k": "值"}).encode(),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                codes.append(resp.status)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)
    assert codes == [500, 200]
    assert [r.json() for r in webhook.wait_for(2, "/hook")] == [{"k": "值"}, {"k": "值"}]
