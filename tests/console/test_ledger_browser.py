"""The ledger's workflow in real headless Chromium: register by patrol (the console's run-now
button on the demo site), score, propose, classify with a reason and a deadline, the deadline
passes, re-patrol (`patrol platforms recheck`), the lead department is alerted."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from demo.server import start_sites, stop_sites
from platforms import open_ledger
from settings import ROOT
from tests.services.ports import wait_until

from .test_browser import Live, live, page, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture
def jucaibao() -> Iterator[str]:
    sites = start_sites(fixed_ports=False)
    try:
        yield next(s.url for s in sites if s.name == "jucaibao")
    finally:
        stop_sites(sites)


def test_register_score_classify_deadline_recheck_alert(live: Callable[..., Live],  # noqa: F811
                                                        page: Any, jucaibao: str,  # noqa: F811
                                                        tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(yaml.safe_dump({"targets": [{
        "name": "jcb", "start_urls": [jucaibao], "kind": "p2p", "platform": "聚财宝",
        "max_pages": 30}]}, allow_unicode=True), encoding="utf-8")
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text("schedules: {}\n", encoding="utf-8")
    server = live(targets_file=str(targets), schedules_file=str(schedules),
                  crawl_render="never", crawl_screenshots=False)
    settings, store = server.console.settings, server.console.store

    # 1. register by patrol: support starts the target from the console
    sign_in(page, server, "support")
    page.click("tr[data-target=jcb] button:text('立即巡查')")

    def registered() -> bool:
        runs = store.list_runs("jcb")
        if not runs or runs[0].status == "running" or not runs[0].log_path:
            return False
        with open_ledger(settings) as ledger:
            p = ledger.by_name("聚财宝")
            return p is not None and bool(ledger.scores(p.id))

    wait_until(registered, 120, interval=0.2, what="the patrol to register the platform")

    # 2. score and proposal in the 平台台账 room
    page.context.clear_cookies()
    sign_in(page, server, "finance")
    page.click("nav.rooms a:text('平台台账')")
    row = page.locator("#platforms tbody tr", has_text="聚财宝")
    assert "P2P网贷" in row.inner_text() and "清远银监分局" in row.inner_text()
    row.locator("a").first.click()
    score = page.inner_text("#score h2")
    assert "风险评分" in score and ("取缔" in score or "整改" in score)
    assert "承诺/夸大收益" in page.inner_text("#score")
    assert page.locator("#products tbody tr").count() >= 1
    assert "jcb" in page.inner_text("#runs") and "页面" in page.inner_text("#runs")

    # 3. classify 整改 with a reason and a deadline
    page.select_option("select[name=classification]", "整改")
    page.fill("input[name=deadline]", "2099-01-31")
    page.fill("input[name=reason]", "虚假宣传，限期整改")
    page.click("#classify button[type=submit]")
    assert "已将 聚财宝 分类为 整改" in page.inner_text("p.flash-ok")
    assert "整改期限 2099-01-31" in page.inner_text("#current-class")
    assert "虚假宣传，限期整改" in page.inner_text("#class-history")

    # 4. the deadline passes: the daily recheck patrols again and alerts the lead department
    site = settings.data_path("console", "run-now-settings.yaml")    # the console's settings
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", str(site), "platforms", "recheck",
         "--as-of", "2099-02-01"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "已告警 清远银监分局（新排队 1 条）" in proc.stdout
    [alert] = store.list_alerts(kind="rectification")
    assert alert.subject.startswith("【整改逾期】聚财宝") and alert.department == "cbrc_qingyuan"
    assert any(r.trigger == "recheck" and r.status == "ok" for r in store.list_runs("jcb"))
    page.reload()
    assert "整改复查 · 在案发现" in page.inner_text("#history")
