"""A real redis-server (Debian's package) on a free loopback port, no persistence."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import ServiceUnavailable
from .ports import free_port, port_open, wait_until


@dataclass
class RedisServer:
    url: str
    proc: subprocess.Popen

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_redis(workdir: Path) -> RedisServer:
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceUnavailable("redis-server not found (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=(workdir / "redis.log").open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: port_open("127.0.0.1", port) or proc.poll() is not None, 20,
                   what="redis-server")
    except TimeoutError as exc:
        proc.kill()
        raise ServiceUnavailable(str(exc)) from None
    if proc.poll() is not None:
        raise ServiceUnavailable(f"redis-server exited with {proc.returncode}; see redis.log")
    return RedisServer(url=f"redis://127.0.0.1:{port}/0", proc=proc)
