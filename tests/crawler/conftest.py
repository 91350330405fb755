"""Fixtures of the crawler tests: the hostile mock site and a way to run `patrol crawl`.

Crawls run as `patrol` subprocesses (the Twisted reactor runs once per process), against a
real SQLite store in a temporary data home; tests read the store, the JSON summary and the
mock site's request log.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.mockserver import ROOT, MockServer


@pytest.fixture(scope="session")
def mockserver() -> Iterator[MockServer]:
    server = MockServer()
    yield server
    server.stop()


@dataclass
class CrawlRun:
    returncode: int
    summary: dict[str, Any]
    stdout: str
    stderr: str
    data_dir: Path

    @property
    def store_path(self) -> Path:
        return self.data_dir / "patrol.sqlite3"


# Limits small enough to make every trap trip quickly.
TEST_SETTINGS = {
    "crawl_max_page_bytes": 1024 * 1024,
    "crawl_page_timeout": 4,
    "crawl_max_pages_per_pattern": 6,
    "crawl_render_wait": 5,
    "log_level": "INFO",
}


def write_targets(path: Path, targets: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"targets": targets}, allow_unicode=True), encoding="utf-8")
    return path


def run_patrol(data_dir: Path, *args: str, settings: dict[str, Any] | None = None,
               timeout: float = 240) -> CrawlRun:
    """Run `patrol crawl ... --json` in a subprocess and parse its summary."""
    sets: list[str] = []
    for key, value in {**TEST_SETTINGS, **(settings or {})}.items():
        sets += ["--set", f"{key}={value}"]
    cmd = [sys.executable, "-m", "cli.main", "--data-dir", str(data_dir), *sets, "crawl",
           "--json", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=_env())
    summary: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            summary = json.loads(line)
    return CrawlRun(proc.returncode, summary, proc.stdout, proc.stderr, data_dir)


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PATROL_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env
