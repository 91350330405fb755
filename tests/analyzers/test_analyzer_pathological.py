"""Pathological input (issue 15): crawled text is written by adversaries.

Every rule pattern is fed long adversarial strings (separators, nested brackets, its anchors
repeated as partial matches). The work an analysis does is counted in steps (candidates judged,
regex calls, characters those regexes scan), never timed: it must be bounded by the per-text
limit, and a 10 MB text must be cut to that limit with a logged warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.engine import MAX_CANDIDATES
from analyzers.regex_safety import nested_repeat

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "config" / "rules.yaml"
SEPARATORS = " -·/|_\u200b\u00a0&nbsp;"
BRACKETS = "（(（[【《“「『" * 3


@pytest.fixture(scope="module")
def small(analyzer: Analyzer) -> Analyzer:
    """The shipped rules with a 20,000-character limit per text."""
    return Analyzer(RULES, max_text_chars=20_000)


def _patterns(a: Analyzer) -> list[tuple[str, int]]:
    return [(rid, i) for rid, r in a.rules.items() for i in range(len(r.patterns))]


def _adversarial(anchor: str, size: int) -> list[str]:
    """Texts of about `size` characters that keep almost matching near `anchor`."""
    unit_partial = anchor + "1" * 3 + SEPARATORS + anchor + "翻" + "（"
    unit_nested = BRACKETS + anchor + "，" * 2
    unit_glued = anchor * 3 + "保本保" + "年化" + "12" * 4
    return [(u * (size // len(u) + 1))[:size]
            for u in (unit_partial, unit_nested, unit_glued, SEPARATORS)]


def test_shipped_patterns_have_no_nested_repeats(analyzer: Analyzer) -> None:
    assert _patterns(analyzer)
    for rid, i in _patterns(analyzer):
        pattern = analyzer.rules[rid].patterns[i].regex.pattern
        assert not nested_repeat(pattern), (rid, pattern)
    assert nested_repeat("(a+)+") and nested_repeat("(ab{0,3}){2,}")
    assert not nested_repeat(r"(\d+(\.\d+)?)%") and not nested_repeat("[^，]{0,8}翻")


def test_every_pattern_does_bounded_work_on_adversarial_text(small: Analyzer) -> None:
    limit = small.max_text_chars
    for rid, i in _patterns(small):
        pat = small.rules[rid].patterns[i]
        for anchor in pat.anchors:
            for text in _adversarial(anchor, 4 * limit):
                _, stats = small.analyze_with_stats(text, "page")
                assert stats.chars == limit and stats.truncated == 3 * limit
                # each pattern's anchors are judged at most MAX_CANDIDATES times per text
                n_patterns = sum(len(r.patterns) for r in small.rules.values())
                assert stats.regex_calls <= MAX_CANDIDATES * n_patterns, (rid, anchor)
                # every regex runs in a window of its sentence around the anchor
                window = max(p.window for r in small.rules.values() for p in r.patterns)
                longest = max(len(a) for r in small.rules.values() for p in r.patterns
                              for a in p.anchors)
                assert stats.regex_chars <= stats.regex_calls * (2 * window + longest)


def test_work_grows_no_faster_than_the_text(analyzer: Analyzer) -> None:
    """Steps at n and 4n characters (both under the limit): at most 4 times as many."""
    unit = "保本保息，年化12%起，稳赚不赔！配资1:10杠杆，首付贷，跑路了？" + SEPARATORS + BRACKETS
    n = 4_000
    steps = []
    for size in (n, 4 * n):
        text = (unit * (size // len(unit) + 1))[:size]
        _, stats = analyzer.analyze_with_stats(text, "post")
        assert stats.truncated == 0
        steps.append((stats.candidates + stats.dropped_candidates, stats.regex_chars))
    (c1, r1), (c4, r4) = steps
    assert c1 > 0 and r1 > 0
    assert c4 <= 4 * c1 + 4 and r4 <= 4 * r1 + 400


def test_ten_megabytes_are_cut_with_a_logged_warning(analyzer: Analyzer, caplog) -> None:
    head = "本平台承诺保本保息，稳赚不赔。"
    text = head + ("保-本" + SEPARATORS + BRACKETS) * (10_000_000 // 40)
    tail = "首付贷，零首付买房"  # beyond the limit: not analyzed
    assert len(text) > 10_000_000
    with caplog.at_level(logging.WARNING, logger="analyzers.engine"):
        findings, stats = analyzer.analyze_with_stats(text + tail, "ad")
    assert stats.chars == analyzer.max_text_chars
    assert stats.truncated == len(text + tail) - analyzer.max_text_chars
    assert any("analyzer_max_text_chars" in r.getMessage() for r in caplog.records)
    rules = {f.rule for f in findings}
    assert "guaranteed_principal" in rules and "real_estate_finance" not in rules
    assert stats.dropped_candidates > 0  # the repeated term beyond MAX_CANDIDATES is not judged
