"""The keyword automaton every analyzer scan uses: every occurrence, in the order the engine
relies on (by end, the longer first), at offsets of the text as Python counts them."""

from __future__ import annotations

import random

import pytest

from analyzers.automaton import KeywordAutomaton

KEYS = ["保本", "保本保息", "保息", "本保", "跑路", "平台跑路", "𝐏2𝐏", "2", "年化", "化1"]


def occurrences(text: str, keys: list[str], start: int = 0, end: int | None = None
                ) -> list[tuple[int, int, str]]:
    """Every occurrence of every key in text[start:end], found one by one with str.find."""
    end = len(text) if end is None else end
    out = []
    for key in keys:
        i = text.find(key, start, end)
        while i >= 0:
            out.append((i, i + len(key), key))
            i = text.find(key, i + 1, end)
    return sorted(out, key=lambda x: (x[1], x[0]))  # by end; at one end, the longer first


def test_overlapping_occurrences_by_end_longer_first() -> None:
    auto = KeywordAutomaton((k, k) for k in KEYS)
    text = "𝐏2𝐏平台跑路了，说好的保本保息年化12%"
    found = auto.find(text)
    assert found == occurrences(text, KEYS)
    # 保本保息 holds 保本, 本保 and 保息: all four come out, 保息 after 保本保息 (same end)
    assert [v for _, _, v in found if v in ("保本", "本保", "保本保息", "保息")] == [
        "保本", "本保", "保本保息", "保息"]
    # offsets count characters as Python does, astral ones (𝐏) included
    assert all(text[s:e] == v for s, e, v in found)


def test_a_slice_reports_offsets_of_the_whole_text() -> None:
    auto = KeywordAutomaton((k, len(k)) for k in KEYS)
    text = "保本保息，平台跑路，保本"
    found = auto.find(text, 3, 9)
    assert [(s, e) for s, e, _ in found] == [(s, e) for s, e, _ in occurrences(text, KEYS, 3, 9)]
    assert all(3 <= s and e <= 9 for s, e, _ in found)


@pytest.mark.parametrize("compact", [False, True])
def test_random_texts_match_the_reference(compact: bool) -> None:
    rng = random.Random(12)
    alphabet = "保本息跑路平台2𝐏年化1，"
    auto = KeywordAutomaton(((k, k) for k in KEYS), compact=compact)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        lo = rng.randint(0, len(text))
        assert auto.find(text) == occurrences(text, KEYS)
        assert auto.find(text, lo) == occurrences(text, KEYS, lo)


def test_no_keys_finds_nothing_and_bad_keys_are_refused() -> None:
    empty: KeywordAutomaton[str] = KeywordAutomaton(())
    assert not empty and empty.find("保本保息") == []
    with pytest.raises(ValueError, match="empty"):
        KeywordAutomaton([("", 1)])
    with pytest.raises(ValueError, match="twice"):
        KeywordAutomaton([("保本", 1), ("保本", 2)])
