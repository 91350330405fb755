"""Case package speed: export of N findings and its verification, against a raw-copy baseline.

    python -m benchmarks.evidence_speed [--size tiny|bench|full] [--findings 100]

Writes N captures (a page of about `body_kb` KB of varied text each, a `shot_kb` KB screenshot
for every other one) into real WARC files under a temporary data home with a real SQLite
store, then measures in this process:
  (base) the floor: read every capture's bytes from the WARC files and zip them as they are;
  (e)    `build_case` of all N findings (read, parse, copy, manifest, index.html, zip);
  (v)    `verify_package` of the result (every hash, every WARC record's digest).
Goals (full size, 100 findings): (e) < 5 s and (v) < 2 s. Figures printed, never asserted.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, main, preset  # noqa: E402

SIZES = {
    "tiny": {"findings": 10, "body_kb": 20, "shot_kb": 50},
    "bench": {"findings": 100, "body_kb": 60, "shot_kb": 300},
    "full": {"findings": 100, "body_kb": 60, "shot_kb": 300},
}


def run(size: str = "full", **options: Any) -> list[Row]:
    args = SimpleNamespace(**preset(SIZES, size, options))
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
        warc_mb = sum(p.stat().st_size for p in (work / "var").rglob("*.warc.gz")) / 1e6
        print(f"{args.findings} captures written in {time.perf_counter() - started:.2f} s "
              f"({warc_mb:.1f} MB of WARC)")

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
    return [Row(f"export of {args.findings} findings vs raw copy", export, base, "s", "< 5 s"),
            Row(f"verify of {args.findings} findings vs raw copy", verify, base, "s", "< 2 s")]


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
