"""A real redis-server (Debian's package) on a free loopback port.

By default without persistence; `aof=True` turns on the append-only file (as a deployment of
the distributed patrol must), and `restart()` stops the server and starts it again on the same
port and data directory, which is how the tests take Redis away from running workers.
"""

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
    port: int
    workdir: Path
    aof: bool = False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        """Stop (SIGTERM: Redis writes its AOF and exits) and start again, same port and data."""
        self.stop()
        self.proc = _spawn(self.workdir, self.port, self.aof)


def _spawn(workdir: Path, port: int, aof: bool) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceUnavailable("redis-server not found (apt-get install redis-server)")
    persistence = ["--appendonly", "yes", "--appendfsync", "always"] if aof else \
        ["--appendonly", "no"]
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", *persistence,
         "--maxmemory-policy", "noeviction", "--dir", str(workdir)],
        stdout=(workdir / "redis.log").open("ab"), stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: port_open("127.0.0.1", port) or proc.poll() is not None, 20,
                   what="redis-server")
    except TimeoutError as exc:
        proc.kill()
        raise ServiceUnavailable(str(exc)) from None
    if proc.poll() is not None:
        raise ServiceUnavailable(f"redis-server exited with {proc.returncode}; see redis.log")
    return proc


def start_redis(workdir: Path, aof: bool = False) -> RedisServer:
    port = free_port()
    proc = _spawn(workdir, port, aof)
    return RedisServer(url=f"redis://127.0.0.1:{port}/0", proc=proc, port=port,
                       workdir=workdir, aof=aof)
