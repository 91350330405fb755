"""Chromium killed in the middle of a patrol, and a page whose script never yields: the pages
being rendered are recorded as failed (and read from their static HTML), the browser is
started again and the patrol goes on to the end."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.conftest import TEST_SETTINGS, _env, write_targets
from tests.mockserver import ROOT
from tests.mockserver.site import CRASH_PAGES

pytestmark = pytest.mark.browser


def _children(pid: int) -> list[int]:
    """Every descendant process of `pid` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _browser_processes(pid: int) -> list[int]:
    """The Chromium browser processes (not renderers) started by the patrol `pid`."""
    out = []
    for child in _children(pid):
        try:
            cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and b"chrom" in cmd[0] and b"--type=" not in b" ".join(cmd):
            out.append(child)
    return out


def _wait_for(condition: Any, deadline_s: float, what: str) -> Any:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)   # polling a condition, with a deadline
    raise AssertionError(f"timed out waiting for {what}")


def test_browser_killed_mid_patrol_and_hung_renderer(mockserver: Any, chromium_path: str,
                                                      tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "targets.yaml", [{
        "name": "faults", "start_urls": [mockserver.url("/crash/")], "render": "always",
        "max_pages": 40, "depth": 1, "sitemaps": False}])
    sets = {**TEST_SETTINGS, "targets_file": str(targets), "chromium_path": chromium_path,
            "crawl_render_pages": 2, "ocr_enabled": False,
            "crawl_max_pages_per_pattern": 100}
    cmd = [sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path),
           *[a for k, v in sets.items() for a in ("--set", f"{k}={v}")],
           "crawl", "--target", "faults", "--json", "--no-alerts"]
    mockserver.clear_log()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # a few script pages rendered (or being rendered): kill the browser under them
        _wait_for(lambda: sum(e["path"].startswith("/crash/") and e["path"][7:8].isdigit()
                              for e in mockserver.log()) >= 6, 90, "pages being rendered")
        browsers = _wait_for(lambda: _browser_processes(proc.pid), 30, "the browser process")
        killed_at = time.time()
        for pid in browsers:
            os.kill(pid, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr[-3000:]
    summary = json.loads([line for line in stdout.splitlines() if line.startswith("{")][-1])
    assert summary["status"] == "ok"
    assert summary["errors"].get("render_failed", 0) >= 1
    # every page was recorded (failed renders from their static HTML), the hung one too
    with sqlite3.connect(tmp_path / "patrol.sqlite3") as db:
        urls = {r[0] for r in db.execute("SELECT url FROM pages")}
        found = {r[0] for r in db.execute(
            "SELECT source FROM findings WHERE rule = 'promised_return'")}
    pages = {mockserver.url(f"/crash/{n}.html") for n in range(CRASH_PAGES)}
    assert pages | {mockserver.url("/crash/hang.html")} <= urls
    # the browser came back: pages first requested by it after the kill were rendered
    after = {mockserver.url(e["path"]) for e in mockserver.log()
             if e["t"] > killed_at and e["path"].startswith("/crash/")}
    assert found & after, "no page was rendered after the browser was killed"
    assert len(found) + summary["errors"]["render_failed"] >= CRASH_PAGES
