"""`patrol alerts` commands on a real store file and a real receiver."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

import alerts
import findings
from cli.main import cli

from .conftest import departments_yaml, make_finding


def run(tmp_path: Path, dept_file: Path, *args: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, [
        "--data-dir", str(tmp_path / "var"), "--set", f"departments_file={dept_file}",
        "--set", "alerts_backoff_seconds=0",
        "--set", "store_url=sqlite:///" + str(tmp_path / "cli.sqlite3"), "alerts", *args])
    return result


def test_list_send_retry_test_digest(tmp_path: Path, make_settings, webhook) -> None:  # type: ignore[no-untyped-def]
    dept_file = tmp_path / "departments.yaml"
    dept_file.write_text(yaml.safe_dump(departments_yaml({
        "finance_bureau": [{"type": "wecom", "url": f"{webhook.url}/fin?key=k"}],
        "tech_support": [{"type": "webhook", "url": f"{webhook.url}/support"}]}),
        allow_unicode=True), encoding="utf-8")
    settings = make_settings(departments_file=str(dept_file),
                             store_url="sqlite:///" + str(tmp_path / "cli.sqlite3"))
    with findings.open_store(settings["store_url"]) as store:
        found = [make_finding(), make_finding(severity="medium", evidence="年化8%")]
        store.upsert_findings(found)
        alerts.queue_for_findings(store, settings, found)

    dry = run(tmp_path, dept_file, "send", "--dry-run")
    assert dry.exit_code == 0 and "演练，未发送" in dry.output and "演练未发送 1 条" in dry.output
    assert webhook.requests == []

    webhook.script("/fin", [400])
    sent = run(tmp_path, dept_file, "send")
    assert sent.exit_code == 0, sent.output
    assert "发送失败 1 条" in sent.output
    dead = run(tmp_path, dept_file, "list", "--status", "dead")
    [line] = [ln for ln in dead.output.splitlines() if "发送失败" in ln]
    alert_id = line.split()[0]
    assert "市金融局/wecom" in line and "HTTP 400" in line

    retried = run(tmp_path, dept_file, "retry", alert_id)
    assert retried.exit_code == 0 and "已发送 1 条" in retried.output
    again = run(tmp_path, dept_file, "retry", alert_id)
    assert again.exit_code == 1 and "已经发送" in again.output
    assert len(webhook.wait_for(2, "/fin")) == 2

    digest = run(tmp_path, dept_file, "digest", "--force")
    assert "已生成汇总告警 1 条" in digest.output
    assert "已发送 1 条" in run(tmp_path, dept_file, "send").output
    assert run(tmp_path, dept_file, "list", "--kind", "digest").output.count("已发送") == 1

    test = run(tmp_path, dept_file, "test", "市金融局")
    assert test.exit_code == 0 and "已发送 1 条" in test.output
    assert "【测试消息】市金融局" in webhook.wait_for(4, "/fin")[-1].json()["markdown"]["content"]
    unknown = run(tmp_path, dept_file, "test", "市财政局")
    assert unknown.exit_code == 1 and "没有这个部门" in unknown.output

    assert "未发现舆情突增" in run(tmp_path, dept_file, "spikes").output
    listing = run(tmp_path, dept_file, "departments").output
    assert "finance_bureau" in listing and "技术支撑组（技术支撑）" in listing
