"""Fixtures of the distributed patrol tests: Redis with AOF, a counting site, worker processes.

Workers and the enqueuing `patrol crawl --distributed` run as real `patrol` processes (the
entry point cli.main) on a shared SQLite store in one data home, as workers on one machine do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from settings import ROOT
from tests.conftest import need_service
from tests.crawler.conftest import mockserver  # noqa: F401 - the hostile site, for these tests
from tests.distributed.countingsite import CountingSite
from tests.services.ports import wait_until

PAGES = 1500
CONCURRENCY = 4


@pytest.fixture(scope="session")
def counting_site() -> Iterator[CountingSite]:
    site = CountingSite(PAGES)
    yield site
    site.stop()


@pytest.fixture
def redis_aof(tmp_path: Path) -> Iterator[Any]:
    from tests.services.redis_server import start_redis

    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = need_service(lambda: start_redis(workdir, aof=True), "Redis")
    yield server
    server.stop()


@dataclass
class Patrols:
    """`patrol` commands on one data home, with the site as target `count`."""

    data_dir: Path
    settings: dict[str, Any]
    procs: list[subprocess.Popen] = field(default_factory=list)

    def command(self, *args: str) -> list[str]:
        sets: list[str] = []
        for key, value in self.settings.items():
            sets += ["--set", f"{key}={value}"]
        return [sys.executable, "-m", "cli.main", "--data-dir", str(self.data_dir), *sets, *args]

    def start(self, *args: str, log: str) -> subprocess.Popen:
        out = (self.data_dir.parent / log).open("wb")
        proc = subprocess.Popen(self.command(*args), cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, env=_env())
        self.procs.append(proc)
        return proc

    def start_workers(self, count: int) -> list[subprocess.Popen]:
        """`count` worker processes, returned once each is ready (its analyzer loaded)."""
        workers = [self.start("worker", log=f"worker{n}.log") for n in range(count)]
        logs = [self.data_dir.parent / f"worker{n}.log" for n in range(count)]
        wait_until(lambda: all("patrol worker" in log.read_text(errors="replace")
                               for log in logs), 120, what="the workers to start")
        return workers

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout, env=_env())

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(30)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PATROL_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def make_patrols(tmp_path: Path, counting_site: CountingSite) -> Iterator[Any]:
    made: list[Patrols] = []

    def make(name: str, **settings: Any) -> Patrols:
        home = tmp_path / name
        home.mkdir()
        targets = home / "targets.yaml"
        targets.write_text(yaml.safe_dump({"targets": [{
            "name": "count", "start_urls": [counting_site.url + "/"], "depth": 40,
            "max_pages": PAGES + 100, "render": "never", "concurrency": CONCURRENCY,
            "sitemaps": False}]}), encoding="utf-8")
        patrols = Patrols(home / "var", {
            "targets_file": targets, "crawl_max_pages_per_pattern": 100000,
            "crawl_max_pages_per_host": 100000, "crawl_page_timeout": 20,
            "log_level": "INFO", **settings})
        made.append(patrols)
        return patrols

    yield make
    for patrols in made:
        patrols.stop_all()
