"""Run every benchmark and print one table: measure, this project, baseline, ratio, goal.

    python -m benchmarks [--size tiny|bench|full] [NAME ...]

`make bench` runs the "bench" size (a few minutes in all); `make test` runs the "tiny" size so
that no benchmark rots (figures printed, never asserted). Each benchmark runs in its own
process (memory peaks, the Twisted reactor and CPU pinning stay its own); a benchmark that
fails is reported in the table and makes the exit status non-zero.

Adding a benchmark: write `benchmarks/NAME.py` with `SIZES` and `run()` (see common.py) and add
NAME to BENCHMARKS below. tests/test_benchmarks.py fails when a module is in neither list.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import SIZE_NAMES, Row, rows_from_json, table

# Run by `make bench` and, at the tiny size, by `make test`; in this order.
BENCHMARKS: tuple[str, ...] = (
    "quality",
    "analyzer_speed",
    "store_speed",
    "console_speed",
    "crawl_speed",
    "ocr_speed",
    "distributed_speed",
    "scheduler_overhead",
    "ledger_speed",
    "evidence_speed",
)
# Modules of this folder that are not benchmarks run here, with the reason.
NOT_RUN: dict[str, str] = {
    "common": "the shared interface",
    "realdata_quality": "needs the public datasets (--data DIR), which are not in the repository",
}

ROOT = Path(__file__).resolve().parent.parent


def run_one(name: str, size: str, workdir: Path) -> tuple[list[Row], float, str]:
    """Run one benchmark in its own process; (rows, seconds, error or '')."""
    rows_file = workdir / f"{name}.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    started = time.monotonic()
    print(f"\n=== {name} ({size}) ===", flush=True)
    proc = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", "--size", size,
                           "--rows", str(rows_file)], cwd=ROOT, env=env)
    seconds = time.monotonic() - started
    if proc.returncode != 0 or not rows_file.is_file():
        return [], seconds, f"failed with exit status {proc.returncode}"
    return rows_from_json(rows_file.read_text(encoding="utf-8")), seconds, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZE_NAMES, default="bench")
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these benchmarks")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(BENCHMARKS)}")
    results: list[tuple[str, Row]] = []
    failed: list[str] = []
    timings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="benchmarks-") as tmp:
        for name in args.names or BENCHMARKS:
            rows, seconds, error = run_one(name, args.size, Path(tmp))
            timings.append(f"{name} {seconds:.0f} s")
            if error:
                failed.append(f"{name}: {error}")
            results.extend((name, r) for r in rows)
    print(f"\n== benchmarks, size {args.size} ({', '.join(timings)}) ==")
    print(table(results))
    for line in failed:
        print(f"FAILED {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
