"""Fixtures of the scheduler tests: a local site, targets and schedules files, the patrol
stand-in (fake_patrol.py) or the real `patrol crawl`, and `patrol schedule run` processes."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from findings import PatrolRun, Store, open_store
from settings import ROOT, Settings, load_settings
from tests.services.ports import wait_until

FAKE_PATROL = Path(__file__).with_name("fake_patrol.py")
SITE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>测试平台</title></head>
<body><h1>稳健理财</h1><p>年化收益率高达18%，保本保息，随时提现。</p>
<a href="http://example.invalid/elsewhere">外部链接</a></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A tiny real site on 127.0.0.1 (http.server subprocess on a free port)."""
    docroot = tmp_path_factory.mktemp("site")
    (docroot / "index.html").write_text(SITE_PAGE, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(docroot)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    match = re.search(r"port (\d+)", proc.stdout.readline())
    assert match, "http.server did not report its port"
    yield f"http://127.0.0.1:{match.group(1)}/"
    proc.terminate()
    proc.wait(10)


class PatrolEnv:
    """One test's configuration: data home, targets, schedules, the patrol command."""

    def __init__(self, tmp_path: Path, site: str) -> None:
        self.dir = tmp_path
        self.site = site
        self.data_dir = tmp_path / "var"
        self.journal = tmp_path / "journal.txt"
        self.mode_file = tmp_path / "mode.txt"
        self.mode_file.write_text("ok")
        self.targets_file = tmp_path / "targets.yaml"
        self.schedules_file = tmp_path / "schedules.yaml"
        self.store_url = ""
        self.targets_file.write_text(
            "targets:\n" + "".join(
                f"  - name: {name}\n    start_urls: ['{site}']\n    kind: p2p\n"
                f"    schedule_group: {group}\n    depth: 0\n    max_pages: 2\n"
                "    render: never\n"
                for name, group in (("alpha", "fast"), ("beta", "fast"), ("gamma", "slow"))),
            encoding="utf-8")
        self.schedules_file.write_text("schedules: {}\n", encoding="utf-8")
        self.overrides: dict[str, Any] = {
            "data_dir": str(self.data_dir),
            "schedules_file": str(self.schedules_file),
            "targets_file": str(self.targets_file),
            "patrol_command": self.fake_command(),
            "patrol_time_limit": 60,
            "shutdown_grace_seconds": 2,
            "patrol_kill_grace_seconds": 1,
        }

    def fake_command(self) -> str:
        return (f"{{python}} {shlex.quote(str(FAKE_PATROL))} --mode @{self.mode_file} "
                f"--target {{target}} --trigger {{trigger}} --data-dir {{data_dir}} "
                f"--url {self.site} --journal {shlex.quote(str(self.journal))}"
                + (f" --store-url {self.store_url}" if self.store_url else ""))

    def schedules(self, text: str) -> None:
        self.schedules_file.write_text(text, encoding="utf-8")

    def settings(self, **more: Any) -> Settings:
        return load_settings(environ={}, overrides={**self.overrides, **more})

    def cli_args(self, **more: Any) -> list[str]:
        args: list[str] = []
        for key, value in {**self.overrides, **more}.items():
            if key == "data_dir":
                args += ["--data-dir", str(value)]
            else:
                args += ["--set", f"{key}={value}"]
        return args

    def store(self) -> Store:
        return open_store(self.store_url, data_dir=self.data_dir)

    def runs(self, target: str | None = None) -> list[PatrolRun]:
        with self.store() as store:
            return store.list_runs(target, limit=500)

    def journal_lines(self) -> list[list[str]]:
        if not self.journal.exists():
            return []
        return [line.split() for line in self.journal.read_text().splitlines()]

    def patrol(self, *args: str, **more: Any) -> subprocess.CompletedProcess[str]:
        """Run `patrol <global options> args...` to completion."""
        return subprocess.run([sys.executable, "-m", "cli.main", *self.cli_args(**more), *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def env(tmp_path: Path, site: str) -> PatrolEnv:
    return PatrolEnv(tmp_path, site)


class ServiceProcess:
    """A real `patrol schedule run` process, its log, and its signals."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self.log_path = log_path
        with open(log_path, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli.main", *args, "schedule", "run"], cwd=ROOT,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, text: str, timeout: float = 30) -> None:
        wait_until(lambda: text in self.log() or self.proc.poll() is not None, timeout,
                   what=f"{text!r} in the scheduler log")
        assert text in self.log(), f"scheduler exited ({self.proc.returncode}):\n{self.log()}"

    def send(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.send(signal.SIGTERM)
        return self.proc.wait(timeout)


@pytest.fixture
def start_service(tmp_path: Path) -> Iterator[Any]:
    started: list[ServiceProcess] = []

    def start(args: list[str], name: str = "scheduler") -> ServiceProcess:
        service = ServiceProcess(args, tmp_path / f"{name}.log")
        started.append(service)
        service.wait_log("scheduler started")
        return service

    yield start
    for service in started:
        if service.proc.poll() is None:
            service.send(signal.SIGTERM)
            try:
                service.proc.wait(60)
            except subprocess.TimeoutExpired:
                service.proc.kill()
                service.proc.wait()
