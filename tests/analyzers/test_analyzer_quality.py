"""Precision and recall per rule on the hand-labeled corpus (tests/corpus), and its rates.

Targets from issue 3: precision >= 0.97 and recall >= 0.95 for every rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.evaluate import (
    TEXT_RULES,
    engine_enterprise_predictor,
    engine_text_predictor,
    format_table,
    load_jsonl,
    rate_misses,
    score,
)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
PRECISION, RECALL = 0.97, 0.95

@pytest.fixture(scope="module")
def corpus_analyzer() -> Analyzer:
    return Analyzer(ROOT / "config" / "rules.yaml", CORPUS / "licensed.txt")


def test_text_rules(corpus_analyzer: Analyzer) -> None:
    records = load_jsonl(CORPUS / "texts.jsonl")
    table = score(records, engine_text_predictor(corpus_analyzer), TEXT_RULES)
    report = format_table("engine on texts.jsonl", table)
    for rid, s in table.items():
        assert s.precision >= PRECISION, f"{rid}: false positives {s.fp_ids}\n{report}"
        assert s.recall >= RECALL, f"{rid}: missed {s.fn_ids}\n{report}"


def test_every_expected_rate_is_found(corpus_analyzer: Analyzer) -> None:
    records = load_jsonl(CORPUS / "texts.jsonl")
    missing, extra = rate_misses(corpus_analyzer, records)
    assert missing == []
    assert extra == []


def test_public_risk_platform(corpus_analyzer: Analyzer) -> None:
    for rec in load_jsonl(CORPUS / "texts.jsonl"):
        if "public_risk" not in rec["labels"] or not rec.get("platform"):
            continue
        found = [f for f in corpus_analyzer.analyze(rec["text"], rec["kind"])
                 if f.rule == "public_risk"]
        assert found and found[0].platform == rec["platform"], rec["id"]


def test_restricted_name(corpus_analyzer: Analyzer) -> None:
    records = load_jsonl(CORPUS / "enterprises.jsonl")
    table = score(records, engine_enterprise_predictor(corpus_analyzer), ["restricted_name"])
    s = table["restricted_name"]
    report = format_table("engine on enterprises.jsonl", table)
    assert s.precision >= PRECISION, f"false positives {s.fp_ids}\n{report}"
    assert s.recall >= RECALL, f"missed {s.fn_ids}\n{report}"


def test_evidence_offsets_on_the_whole_corpus(corpus_analyzer: Analyzer) -> None:
    for rec in load_jsonl(CORPUS / "texts.jsonl"):
        for f in corpus_analyzer.analyze(rec["text"], rec["kind"]):
            assert rec["text"][f.start:f.end] == f.evidence, rec["id"]
