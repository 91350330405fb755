"""`patrol demo` end to end: demo sites up, patrolled, stored, alerts queued, summary shown."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from findings import FindingQuery
from findings.open import open_store
from tests.mockserver import ROOT

pytestmark = pytest.mark.browser


def _count(output: str, title: str) -> int:
    match = re.search(re.escape(title) + r"：(\d+) 条", output)
    assert match, f"{title!r} missing from the demo summary"
    return int(match.group(1))


def test_demo(tmp_path: Path, chromium_path: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path), "--set",
         f"chromium_path={chromium_path}", "demo"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _count(out, "浏览器渲染页面上的发现") > 0
    assert _count(out, "GBK 编码页面（无字符集声明）上的发现") > 0
    assert _count(out, "仅在站点地图中列出的页面上的发现") > 0
    assert "按牵头部门" in out and "演示账号" in out and "patrol serve" in out
    queued = int(re.search(r"本次新排队 (\d+) 条", out).group(1))
    assert queued > 0
    with open_store(f"sqlite:///{tmp_path / 'patrol.sqlite3'}") as store:
        counts = store.count_findings(FindingQuery(), by="rule")
        assert {"promised_return", "guaranteed_principal", "real_estate_finance",
                "margin_financing", "unlicensed_payment", "restricted_name"} <= set(counts)
        assert len(store.list_alerts(limit=1000)) == queued
        runs = store.list_runs()
        assert {r.target for r in runs} == {"demo-jucaibao", "demo-xinying", "demo-ads"}
        assert all(r.status == "ok" and r.trigger == "demo" for r in runs)
    evidence = list((tmp_path / "evidence").rglob("*.png"))
    assert evidence, "no screenshot evidence"
    assert list((tmp_path / "evidence" / "warc").rglob("*.warc.gz")), "no WARC files"
    # the demo ends with a case package, verified, and says where it is
    package = tmp_path / "cases" / "demo-case.zip"
    assert f"已导出：{package}" in out and "核验通过" in out
    from evidence.verify import verify_package

    assert verify_package(package).ok
