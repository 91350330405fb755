"""Offer words written with pinyin mixed in (shou付dai, pei资): analyzers/pinyin.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.pinyin import latin_bounded, mixed_spellings

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_matches_the_installed_pypinyin() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pinyin_table.py"),
                           "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "up to date" in proc.stdout


def test_every_mix_but_the_plain_and_the_whole_pinyin_forms() -> None:
    spellings = mixed_spellings("首付贷")
    assert len(spellings) == 6
    assert {"shou付dai", "首fu贷", "首付dai", "shoufu贷"} <= set(spellings)
    assert "首付贷" not in spellings and "shoufudai" not in spellings


def test_each_reading_of_a_character() -> None:
    assert set(mixed_spellings("银行")) == {"yin行", "银xing", "银hang"}


@pytest.mark.parametrize("term", ["配", "p2p", "首付贷款的期限", "pos机"])
def test_no_spellings_for_single_characters_long_terms_or_latin(term: str) -> None:
    assert mixed_spellings(term) == []


@pytest.mark.parametrize("text, start, end, ok", [
    ("首付dai三天放款", 0, 5, True),
    ("首付daily", 0, 5, False),        # the dai of an English word
    ("xpei资", 1, 5, False),
    ("加v pei资", 3, 7, True),
])
def test_latin_bounded(text: str, start: int, end: int, ok: bool) -> None:
    assert latin_bounded(text, start, end) is ok


@pytest.mark.parametrize("text, rule", [
    ("shou付dai，月息0.8%，最快当天放款", "real_estate_finance"),
    ("pei资 1比10，股票期货都能做，私聊", "margin_financing"),
    ("yuan始股认购中，上市后十倍收益，名额有限", "fundraising_signal"),
    ("bao本的理财，名额有限，私聊", "guaranteed_principal"),
    ("新人送ti验金8888元，收益可提现", "improper_subsidy"),
])
def test_mixed_spellings_are_found(analyzer: Analyzer, text: str, rule: str) -> None:
    assert rule in {f.rule for f in analyzer.analyze(text, "post")}


def test_mixed_spellings_stop_at_latin_words(analyzer: Analyzer) -> None:
    # the same offer with 首付dai gives real_estate_finance; the dai of daily is no pinyin
    found = {f.rule for f in analyzer.analyze("首付daily，月息0.8%，最快当天放款", "post")}
    assert "real_estate_finance" not in found
    assert "real_estate_finance" in {
        f.rule for f in analyzer.analyze("首付dai，月息0.8%，最快当天放款", "post")}
