"""A real S3-compatible server (S3Proxy 2.6.0, filesystem backend) in one JVM on loopback.

Assembled from Maven Central by scripts/s3proxy (`build` fetches the jars once, `start` runs the
JVM in the foreground). `stop()`/`start()` keep the port and the data directory, so a client
holding `url` sees the same server with the same objects come back (fault tests).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from . import ServiceUnavailable
from .ports import free_port, port_open

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "s3proxy"
IDENTITY, CREDENTIAL = "patrol-test", "patrol-test-secret"
_running: set[S3Server] = set()


def build(timeout: float = 600) -> None:
    java = os.environ.get("SEARCHNODE_JAVA", "java")
    if not shutil.which(java):
        raise ServiceUnavailable(f"java not found ({java}); S3Proxy needs a JDK 17+")
    proc = subprocess.Popen([str(SCRIPTS / "build")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ServiceUnavailable(f"s3proxy build timed out after {timeout:.0f}s") from None
    if proc.returncode != 0:
        tail = " | ".join(ln for ln in out.splitlines()[-4:] if ln.strip()) or "(no output)"
        raise ServiceUnavailable(f"s3proxy build failed with exit {proc.returncode}: {tail}")


class S3Server:
    def __init__(self, workdir: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.data_dir = workdir / "s3-data"
        self.log_path = workdir / "s3proxy.log"
        self.identity, self.credential = IDENTITY, CREDENTIAL
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 120) -> S3Server:
        if port_open("127.0.0.1", self.port):
            raise ServiceUnavailable(f"s3proxy cannot bind: 127.0.0.1:{self.port} is in use")
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(SCRIPTS / "start"), "--port", str(self.port), "--data",
                 str(self.data_dir), "--identity", IDENTITY, "--credential", CREDENTIAL],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _running.add(self)
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._proc = None
                raise ServiceUnavailable(f"s3proxy exited with {code} before listening "
                                         f"(log: {self.log_path})")
            if time.monotonic() > deadline:
                self.stop()
                raise ServiceUnavailable(f"s3proxy not listening after {timeout:.0f}s "
                                         f"(log: {self.log_path})")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 30) -> None:
        proc, self._proc = self._proc, None
        _running.discard(self)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)
        deadline = time.monotonic() + timeout
        while port_open("127.0.0.1", self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def settings(self, bucket: str, prefix: str = "evidence") -> dict[str, str]:
        """Patrol settings that put evidence on this server."""
        return {"evidence_url": f"s3://{bucket}/{prefix}", "evidence_s3_endpoint": self.url,
                "evidence_s3_access_key": IDENTITY, "evidence_s3_secret_key": CREDENTIAL}


def start_s3(workdir: Path, timeout: float = 300) -> S3Server:
    """Build if needed and start S3Proxy on a free 127.0.0.1 port, data under workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    build(timeout)
    return S3Server(workdir, free_port()).start()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_running):
        server.stop()
