"""The hostile mock site patrolled by two workers (with Chromium) gives what a single-process
patrol gives: the same findings, the same requests to the site, nothing to another host; the
address guard, size and bomb limits, charsets, rendering and operator checks all hold."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from settings import ROOT
from tests.crawler.conftest import TEST_SETTINGS, _env, write_targets

pytestmark = pytest.mark.browser


def patrol(home: Path, settings: dict[str, Any], *args: str) -> list[str]:
    sets = [x for k, v in {**TEST_SETTINGS, **settings}.items() for x in ("--set", f"{k}={v}")]
    return [sys.executable, "-m", "cli.main", "--data-dir", str(home), *sets, *args]


def crawl(home: Path, settings: dict[str, Any], *extra: str) -> dict[str, Any]:
    done = subprocess.run(patrol(home, settings, "crawl", "--target", "hostile", "--json",
                                 *extra), cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


def findings(home: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(home / "patrol.sqlite3") as conn:
        return sorted(conn.execute("SELECT id, rule, source FROM findings"))


def test_two_workers_patrol_the_hostile_site_like_one_process(
        mockserver: Any, chromium_path: str, redis_aof: Any, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "targets.yaml", [{
        "name": "hostile", "start_urls": [mockserver.url("/")], "kind": "p2p",
        "max_pages": 200, "depth": 4, "tags": ["test"]}])
    settings = {"targets_file": str(targets), "chromium_path": chromium_path}
    mockserver.clear_log()
    single = crawl(tmp_path / "single", settings)
    single_log = mockserver.log()

    mockserver.clear_log()
    distributed = {**settings, "redis_url": redis_aof.url}
    workers = [subprocess.Popen(patrol(tmp_path / "workers", distributed, "worker"), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
               for _ in range(2)]
    try:
        result = crawl(tmp_path / "workers", distributed, "--distributed")
    finally:
        for worker in workers:
            worker.kill()
            worker.wait(30)
    log = mockserver.log()

    assert result["status"] == single["status"] == "ok"
    # Pages that need no browser give the same findings; rendered pages depend on the
    # browser's timing under load (as in one process), so there only rendering is checked.
    assert static(findings(tmp_path / "workers")) == static(findings(tmp_path / "single"))
    assert result["rendered"] >= 1 and result["operators"]   # rendering, operator check
    assert [e for e in log if e["host"] != "127.0.0.1"] == []
    paths = {e["path"] for e in log} ^ {e["path"] for e in single_log}
    assert {p for p in paths if not p.startswith(BROWSER_PATHS)} == set()
    # every kind of refusal is still counted (a refused link once per run, not per sighting)
    assert set(result["skips"]) == set(single["skips"])


BROWSER_PATHS = ("/js/", "/api/")   # what only the browser loads


def static(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [r for r in rows if "/js/" not in r[2] and not r[2].startswith("site:")]
