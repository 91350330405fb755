"""Ledger speed: scoring every platform after a patrol (`platforms.score.rescore`: read its
findings, products and posture, compute, record) against the baseline of only reading the same
findings from the store, in the same run; plus registration and the blacklist export.

    python -m benchmarks.ledger_speed --size bench

Goal: rescore <= 3x the bare findings read. Figures are printed, never asserted.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import Row, main, preset

SIZES = {
    "tiny": {"platforms": 10, "findings": 300, "seed": 7},
    "bench": {"platforms": 100, "findings": 10_000, "seed": 7},
    "full": {"platforms": 1000, "findings": 100_000, "seed": 7},
}
RULES = [("promised_return", "保证年化18%", 18.0), ("guaranteed_principal", "保本保息", None),
         ("fundraising_signal", "资金池", None), ("improper_subsidy", "注册送红包", None)]


def _findings(hosts: list[str], count: int, rnd: random.Random) -> list[Any]:
    from findings import FindingRecord, finding_id

    now = datetime.now(UTC)
    out = []
    for n in range(count):
        rule, evidence, rate = rnd.choice(RULES)
        host = rnd.choice(hosts)
        seen = now - timedelta(days=rnd.randint(0, 120))
        source = f"http://{host}/p{n}"
        out.append(FindingRecord(
            id=finding_id(source, rule, evidence), rule=rule,
            severity=rnd.choice(["high", "medium", "low"]), evidence=evidence, start=0,
            end=len(evidence), clause="二(一)1", lead="市金融局", source=source,
            captured_at=seen, normalized=evidence, context=f"稳盈宝\n{evidence}", domain=host,
            first_seen=seen, last_seen=seen, annual_rate=rate))
    return out


def run(size: str, **options: Any) -> list[Row]:
    from findings.open import store_from_settings
    from platforms import PlatformQuery, open_ledger
    from platforms.exchange import export_json
    from platforms.ledger import classify, register
    from platforms.score import ScoreSettings, platform_findings, rescore
    from settings import load_settings

    p = preset(SIZES, size, options)
    home = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    try:
        settings = load_settings(environ={}, overrides={"data_dir": str(home)})
        store, ledger = store_from_settings(settings), open_ledger(settings)
        hosts = [f"p{i}.example.invalid" for i in range(p["platforms"])]
        store.upsert_findings(_findings(hosts, p["findings"], random.Random(p["seed"])))
        started = time.perf_counter()
        for i, host in enumerate(hosts):
            register(ledger, name=f"平台{i}", by="bench", source="bench", domains=[host])
        register_ms = (time.perf_counter() - started) * 1000 / len(hosts)
        platforms = ledger.query(PlatformQuery(limit=100_000))
        cfg = ScoreSettings.from_settings(settings)
        started = time.perf_counter()
        for item in platforms:
            platform_findings(store, item)
        read_ms = (time.perf_counter() - started) * 1000 / len(platforms)
        started = time.perf_counter()
        for item in platforms:
            rescore(ledger, store, item, cfg)
        score_ms = (time.perf_counter() - started) * 1000 / len(platforms)
        for item in platforms[: len(platforms) // 2]:
            classify(ledger, item.id, "取缔", by="bench", departments=None, reason="基准测试")
        started = time.perf_counter()
        text, count = export_json(ledger)
        export_ms = (time.perf_counter() - started) * 1000
        store.close()
        ledger.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"{len(platforms)} platforms, {p['findings']} findings; export {count} platforms, "
          f"{len(text.encode()) // 1024} KiB")
    return [
        Row("rescore per platform vs reading its findings", score_ms, read_ms, "ms", "<= 3x"),
        Row("register per platform", register_ms, None, "ms"),
        Row(f"blacklist export ({count} platforms)", export_ms, None, "ms"),
    ]


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
