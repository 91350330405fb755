"""Confusable characters are folded before matching; offsets still point into the original."""

from __future__ import annotations

import pytest

from analyzers import Analyzer
from analyzers.normalize import fold_confusables, normalize


@pytest.mark.parametrize("given, folded", [
    ("⼈⼈贷", "人人贷"),             # Kangxi radicals (U+2F08)
    ("⻔店", "门店"),                 # CJK radicals supplement (U+2ED4)
    ("\uf900\ufa0a", "豈見"),         # compatibility ideographs
    ("𝐏𝟐𝐏", "P2P"),                 # mathematical alphanumerics
    ("Р2Р", "P2P"),                 # Cyrillic Er in a Latin word
    ("ΡΟS机", "POS机"),              # Greek capitals in a Latin word
    ("Россия", "Россия"),            # a Russian word is left alone
    ("保本保息", "保本保息"),
])
def test_fold_confusables(given: str, folded: str) -> None:
    assert fold_confusables(given) == folded
    assert len(fold_confusables(given)) == len(given)


def test_findings_point_at_the_confusable_original(analyzer: Analyzer) -> None:
    text = "欢迎光临。⽆⻛险投资，本⾦保障，𝟏𝟎𝟎%兑付。"
    findings = analyzer.analyze(text, kind="page")
    rules = {f.rule for f in findings}
    assert "guaranteed_principal" in rules
    evidence = {text[f.start:f.end] for f in findings}
    assert {"⽆⻛险", "本⾦保障"} <= evidence
    for f in findings:
        assert text[f.start:f.end] == f.evidence


def test_folding_is_linear_on_hostile_input() -> None:
    n = normalize("Рa " * 20_000 + "⼈" * 20_000)
    assert n.text.startswith("pa")
