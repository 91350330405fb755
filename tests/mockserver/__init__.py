"""A local hostile web site for the crawler tests, run as a subprocess (like Scrapy's
tests/mockserver): `MockServer()` starts it on a free port and reads the port it prints."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class MockServer:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.mockserver"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()   # the server prints its port once it listens
        if not line:
            raise RuntimeError(f"mockserver did not start (exit {self.proc.wait()})")
        self.port: int = json.loads(line)["port"]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def _get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url(path), timeout=10) as response:
            return response.read()

    def log(self) -> list[dict[str, Any]]:
        """Every request the site saw: host (which 127.0.0.x), path, user agent, time."""
        return json.loads(self._get("/_log"))

    def clear_log(self) -> None:
        self._get("/_log?clear=1")

    def set_variant(self, variant: int, crawl_delay: int = 0) -> None:
        """Which version of /changing.html to serve; a Crawl-delay for robots.txt."""
        self._get(f"/_state?variant={variant}&crawl_delay={crawl_delay}")

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
