"""Ledger speed, in one run: scoring every platform after a patrol (`platforms.score.rescore`:
read its findings, products and posture, compute, record) against the baseline of only reading
the same findings from the store, and the blacklist export.

    .venv/bin/python benchmarks/ledger_speed.py --platforms 200 --findings 20000

Goal: rescore <= 3x the bare findings read. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from findings import FindingRecord, finding_id  # noqa: E402
from findings.open import store_from_settings  # noqa: E402
from platforms import PlatformQuery, open_ledger  # noqa: E402
from platforms.exchange import export_json  # noqa: E402
from platforms.ledger import classify, register  # noqa: E402
from platforms.score import ScoreSettings, platform_findings, rescore  # noqa: E402
from settings import load_settings  # noqa: E402

RULES = [("promised_return", "保证年化18%", 18.0), ("guaranteed_principal", "保本保息", None),
         ("fundraising_signal", "资金池", None), ("improper_subsidy", "注册送红包", None)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--platforms", type=int, default=200)
    parser.add_argument("--findings", type=int, default=20000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    settings = load_settings(environ={}, overrides={"data_dir": str(home)})
    rnd = random.Random(7)
    now = datetime.now(UTC)
    store, ledger = store_from_settings(settings), open_ledger(settings)
    hosts = [f"p{i}.example.invalid" for i in range(args.platforms)]
    batch = []
    for n in range(args.findings):
        rule, evidence, rate = rnd.choice(RULES)
        host = rnd.choice(hosts)
        seen = now - timedelta(days=rnd.randint(0, 120))
        source = f"http://{host}/p{n}"
        batch.append(FindingRecord(
            id=finding_id(source, rule, evidence), rule=rule, severity=rnd.choice(
                ["high", "medium", "low"]), evidence=evidence, start=0, end=len(evidence),
            clause="二(一)1", lead="市金融局", source=source, captured_at=seen,
            normalized=evidence, context=f"稳盈宝\n{evidence}", domain=host, first_seen=seen,
            last_seen=seen, annual_rate=rate))
    store.upsert_findings(batch)
    started = time.perf_counter()
    for i, host in enumerate(hosts):
        register(ledger, name=f"平台{i}", by="bench", source="bench", domains=[host])
    register_s = time.perf_counter() - started
    platforms = ledger.query(PlatformQuery(limit=100_000))
    cfg = ScoreSettings.from_settings(settings)

    started = time.perf_counter()
    for p in platforms:
        platform_findings(store, p)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    for p in platforms:
        rescore(ledger, store, p, cfg)
    score_s = time.perf_counter() - started
    for p in platforms[: len(platforms) // 2]:
        classify(ledger, p.id, "取缔", by="bench", departments=None, reason="基准测试")
    started = time.perf_counter()
    text, count = export_json(ledger)
    export_s = time.perf_counter() - started

    n = len(platforms)
    print(f"platforms {n}, findings {args.findings}")
    print(f"register:          {register_s * 1000 / n:8.2f} ms/platform")
    print(f"baseline (read):   {read_s * 1000 / n:8.2f} ms/platform")
    print(f"rescore:           {score_s * 1000 / n:8.2f} ms/platform  "
          f"ratio {score_s / read_s:.2f}x baseline (goal <= 3x)")
    print(f"blacklist export:  {export_s * 1000:8.1f} ms for {count} platforms, "
          f"{len(text.encode()) // 1024} KiB")
    store.close()
    ledger.close()
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
