"""What the scheduler adds to a patrol: start lateness and wall time against a bare process.

    python -m benchmarks.scheduler_overhead [--size tiny|bench|full] [--runs 10] [--real]

Measures in one run, against a local http.server site on 127.0.0.1:

  (a) baseline: the patrol command started directly with subprocess.run, one after another
      (spawn -> exit wall time);
  (b) scheduled: the same command run by the scheduler on a one-second interval (real
      APScheduler, job store, locks, run records, alert sender after each run): how late after
      its due time the process is spawned, and its spawn -> exit wall time as the scheduler
      saw it (stats.scheduler.spawned_at / exited_at of each run).

The patrol is the stand-in of the tests (tests/scheduler/fake_patrol.py, a Python process that
takes the crawl lock, records its run and fetches one page); `--real` uses `patrol crawl` itself.
"""

from __future__ import annotations

import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, main, preset  # noqa: E402
from findings import open_store  # noqa: E402
from findings.model import from_iso  # noqa: E402
from scheduler import PatrolScheduler  # noqa: E402
from settings import load_settings  # noqa: E402

FAKE = ROOT / "tests" / "scheduler" / "fake_patrol.py"


# runs: patrols measured each way; real: the real `patrol crawl` instead of the stand-in.
SIZES = {
    "tiny": {"runs": 2, "real": False},
    "bench": {"runs": 5, "real": False},
    "full": {"runs": 10, "real": False},
}


def run(size: str = "full", **options: Any) -> list[Row]:
    args = SimpleNamespace(**preset(SIZES, size, options))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "site").mkdir()
        (tmp / "site" / "index.html").write_text("<p>年化收益率18%，保本保息</p>", encoding="utf-8")
        server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind",
                                   "127.0.0.1", "--directory", str(tmp / "site")],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = re.search(r"port (\d+)", server.stdout.readline()).group(1)  # type: ignore[union-attr]
            return measure(tmp, f"http://127.0.0.1:{port}/", args.runs, args.real)
        finally:
            server.terminate()
            server.wait()


def measure(tmp: Path, site: str, runs: int, real: bool) -> list[Row]:
    (tmp / "targets.yaml").write_text(
        f"targets:\n  - name: alpha\n    start_urls: ['{site}']\n    render: never\n"
        "    depth: 0\n    schedule_group: bench\n", encoding="utf-8")
    (tmp / "schedules.yaml").write_text(
        "schedules:\n  bench:\n    target: alpha\n    interval: {seconds: 1}\n", encoding="utf-8")
    command = "" if real else (
        f"{{python}} {shlex.quote(str(FAKE))} --target {{target}} --trigger {{trigger}} "
        f"--data-dir {{data_dir}} --url {site} --journal {shlex.quote(str(tmp / 'journal'))}")
    settings = load_settings(environ={}, overrides={
        "data_dir": str(tmp / "var"), "targets_file": str(tmp / "targets.yaml"),
        "schedules_file": str(tmp / "schedules.yaml"), "patrol_command": command,
        "log_level": "WARNING"})

    from scheduling.runner import PatrolRunner

    with open_store("", data_dir=settings.data_dir) as store:
        bare_cmd = PatrolRunner(settings, store).command("alpha", "manual", 600)
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(bare_cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        bare.append(time.perf_counter() - start)

    service = PatrolScheduler(settings)
    service.start()
    try:
        while True:
            done = [r for r in service.store.list_runs("alpha", limit=500)
                    if r.trigger == "schedule" and "scheduler" in r.stats]
            if len(done) >= runs:
                break
            time.sleep(0.2)  # a benchmark polling its own subject, not a test wait
    finally:
        service.stop(grace=60)
    with open_store("", data_dir=settings.data_dir) as store:
        done = [r for r in store.list_runs("alpha", limit=500)
                if r.trigger == "schedule" and "scheduler" in r.stats][:runs]
    def seconds(run, start: str, end: str) -> float:  # type: ignore[no-untyped-def]
        info = run.stats["scheduler"]
        return (from_iso(info[end]) - from_iso(info[start])).total_seconds()

    lateness = [seconds(r, "due", "spawned_at") for r in done]
    process = [seconds(r, "spawned_at", "exited_at") for r in done]
    statuses = {r.status for r in done}

    kind = "patrol crawl" if real else "stand-in patrol"
    print(f"{kind}, {runs} runs each, one target, interval 1 s")
    print(f"  baseline  spawn->exit        median {statistics.median(bare):.3f} s"
          f"  (min {min(bare):.3f}, max {max(bare):.3f})")
    print(f"  scheduled due->spawn         median {statistics.median(lateness):.3f} s"
          f"  (max {max(lateness):.3f})")
    print(f"  scheduled spawn->exit        median {statistics.median(process):.3f} s"
          f"  (max {max(process):.3f})")
    print(f"  ratio scheduled/baseline (spawn->exit) "
          f"{statistics.median(process) / statistics.median(bare):.2f}"
          f"   statuses: {', '.join(sorted(statuses))}")
    return [
        Row("scheduled patrol spawn->exit vs started directly", statistics.median(process),
            statistics.median(bare), "s"),
        Row("scheduled patrol lateness due->spawn (median)", statistics.median(lateness), None,
            "s"),
    ]


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
