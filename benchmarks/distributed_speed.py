"""Distributed patrol speed: 4 workers vs 1 worker vs the plain single-process patrol, and
cluster indexing through the store vs raw helpers.bulk.

    .venv/bin/python benchmarks/distributed_speed.py [--pages 3000] [--latency 0.05]
        [--hosts 4] [--concurrency 2] [--skip-store]

Serves a generated site (tests/distributed/countingsite.py) on --hosts loopback addresses,
each page answered after --latency seconds (so a patrol waits, it does not compute), starts a
real redis-server with AOF on a free loopback port, and in one run measures, each patrol on a
fresh data home, pages per second from the run's record (started to ended):
  (a) the plain single-process patrol (`patrol crawl --target`, no Redis): the baseline;
  (b) one `patrol worker` on Redis (`patrol crawl --target --distributed`);
  (c) four `patrol worker` processes.
Workers are started (and their analyzers loaded) before the run is enqueued. Then (unless
--skip-store) runs benchmarks/store_speed.py's cluster comparison on a real search node.
Goals: (c) >= 3.5 x (b); (b) >= 0.85 x (a); store >= 0.9 x raw helpers.bulk.
Prints every figure; never fails on a figure (a benchmark reports, tests assert).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.distributed.countingsite import CountingSite  # noqa: E402
from tests.services.redis_server import start_redis  # noqa: E402


def patrol_cmd(home: Path, settings: dict[str, object], *args: str) -> list[str]:
    sets = [x for k, v in settings.items() for x in ("--set", f"{k}={v}")]
    return [sys.executable, "-m", "cli.main", "--data-dir", str(home / "var"), *sets, *args]


def run_record(home: Path) -> dict:
    with sqlite3.connect(home / "var" / "patrol.sqlite3") as conn:
        (doc,) = conn.execute("SELECT doc FROM runs ORDER BY started_at DESC").fetchone()
    return json.loads(doc)


def rate(record: dict) -> tuple[float, int, float]:
    started = datetime.fromisoformat(record["started_at"])
    ended = datetime.fromisoformat(record["ended_at"])
    seconds = (ended - started).total_seconds()
    return record["pages"] / seconds, record["pages"], seconds


def patrol(site: CountingSite, work: Path, name: str, args: argparse.Namespace,
           workers: int, redis_url: str | None) -> tuple[float, int, float]:
    home = work / name
    home.mkdir()
    import yaml

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
            for n in range(workers):
                log = (home / f"worker{n}.log").open("wb")
                procs.append(subprocess.Popen(patrol_cmd(home, settings, "worker"), cwd=ROOT,
                                              stdout=log, stderr=subprocess.STDOUT))
            deadline = time.monotonic() + 300
            while not all("patrol worker" in (home / f"worker{n}.log").read_text(errors="replace")
                          for n in range(workers)):
                if time.monotonic() > deadline:
                    raise SystemExit("workers did not start")
                time.sleep(0.2)
        extra = ["--distributed"] if redis_url else []
        site.reset()
        done = subprocess.run(patrol_cmd(home, settings, "crawl", "--target", "bench", *extra),
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{name} failed: {done.stderr[-2000:]}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
    figure = rate(run_record(home))
    print(f"  {name:<28} {figure[1]:>6} pages in {figure[2]:7.1f} s = {figure[0]:7.1f} pages/s",
          flush=True)
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2,
                        help="per host, and of one worker (the target's concurrency)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-store", action="store_true")
    parser.add_argument("--store-count", type=int, default=40_000,
                        help="findings of the store/raw indexing comparison")
    args = parser.parse_args()
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
    print(f"{args.workers} workers / 1 worker:        {many[0] / one[0]:.2f}x  (goal >= 3.5x)")
    print(f"1 worker / single process:     {one[0] / single[0]:.2f}x  (goal >= 0.85x)")
    if not args.skip_store:
        print("store indexing (benchmarks/store_speed.py --cluster-only):", flush=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "store_speed.py"),
                        "--cluster-only", "--count", str(args.store_count)], cwd=ROOT,
                       check=False)


if __name__ == "__main__":
    main()
