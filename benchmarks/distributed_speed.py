"""Distributed patrol speed: 4 workers vs 1 worker vs the plain single-process patrol, and
cluster indexing through the store vs raw helpers.bulk, in one run.

    python -m benchmarks.distributed_speed [--size tiny|bench|full] [--pages 3000] ...

Serves a generated site (tests/distributed/countingsite.py) on `hosts` loopback addresses,
each page answered after `latency` seconds (so a patrol waits, it does not compute), starts a
real redis-server with AOF on a free loopback port, and measures, each patrol on a fresh data
home, pages per second from the run's record (started to ended):
  (a) the plain single-process patrol (`patrol crawl --target`, no Redis): the baseline;
  (b) one `patrol worker` on Redis (`patrol crawl --target --distributed`);
  (c) `workers` worker processes (4 at the full size).
Workers are started (their analyzers loaded, their crawl components imported) before the run
is enqueued, in both (b) and (c). Each line also shows how long the site was being fetched
(the rest is the run's start and end), how busy the machine's cores were (everything on the
machine: a shared machine's other load slows (c) most, which needs the most CPU at once) and,
on Redis, the workers' CPU per page. Then, unless
`store_count` is 0, the store/raw indexing ratio of benchmarks/store_speed.py on a real node.
Goals (full size: 3,000 pages, 50 ms per page): (c) >= 3.5x (b); (b) >= 0.85x (a);
store >= 0.9x raw bulk. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, main, preset  # noqa: E402
from tests.distributed.countingsite import CountingSite  # noqa: E402
from tests.services.redis_server import start_redis  # noqa: E402

# pages of the site; latency per page (s); hosts it is spread over; concurrency per host and
# per worker (the target's); workers of (c); store_count: findings of the store comparison
# (0: skipped).
SIZES = {
    "tiny": {"pages": 60, "latency": 0.05, "hosts": 2, "concurrency": 2, "workers": 2,
             "store_count": 0},
    "bench": {"pages": 600, "latency": 0.05, "hosts": 4, "concurrency": 2, "workers": 4,
              "store_count": 10_000},
    "full": {"pages": 3000, "latency": 0.05, "hosts": 4, "concurrency": 2, "workers": 4,
             "store_count": 40_000},
}


def patrol_cmd(home: Path, settings: dict[str, object], *args: str) -> list[str]:
    sets = [x for k, v in settings.items() for x in ("--set", f"{k}={v}")]
    return [sys.executable, "-m", "cli.main", "--data-dir", str(home / "var"), *sets, *args]


def pages_per_second(home: Path) -> tuple[float, int, float]:
    with sqlite3.connect(home / "var" / "patrol.sqlite3") as conn:
        (doc,) = conn.execute("SELECT doc FROM runs ORDER BY started_at DESC").fetchone()
    record = json.loads(doc)
    seconds = (datetime.fromisoformat(record["ended_at"])
               - datetime.fromisoformat(record["started_at"])).total_seconds()
    return record["pages"] / seconds, record["pages"], seconds


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a running process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cores() -> tuple[float, float]:
    """(busy, total) CPU time of the whole machine so far, in seconds of all cores."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(ticks) / os.sysconf("SC_CLK_TCK")
    return total - (ticks[3] + ticks[4]) / os.sysconf("SC_CLK_TCK"), total


def patrol(site: CountingSite, work: Path, name: str, args: Any, workers: int,
           redis_url: str | None) -> float:
    home = work / name.replace(" ", "-")
    home.mkdir()
    targets = home / "targets.yaml"
    targets.write_text(yaml.safe_dump({"targets": [{
        "name": "bench", "start_urls": [root + "/" for root in site.roots], "depth": 60,
        "max_pages": args.pages + 100, "render": "never", "concurrency": args.concurrency,
        "sitemaps": False}]}), encoding="utf-8")
    settings: dict[str, object] = {
        "targets_file": targets, "crawl_max_pages_per_pattern": 10**6,
        "crawl_max_pages_per_host": 10**6, "crawl_page_timeout": 30, "log_level": "INFO"}
    procs = []
    try:
        if redis_url:
            settings["redis_url"] = redis_url
            logs = [home / f"worker{n}.log" for n in range(workers)]
            for log in logs:
                procs.append(subprocess.Popen(patrol_cmd(home, settings, "worker"), cwd=ROOT,
                                              stdout=log.open("wb"), stderr=subprocess.STDOUT))
            deadline = time.monotonic() + 300
            while not all("patrol worker" in log.read_text(errors="replace") for log in logs):
                if time.monotonic() > deadline:
                    raise RuntimeError("the workers did not start")
                time.sleep(0.2)
        site.reset()
        extra = ["--distributed"] if redis_url else []
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        machine_before = busy_cores()
        done = subprocess.run(patrol_cmd(home, settings, "crawl", "--target", "bench", *extra),
                              cwd=ROOT, capture_output=True, text=True)
        machine = [b - a for a, b in zip(machine_before, busy_cores(), strict=True)]
        worker_cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed: {done.stderr[-2000:]}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
    rate, pages, seconds = pages_per_second(home)
    # Figures to read the rate with: the workers' CPU per page and how busy the machine's
    # cores were (everything on it: other load distorts wall-clock rates), and how long the
    # site was being fetched (first request to last answer): the rest of the run's time is
    # the start and the end of a run (enqueue, workers joining, the finish with its alerts),
    # which more workers do not shorten.
    starts = [t for t, _ in site.starts]
    fetching = max(starts) - min(starts) + args.latency
    cpu = f", workers' CPU {1000 * worker_cpu / max(pages, 1):.1f} ms/page" if procs else ""
    print(f"  {name:<28} {pages:>6} pages in {seconds:7.1f} s = {rate:7.1f} pages/s "
          f"(site fetched for {fetching:.1f} s; machine busy "
          f"{machine[0] / machine[1] * os.cpu_count():.1f} of {os.cpu_count()} cores{cpu})",
          flush=True)
    return rate


def run(size: str = "full", **options: Any) -> list[Row]:
    args = SimpleNamespace(**preset(SIZES, size, options))
    work = Path(tempfile.mkdtemp(prefix="distributed-speed-"))
    (work / "redis").mkdir()
    redis = start_redis(work / "redis", aof=True)
    site = CountingSite(args.pages, latency=args.latency, hosts=args.hosts)
    print(f"site: {args.pages} pages on {args.hosts} hosts, {args.latency * 1000:.0f} ms per "
          f"page; concurrency {args.concurrency} per host and per worker", flush=True)
    try:
        single = patrol(site, work, "single process (no Redis)", args, 0, None)
        one = patrol(site, work, "1 worker on Redis", args, 1, redis.url)
        many = patrol(site, work, f"{args.workers} workers on Redis", args, args.workers,
                      redis.url)
    finally:
        site.stop()
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.workers} workers / 1 worker: {many / one:.2f}x (goal >= 3.5x); "
          f"1 worker / single process: {one / single:.2f}x (goal >= 0.85x)")
    rows = [Row("1 worker on Redis vs single process", one, single, "pages/s", ">= 0.85x"),
            Row(f"{args.workers} workers vs 1 worker", many, one, "pages/s", ">= 3.5x")]
    if args.store_count:
        from benchmarks.store_speed import indexing_row

        rows.append(indexing_row(args.store_count))
    return rows


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
