"""The analyzer's findings on a fixed sample, pinned in data/pinned_findings.json.

    python tests/analyzers/pinned_findings.py      # rewrite the file from the current code

test_findings_pinned.py compares every finding (rule, severity, offsets, evidence, rate,
platform, sentiment, extra) of every record with the file, so a change meant to be a pure
speed-up cannot change a finding unnoticed. Rewrite the file only for a change that is meant to
change findings (a rule, the rules file, a retrained opinion model) and read its diff: each line
is one finding of one record.

The sample: every text of the project corpus (texts, heldout, heldout2) analyzed as its own kind
and as a page; the enterprise records; and pages composed of the city's plan as published
(traditional characters, pinyin glosses, "?" placeholders), the same lines in simplified
characters, navigation, footers with operators, and corpus texts, so that normalization and the
map back to the original offsets are pinned too.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from analyzers import Analyzer  # noqa: E402
from analyzers.finding import Finding  # noqa: E402
from analyzers.opinion import MODEL_FILE  # noqa: E402

PINNED = HERE / "data" / "pinned_findings.json"
CORPUS = ROOT / "tests" / "corpus"
PLAN = HERE / "data" / "qingyuan-internet-finance-rectification-plan-2016.txt"
CORPUS_FILES = ("texts", "heldout", "heldout2")
ENTERPRISE_FILES = ("enterprises", "heldout_enterprises")
NAV = "首页 | 我要出借 | 信息披露 | 安全保障 | 关于我们 | 联系我们"
FOOTERS = ("版权所有 © 2016 清远北江信息科技有限公司 粤ICP备16012345号",
           "Copyright © 2017 连州财富投资管理有限公司 All Rights Reserved",
           "主办单位：清远市金融工作局 | 粤ICP备05012345号-1",
           "清远市合众互联网金融服务有限公司 版权所有")
KINDS = ("page", "post", "news", "notice", "ad")


def _records(name: str) -> list[dict]:
    lines = (CORPUS / f"{name}.jsonl").read_text("utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def composed_pages(n: int = 40, seed: int = 2016) -> list[tuple[str, str]]:
    """(kind, text) pages mixing the plan as published, its simplified form and corpus texts."""
    import opencc

    rng = random.Random(seed)
    plan = [x for x in PLAN.read_text("utf-8").splitlines() if len(x.strip()) > 10]
    simplified = [opencc.OpenCC("t2s").convert(x) for x in plan]
    texts = [r["text"] for name in CORPUS_FILES for r in _records(name)]
    pages = []
    for i in range(n):
        lines = [NAV]
        for _ in range(rng.randint(8, 40)):
            r = rng.random()
            pool = texts if r < 0.15 else plan if r < 0.55 else simplified
            lines.append(rng.choice(pool))
        lines.append(FOOTERS[i % len(FOOTERS)])
        pages.append((KINDS[i % len(KINDS)], "\n".join(lines)))
    return pages


def sample() -> Iterator[tuple[str, str, str]]:
    """(record key, text, kind) of every text analyzed."""
    for name in CORPUS_FILES:
        for r in _records(name):
            kind = r.get("kind", "page")
            yield f"{name}/{r['id']}/{kind}", r["text"], kind
            if kind != "page":
                yield f"{name}/{r['id']}/page", r["text"], "page"
    for i, (kind, text) in enumerate(composed_pages()):
        yield f"composed/{i}/{kind}", text, kind


def finding_line(f: Finding) -> str:
    """One finding as one readable line (floats as the finding carries them)."""
    parts = [f.rule, f.severity, f"{f.start}-{f.end}", repr(f.evidence)]
    for field in ("annual_rate", "platform", "sentiment", "normalized"):
        value = getattr(f, field)
        if value not in (None, ""):
            parts.append(f"{field}={value!r}")
    parts += [f"{k}={f.extra[k]!r}" for k in sorted(f.extra)]
    return " ".join(parts)


def collect(analyzer: Analyzer) -> dict[str, list[str]]:
    """Record key -> its findings as lines (records without findings included: a finding that
    appears is as much a change as one that goes)."""
    out: dict[str, list[str]] = {}
    for key, text, kind in sample():
        out[key] = [finding_line(f) for f in analyzer.analyze(text, kind)]
    for name in ENTERPRISE_FILES:
        for r in _records(name):
            found = analyzer.check_enterprise(r.get("name", ""), r.get("scope", ""))
            out[f"{name}/{r['id']}"] = [finding_line(f) for f in found]
    return out


def model_digest() -> str:
    """The opinion model the pinned public_risk findings were made with."""
    return hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest()[:16]


def build_analyzer() -> Analyzer:
    """The analyzer the tests share (conftest.py): the project rules, the corpus's licensed
    institutions."""
    return Analyzer(ROOT / "config" / "rules.yaml", CORPUS / "licensed.txt")


def main() -> int:
    data = {"model": model_digest(), "findings": collect(build_analyzer())}
    PINNED.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                      "utf-8")
    n = sum(len(v) for v in data["findings"].values())
    print(f"{PINNED.relative_to(ROOT)}: {len(data['findings'])} records, {n} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
