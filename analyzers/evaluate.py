"""Precision and recall per rule on a labeled corpus (tests/corpus), for the engine and for a
naive baseline (plain substring search of the lexicon, no normalization, no context).

Text-level: a rule counts as found in a text when at least one finding of it is there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from settings.rulecatalog import text_rules

from .engine import Analyzer

# the rules that read running text (of the shipped rules file)
TEXT_RULES = tuple(text_rules())


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fp_ids: list[str] = field(default_factory=list)
    fn_ids: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(records: Iterable[dict[str, Any]], predict: Callable[[dict[str, Any]], set[str]],
          rules: Iterable[str]) -> dict[str, Score]:
    rules = tuple(rules)
    table = {r: Score() for r in rules}
    for rec in records:
        got = predict(rec)
        want = set(rec.get("labels", []))
        for r in rules:
            s = table[r]
            if r in got and r in want:
                s.tp += 1
            elif r in got:
                s.fp += 1
                s.fp_ids.append(rec["id"])
            elif r in want:
                s.fn += 1
                s.fn_ids.append(rec["id"])
    return table


def engine_text_predictor(analyzer: Analyzer) -> Callable[[dict[str, Any]], set[str]]:
    def predict(rec: dict[str, Any]) -> set[str]:
        return {f.rule for f in analyzer.analyze(rec["text"], rec.get("kind", "page"))
                if (f.extra or {}).get("field") != "operator"}
    return predict


def engine_enterprise_predictor(analyzer: Analyzer) -> Callable[[dict[str, Any]], set[str]]:
    def predict(rec: dict[str, Any]) -> set[str]:
        return {f.rule for f in analyzer.check_enterprise(rec["name"], rec.get("scope", ""))}
    return predict


def naive_predictor(analyzer: Analyzer, rules: Iterable[str]) -> Callable[[dict[str, Any]],
                                                                        set[str]]:
    """Plain substring search of every lexicon term in the raw text: what a keyword list does."""
    lexicon = {rid: [t.raw for t in analyzer.rules[rid].terms] for rid in rules
               if rid in analyzer.rules}
    rates = analyzer.ruleset.rates
    for rid in lexicon:
        if "rate" in analyzer.rules[rid].kinds:
            # a keyword list would hold the rate words too (年化, 月息, 日息 ...)
            lexicon[rid] += [*rates["annual"], *rates["monthly"], *rates["weekly"],
                             *rates["daily"]]

    def predict(rec: dict[str, Any]) -> set[str]:
        text = rec.get("text") or (rec.get("name", "") + "\n" + rec.get("scope", ""))
        return {rid for rid, words in lexicon.items() if any(w in text for w in words)}
    return predict


def rate_misses(analyzer: Analyzer, records: Iterable[dict[str, Any]]
                ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(expected rates not found, rates found that the corpus does not list)."""
    missing, extra = [], []
    for rec in records:
        found = {f.annual_rate for f in analyzer.analyze(rec["text"], rec.get("kind", "page"))
                 if f.annual_rate is not None}
        want = {float(r) for r in rec.get("rates", [])}
        missing += [(rec["id"], r) for r in sorted(want) if not any(abs(r - g) < 0.01
                                                                      for g in found)]
        extra += [(rec["id"], g) for g in sorted(found) if not any(abs(r - g) < 0.01
                                                                     for r in want)]
    return missing, extra


def format_table(title: str, table: dict[str, Score]) -> str:
    lines = [title, f"{'rule':<22} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}"]
    for rid, s in table.items():
        lines.append(f"{rid:<22} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>10.3f} "
                     f"{s.recall:>8.3f}")
    return "\n".join(lines)
