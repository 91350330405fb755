"""A real search-engine node (OpenSearch or Elasticsearch) in one JVM, on a free loopback port.

The node is assembled from Maven Central jars by scripts/searchnode (see its README): `build`
compiles once into scripts/searchnode/target/<kind>/ (a no-op when up to date), `start` runs the
JVM in the foreground and prints `SEARCHNODE READY <url> <kind> <version>` once the cluster is
yellow or green. The JVM's output goes to `<workdir>/<kind>.log`, appended across restarts.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import ServiceUnavailable
from .ports import free_port, port_open

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "searchnode"
KINDS = ("opensearch", "elasticsearch")
READY = "SEARCHNODE READY "
FAILED = "SEARCHNODE FAILED "

# Loopback only: never let an http_proxy from the environment see these requests.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Nodes still running when the interpreter exits (a test run interrupted, a fixture that
# forgot stop()): a leaked JVM holds 0.5 GB and a data-dir lock.
_running: set[SearchNode] = set()


# Maven's closing advice, the same for every failure: keep the lines that say what failed.
_MVN_NOISE = re.compile(r"re-run Maven|Help 1\]|For more information about the errors|^\[ERROR\]\s*$", re.I)


def _one_line(text: str, lines: int = 5) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # mvn's colour codes, even with -B
    kept = [ln.strip() for ln in text.splitlines() if ln.strip() and not _MVN_NOISE.search(ln.strip())]
    return " | ".join(kept[-lines:]) or "(no output)"


def build(kind: str, timeout: float = 900) -> None:
    """Build the launcher for `kind` (fast no-op when up to date); ServiceUnavailable if not."""
    if kind not in KINDS:
        raise ValueError(f"unknown search node kind {kind!r}; expected one of {KINDS}")
    java = os.environ.get("SEARCHNODE_JAVA", "java")
    if not shutil.which(java):
        raise ServiceUnavailable(f"java not found ({java}); a JDK 17+ is needed for the search node")
    # Own session, so a timeout can kill mvn too, not just the bash wrapper.
    proc = subprocess.Popen([str(SCRIPTS / "build"), kind], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise ServiceUnavailable(
            f"searchnode build ({kind}) timed out after {timeout:.0f}s: {_one_line(out)}") from None
    if proc.returncode != 0:
        raise ServiceUnavailable(
            f"searchnode build ({kind}) failed with exit {proc.returncode}: {_one_line(out)}")


class SearchNode:
    """One node process. `stop()`/`restart()` keep the port and data dir, so clients holding
    `url` reconnect to the same node with the same data (for fault tests)."""

    def __init__(self, kind: str, workdir: Path, port: int) -> None:
        self.kind = kind
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.data_dir = workdir / f"{kind}-node"
        self.log_path = workdir / f"{kind}.log"
        self.version = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def start(self, timeout: float = 300) -> SearchNode:
        if self.pid is not None:
            raise RuntimeError(f"{self.kind} node already running (pid {self.pid})")
        # Something else on our port would answer our readiness probes as if it were us.
        if port_open("127.0.0.1", self.port):
            raise ServiceUnavailable(f"{self.kind} node cannot bind: 127.0.0.1:{self.port} is in use")
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            log.write(f"--- start {time.strftime('%H:%M:%S')} port {self.port}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [str(SCRIPTS / "start"), self.kind, "--port", str(self.port),
                 "--data", str(self.data_dir)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _running.add(self)
        deadline = time.monotonic() + timeout
        next_probe = 0.0
        while not self._log_says_ready(offset):
            code = self._proc.poll()
            if code is not None:
                self._forget()
                raise ServiceUnavailable(f"{self.kind} node exited with {code} before ready: "
                                         f"{self._failure(offset)} (log: {self.log_path})")
            now = time.monotonic()
            if now >= next_probe:  # fallback for a node that is up but whose READY line got lost
                if self._http_ready():
                    break
                next_probe = now + 1.0
            if now > deadline:
                self.stop()
                raise ServiceUnavailable(f"{self.kind} node not ready after {timeout:.0f}s "
                                         f"(log: {self.log_path})")
            time.sleep(0.1)
        try:
            self.version = self._get("/")["version"]["number"]
        except (OSError, ValueError, KeyError) as exc:
            self.stop()
            raise ServiceUnavailable(f"{self.kind} node ready but GET / failed: {exc!r} "
                                     f"(log: {self.log_path})") from None
        return self

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM (the node flushes and closes its shards), wait, then SIGKILL."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(30)
        self._forget()

    def kill(self) -> None:
        """SIGKILL: a crash, no flush; restart() then exercises translog recovery."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(30)
        self._forget()

    def restart(self, timeout: float = 300) -> SearchNode:
        """Stop (if running) and start again on the same port and data dir."""
        self.stop()
        return self.start(timeout)

    def rss_kb(self) -> int:
        """Resident set size of the JVM, for benchmarks (0 when not running)."""
        pid = self.pid
        if pid is None:
            return 0
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def _forget(self) -> None:
        self._proc = None
        _running.discard(self)

    def _log_says_ready(self, offset: int) -> bool:
        with self.log_path.open("rb") as f:
            f.seek(offset)
            return READY.encode() in f.read()

    def _failure(self, offset: int) -> str:
        with self.log_path.open("rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
        for line in text.splitlines():
            if line.startswith(FAILED):
                return line[len(FAILED):].strip()
        return _one_line(text, 3)

    def _http_ready(self) -> bool:
        try:
            health = self._get("/_cluster/health?wait_for_status=yellow&timeout=1s")
        except (OSError, ValueError):
            return False
        return health.get("status") in ("yellow", "green")

    def _get(self, path: str) -> dict:
        with _http.open(self.url + path, timeout=10) as resp:
            return json.load(resp)

    def __repr__(self) -> str:
        return f"SearchNode({self.kind} {self.version} {self.url} pid={self.pid})"


def start_searchnode(kind: str, workdir: Path, timeout: float = 300) -> SearchNode:
    """Build if needed and start a `kind` node on a free 127.0.0.1 port with its data in workdir.

    Raises ServiceUnavailable with a one-line reason when java or mvn is missing, the build
    fails, the JVM exits, or the node is not ready within `timeout` (build included).
    """
    deadline = time.monotonic() + timeout
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    build(kind, timeout)
    for attempt in (1, 2):
        node = SearchNode(kind, workdir, free_port())
        try:
            return node.start(max(1.0, deadline - time.monotonic()))
        except ServiceUnavailable as exc:
            # The free port may be taken between our probe and the JVM's bind: retry once.
            if attempt == 2 or "bind" not in str(exc).lower():
                raise
    raise AssertionError("unreachable")


@atexit.register
def _stop_leftovers() -> None:
    for node in list(_running):
        node.stop(timeout=20)
