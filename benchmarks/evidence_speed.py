"""Case package speed: export of N findings and its verification, against a raw-copy baseline.

    .venv/bin/python benchmarks/evidence_speed.py [--findings 100] [--body-kb 40]

Writes N captures (a page of about --body-kb KB of varied text each, a --shot-kb KB screenshot for
every other one) into real
WARC files under a temporary data home with a real SQLite store, then measures in this process:
  (base) the floor: read every capture's bytes from the WARC files and zip them as they are;
  (e)    `build_case` of all N findings (read, parse, copy, manifest, index.html, zip);
  (v)    `verify_package` of the result (every hash, every WARC record's digest).
Goals: (e) < 5 s and (v) < 2 s for 100 findings. Prints figures; never fails on one.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100)
    parser.add_argument("--body-kb", type=int, default=60)
    parser.add_argument("--shot-kb", type=int, default=300)
    args = parser.parse_args()

    from evidence.package import build_case
    from evidence.storage import open_storage
    from evidence.verify import verify_package
    from findings.open import store_from_settings
    from settings import load_settings
    from tests.evidence.conftest import seed_captures

    work = Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    try:
        settings = load_settings(environ={}, overrides={"data_dir": str(work / "var")})
        store, storage = store_from_settings(settings), open_storage(settings)
        started = time.perf_counter()
        ids = seed_captures(settings, store, storage, args.findings, filler_kb=args.body_kb,
                            shot_kb=args.shot_kb)
        print(f"{args.findings} captures written in {time.perf_counter() - started:.2f} s "
              f"({sum(p.stat().st_size for p in (work / 'var').rglob('*.warc.gz')) / 1e6:.1f} "
              f"MB of WARC)")

        started = time.perf_counter()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for fid in ids:
                f = store.get_finding(fid)
                z.writestr(f"{fid}.warc.gz", storage.read(
                    f.warc_file.removeprefix("evidence/"), f.warc_offset, f.warc_length))
        base = time.perf_counter() - started
        print(f"(base) raw copy of the captures into a zip: {base:.3f} s")

        started = time.perf_counter()
        result = build_case(store, storage, settings, ids, work / "case.zip", title="bench")
        export = time.perf_counter() - started
        print(f"(e) export of {result.findings} findings: {export:.3f} s = {export / base:.1f} x "
              f"base, {result.path.stat().st_size / 1e6:.1f} MB   (goal < 5 s: "
              f"{'met' if export < 5 else 'NOT met'})")

        started = time.perf_counter()
        report = verify_package(result.path)
        verify = time.perf_counter() - started
        print(f"(v) verify: {verify:.3f} s = {verify / base:.1f} x base, "
              f"{'passed' if report.ok else 'FAILED: ' + '; '.join(report.problems[:2])}   "
              f"(goal < 2 s: {'met' if verify < 2 else 'NOT met'})")
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
