"""`patrol tips` through the real entry point, and the tip patrol's address guard."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli import patrol
from .test_recheck import patrol_process


def test_add_list_import(capsys, tmp_path: Path) -> None:
    home = tmp_path / "var"
    code, out, _ = patrol(capsys, home, "tips", "add", "--platform", "聚财宝", "--text",
                          "电话举报：承诺年化 20%", "--url", "https://jucai.example.test/")
    assert code == 0 and "受理编号 JB-" in out
    code, _, err = patrol(capsys, home, "tips", "add", "--url", "file:///etc/passwd",
                          "--text", "x")
    assert code == 1 and "只能以 http:// 或 https:// 开头" in err and err.count("\n") == 1
    rows = tmp_path / "tips.jsonl"
    rows.write_text("\n".join([
        json.dumps({"平台名称": "鑫盈财富", "举报内容": "保本保息"}, ensure_ascii=False),
        json.dumps({"网址": "http://192.168.1.1/", "举报内容": "内网"}, ensure_ascii=False),
        "not json",
        json.dumps({"url": "https://ok.example.test/", "text": "\u202e反转<script>"}),
    ]) + "\n", encoding="utf-8")
    code, out, err = patrol(capsys, home, "tips", "import", str(rows))
    assert code == 0 and "已受理 2 条，跳过 2 条" in out
    assert "内部或保留地址" in err and "not valid JSON" in err
    code, out, _ = patrol(capsys, home, "tips", "list")
    assert code == 0 and "共 3 条" in out and "鑫盈财富" in out and "\u202e" not in out


def test_untrusted_patrol_refuses_a_loopback_start_url(tmp_path: Path) -> None:
    """A tipped URL is patrolled with no exemption: even the start URL on a loopback address
    is blocked before any request (127.0.0.1:9 would refuse a connection anyway)."""
    code, out, err = patrol_process(tmp_path / "var", "crawl", "--untrusted", "--trigger", "tip",
                                    "--json", "--no-alerts", "http://127.0.0.1:9/")
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["pages"] == 0, summary
    assert "blocked_address" in json.dumps(summary)
