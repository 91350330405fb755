"""Receivers that accept and never answer, trickle their answer, or hang up in the middle of
DATA: the delivery is cut off, retried later, and the sender is never stuck. Two senders started
at once deliver each alert once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import alerts
import findings
from settings import ROOT
from tests.services.stubborn_server import (
    StubbornServer,
    silent,
    smtp_hangs_up_in_data,
    trickle,
)

from .conftest import NOW, departments_yaml, make_finding

TO = ["duty@example.invalid"]
EMAIL = {"finance_bureau": [{"type": "email", "to": TO}]}


@pytest.fixture
def stubborn() -> Iterator[list[StubbornServer]]:
    servers: list[StubbornServer] = []
    yield servers
    for server in servers:
        server.close()


def start(servers: list[StubbornServer], behave) -> StubbornServer:  # type: ignore[no-untyped-def]
    server = StubbornServer(behave)
    servers.append(server)
    return server


def queue(store, settings, n: int = 1) -> list:  # type: ignore[no-untyped-def]
    found = [make_finding(evidence=f"保证年化{i + 1}8%") for i in range(n)]
    store.upsert_findings(found)
    assert alerts.queue_for_findings(store, settings, found) == n
    return found


def test_smtp_that_never_answers_is_retried_then_delivered_once(store, alert_settings, smtp,
                                                                stubborn) -> None:  # type: ignore[no-untyped-def]
    server = start(stubborn, silent)
    settings = alert_settings(EMAIL, smtp_host="127.0.0.1", smtp_port=server.port,
                              smtp_from="patrol@example.invalid", alerts_timeout_seconds=1)
    queue(store, settings, 2)
    report = alerts.send_due(store, settings, now=NOW)
    assert (report.sent, report.retried) == (0, 2)
    assert all("timed out" in a.last_error for a in store.list_alerts(kind="finding"))
    healthy = alert_settings(EMAIL, smtp_host=smtp.host, smtp_port=smtp.port,
                             smtp_from="patrol@example.invalid")
    assert alerts.send_due(store, healthy, now=NOW).sent == 2
    assert alerts.send_due(store, healthy, now=NOW).sent == 0
    assert len(smtp.wait_for(2)) == 2


def test_smtp_trickling_its_greeting_is_cut_at_the_deadline(store, alert_settings,
                                                           stubborn) -> None:  # type: ignore[no-untyped-def]
    # A byte every 0.2 s never lets a 1 s read timeout fire; only the whole-delivery deadline can.
    server = start(stubborn, trickle(b"220-" + b"slow " * 2000, every=0.2))
    settings = alert_settings(EMAIL, smtp_host="127.0.0.1", smtp_port=server.port,
                              smtp_from="patrol@example.invalid", alerts_timeout_seconds=1,
                              alerts_send_deadline_seconds=2)
    queue(store, settings)
    report = alerts.send_due(store, settings, now=NOW)
    assert (report.sent, report.retried) == (0, 1)
    [alert] = store.list_alerts(kind="finding")
    assert "within 2 s" in alert.last_error and alert.status == "pending"


def test_smtp_hanging_up_in_the_middle_of_data_is_retried(store, alert_settings, smtp,
                                                         stubborn) -> None:  # type: ignore[no-untyped-def]
    server = start(stubborn, smtp_hangs_up_in_data)
    settings = alert_settings(EMAIL, smtp_host="127.0.0.1", smtp_port=server.port,
                              smtp_from="patrol@example.invalid", alerts_timeout_seconds=2)
    queue(store, settings)
    report = alerts.send_due(store, settings, now=NOW)
    assert (report.sent, report.retried) == (0, 1)
    assert server.connections == 1
    healthy = alert_settings(EMAIL, smtp_host=smtp.host, smtp_port=smtp.port,
                             smtp_from="patrol@example.invalid")
    assert alerts.send_due(store, healthy, now=NOW).sent == 1
    [alert] = store.list_alerts(kind="finding")
    assert [e["outcome"] for e in alert.attempt_log] == ["retry", "sent"]


@pytest.mark.parametrize("behave, words", [
    (silent, "timed out"),
    (trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 5000, every=0.2), "within 2 s"),
])
def test_webhook_that_never_finishes_answering_is_retried(store, alert_settings, webhook,
                                                          stubborn, behave, words) -> None:  # type: ignore[no-untyped-def]
    server = start(stubborn, behave)
    hook = [{"type": "webhook", "url": f"http://127.0.0.1:{server.port}/h"}]
    settings = alert_settings({"finance_bureau": hook}, alerts_timeout_seconds=1,
                              alerts_send_deadline_seconds=2)
    queue(store, settings)
    report = alerts.send_due(store, settings, now=NOW)
    assert (report.sent, report.retried) == (0, 1)
    [alert] = store.list_alerts(kind="finding")
    assert words in alert.last_error


SEND = """
import sys, alerts, findings
from settings import load_settings
settings = load_settings(environ={}, overrides={"data_dir": sys.argv[1],
    "departments_file": sys.argv[2], "alerts_backoff_seconds": 0})
sys.stdin.readline()  # both processes are up: go
with findings.open_store(sys.argv[3]) as store:
    report = alerts.send_due(store, settings)
print(report.sent, int(report.busy))
"""


def test_two_senders_started_at_once_send_each_alert_once(tmp_path: Path, make_settings,
                                                           webhook) -> None:  # type: ignore[no-untyped-def]
    dept_file = tmp_path / "departments.yaml"
    dept_file.write_text(yaml.safe_dump(departments_yaml(
        {"finance_bureau": [{"type": "webhook", "url": f"{webhook.url}/twice"}]}),
        allow_unicode=True), encoding="utf-8")
    store_url = "sqlite:///" + str(tmp_path / "outbox.sqlite3")
    settings = make_settings(departments_file=str(dept_file), alerts_backoff_seconds=0)
    with findings.open_store(store_url) as store:
        queue(store, settings, 12)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATROL_")}
    procs = [subprocess.Popen([sys.executable, "-c", SEND, str(tmp_path / "var"), str(dept_file),
                               store_url], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate("go\n", timeout=120) for p in procs]
    results = [tuple(int(x) for x in out.split()) for out, _ in outs]
    assert sum(sent for sent, _ in results) == 12, outs
    keys = [r.json()["key"] for r in webhook.wait_for(12, "/twice")]
    assert len(keys) == len(set(keys)) == 12
    with findings.open_store(store_url) as store:
        assert alerts.send_due(store, settings).sent == 0
        assert {a.status for a in store.list_alerts(kind="finding")} == {"sent"}
