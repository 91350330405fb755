"""Register by patrol, classify 整改, the deadline passes, re-patrol, the lead department is
alerted — on the real demo site, through `patrol crawl` and `patrol platforms`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from console.users import UserStore
from demo.server import start_sites, stop_sites
from findings import FindingQuery
from findings.open import store_from_settings
from platforms import open_ledger
from settings import load_settings

from .test_cli import patrol

ROOT = Path(__file__).resolve().parents[2]


def patrol_process(home: Path, *args: str) -> tuple[int, str, str]:
    """A command that crawls runs in its own process (Twisted's reactor starts once per
    process), still through cli.main.main()."""
    proc = subprocess.run([sys.executable, "-m", "cli.main", "--data-dir", str(home), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                               "PYTHONPATH": str(ROOT)})
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def jucaibao() -> Iterator[str]:
    sites = start_sites(fixed_ports=False)
    try:
        yield next(s.url for s in sites if s.name == "jucaibao")
    finally:
        stop_sites(sites)


def test_patrol_registers_then_overdue_rectification_alerts(capsys, tmp_path: Path,
                                                            jucaibao: str) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(yaml.safe_dump({"targets": [{
        "name": "jcb", "start_urls": [jucaibao], "kind": "p2p", "platform": "聚财宝",
        "max_pages": 30}]}, allow_unicode=True), encoding="utf-8")
    home = tmp_path / "var"
    opts = ["--set", f"targets_file={targets}", "--set", "crawl_render=never",
            "--set", "crawl_screenshots=false"]
    settings = load_settings(environ={}, overrides={"data_dir": str(home)})
    users = UserStore.from_settings(settings)
    users.add("fin", "finance", "correct-horse-42")
    users.close()

    code, out, err = patrol_process(home, *opts, "crawl", "--target", "jcb")
    assert code == 0, err
    with open_ledger(settings) as ledger:
        p = ledger.by_name("聚财宝")
        assert p is not None and p.targets == ["jcb"] and p.kind == "P2P网贷"
        assert p.score > 0 and p.proposed in ("整改", "取缔") and ledger.scores(p.id)
        posture = ledger.scores(p.id)[0].posture        # from the evidence the patrol kept
        assert posture["pages"] > 3 and posture["icp_shown"] == "粤ICP备20990001号"
        products = {pr.name: pr for pr in ledger.products(p.id)}
        assert products and max(pr.annual_rate for pr in products.values()) >= 18.0

    code, out, err = patrol(capsys, home, *opts, "platforms", "classify", "聚财宝", "整改",
                            "--reason", "限期整改虚假宣传", "--by", "fin", "--deadline", "2099-06-30")
    assert code == 0, err
    code, out, _ = patrol(capsys, home, *opts, "platforms", "recheck", "--as-of", "2099-06-01")
    assert code == 0 and "没有整改期限已过的平台" in out

    code, out, err = patrol_process(home, *opts, "platforms", "recheck", "--as-of", "2099-07-02")
    assert code == 0, err
    assert "仍有" in out and "已告警 清远银监分局（新排队 1 条）" in out
    with store_from_settings(settings) as store:
        runs = [r for r in store.list_runs(target="jcb") if r.trigger == "recheck"]
        assert len(runs) == 1 and runs[0].status == "ok"
        [alert] = store.list_alerts(kind="rectification")
        assert alert.department == "cbrc_qingyuan" and "整改期限：2099-06-30 23:59" in alert.body
        assert alert.subject.startswith("【整改逾期】聚财宝") and alert.finding_ids
        assert store.count_findings(FindingQuery(targets=["jcb"]), by="rule")
    # a second check the same day does not alert twice
    code, out, _ = patrol(capsys, home, *opts, "platforms", "recheck", "--as-of", "2099-07-02",
                          "--no-patrol")
    assert code == 0 and "新排队 0 条" in out
    with open_ledger(settings) as ledger:
        assert [e.action for e in ledger.events(p.id)][-2:] == ["rechecked", "rechecked"]
