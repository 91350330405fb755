"""The support room: targets and schedules from the config files, recent runs, run logs, and
who may start a patrol."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from findings import PatrolRun, utcnow
from patrols.service import CrawlReport, finish_run

from .conftest import Console, csrf_of

TARGETS = """targets:
  - name: alpha
    start_urls: ['http://127.0.0.1:9/alpha/']
    kind: p2p
    schedule_group: nightly
    description: 某某理财平台
  - name: beta
    start_urls: ['http://127.0.0.2:9/beta/']
    kind: ads
    schedule_group: ads
"""
SCHEDULES = """timezone: Asia/Shanghai
schedules:
  nightly:
    group: nightly
    cron: "30 2 * * *"
  ads-often:
    target: beta
    interval: {hours: 4}
"""


def config_files(tmp_path: Path) -> dict[str, str]:
    targets, schedules = tmp_path / "targets.yaml", tmp_path / "schedules.yaml"
    targets.write_text(TARGETS, encoding="utf-8")
    schedules.write_text(SCHEDULES, encoding="utf-8")
    return {"targets_file": str(targets), "schedules_file": str(schedules)}


def test_targets_schedules_and_next_run_times(console_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(**config_files(tmp_path))
    html = console.client("support").get("/patrols").get_data(as_text=True)
    assert 'data-target="alpha"' in html and 'data-target="beta"' in html
    assert 'href="http://127.0.0.1:9/alpha/"' in html and "某某理财平台" in html
    assert "nightly" in html and "ads-often" in html
    assert " 02:30" in html          # next run of the nightly cron, in China time
    assert html.count("立即巡查") == 2


def test_a_target_the_crawler_refuses_is_refused_here_with_file_line_and_key(  # type: ignore[no-untyped-def]
        console_factory, tmp_path: Path) -> None:
    """One truth for targets.yaml: the `urls` key and a javascript: start URL, which the crawler
    refuses, are refused by the console too (it once accepted both), naming file, line, key."""
    from crawler.targets import load_targets
    from settings import ConfigError

    files = config_files(tmp_path)
    path = Path(files["targets_file"])
    for bad, line, key in ((TARGETS.replace("start_urls: ['http://127.0.0.1:9/alpha/']",
                                            "urls: ['http://127.0.0.1:9/alpha/']"),
                            3, "targets[0].urls"),
                           (TARGETS.replace("http://127.0.0.2:9/beta/", "javascript:alert(1)"),
                            8, "targets[1].start_urls[0]")):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError) as crawler_says:
            load_targets(path)
        assert (crawler_says.value.where, crawler_says.value.key) == (f"{path}:{line}", key)
        html = console_factory(**files).client("support").get("/patrols").get_data(as_text=True)
        assert "巡查目标有误" in html and f"{path}:{line}" in html and key in html
        assert 'data-target="alpha"' not in html and 'href="javascript' not in html


def test_missing_config_files_are_reported_not_fatal(console_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(targets_file=str(tmp_path / "none.yaml"),
                              schedules_file=str(tmp_path / "none2.yaml"))
    response = console.client("support").get("/patrols")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "未找到巡查目标文件" in html and "未找到巡查计划文件" in html


def test_broken_schedules_file_names_the_problem(console_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = config_files(tmp_path)
    Path(files["schedules_file"]).write_text("schedules:\n  x:\n    target: nope\n    cron: '* * * * *'\n")
    html = console_factory(**files).client("support").get("/patrols").get_data(as_text=True)
    assert "巡查计划有误" in html and "nope" in html


def test_recent_runs_with_pages_findings_errors_duration_and_log(console: Console) -> None:
    started = utcnow() - timedelta(minutes=5)
    log_rel = "logs/patrol/alpha-1.log"
    console.settings.data_path(*log_rel.split("/")).write_text(
        "2026 INFO crawl started\n<script>alert(1)</script>\n", encoding="utf-8")
    ok = PatrolRun(id="run-ok", target="alpha", started_at=started,
                   ended_at=started + timedelta(seconds=95), status="ok", pages=12, findings=3,
                   errors={"timeout": 2, "dns": 1}, log_path=log_rel)
    escaping = PatrolRun(id="run-bad", target="beta", started_at=started, status="failed",
                         log_path="../../../../etc/passwd")
    absolute = PatrolRun(id="run-abs", target="beta", started_at=started, status="failed",
                         log_path="/etc/passwd")
    for run in (ok, escaping, absolute):
        console.store.save_run(run)
    client = console.client("support")
    html = client.get("/patrols").get_data(as_text=True)
    assert "1 分 35 秒" in html and "<td>12</td><td>3</td><td>3</td>" in html
    detail = client.get("/patrols/runs/run-ok").get_data(as_text=True)
    assert "timeout" in detail and "查看运行日志" in detail
    log = client.get("/patrols/runs/run-ok/log").get_data(as_text=True)
    assert "crawl started" in log and "&lt;script&gt;alert(1)&lt;/script&gt;" in log
    for run_id in ("run-bad", "run-abs", "no-such-run"):
        assert client.get(f"/patrols/runs/{run_id}/log").status_code == 404


def test_a_degraded_run_shows_what_went_wrong(console: Console) -> None:
    started = utcnow() - timedelta(hours=2)
    console.store.save_run(PatrolRun(id="run-before", target="alpha", started_at=started,
                                     ended_at=started, status="ok", pages=40))
    run = PatrolRun(id="run-now", target="alpha", started_at=utcnow())
    console.store.save_run(run)
    finish_run(console.settings, console.store, run,
               CrawlReport({"pages": 6, "errors": {"http_503": 30}}, "finished"))
    client = console.client("support")
    html = client.get("/patrols").get_data(as_text=True)
    row = html.split('class="run-degraded"')[1].split("</tr>")[0]
    assert "异常" in row and "不到上次巡查（run-before，40 个）的一半" in row
    detail = client.get("/patrols/runs/run-now").get_data(as_text=True)
    assert 'id="health"' in detail and "no_sharp_drop" in detail


def test_commerce_may_not_start_a_patrol_or_send_test_messages(console_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(**config_files(tmp_path))
    client = console.client("commerce")
    token = csrf_of(client, "/review")
    assert client.post("/patrols/run", data={"target": "alpha", "csrf_token": token}).status_code == 403
    assert client.post("/patrols/test-alert", data={"department": "市金融局",
                                                    "csrf_token": token}).status_code == 403
    assert client.get("/patrols/runs/x").status_code == 403
    assert console.store.list_runs() == []


def test_unknown_target_is_refused_before_anything_starts(console_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(**config_files(tmp_path))
    client = console.client("support")
    token = csrf_of(client, "/patrols")
    for target in ("gamma", "--help", ""):
        response = client.post("/patrols/run", data={"target": target, "csrf_token": token})
        assert response.status_code == 404
    assert not (console.settings.data_dir / "logs" / "console").exists()


def test_support_sends_a_test_message_to_a_department(console: Console) -> None:
    client = console.client("support")
    token = csrf_of(client, "/patrols")
    response = client.post("/patrols/test-alert", data={"department": "市金融局",
                                                        "csrf_token": token})
    assert "已向 市金融局 发出测试消息" in client.get(response.headers["Location"]).get_data(as_text=True)
    sent = console.store.list_alerts(kind="test")
    assert sent and sent[0].status == "sent"
