"""Every occurrence of a fixed set of keywords in a text, in one pass (Aho-Corasick).

All the analyzers' keyword scans go through this one class: the rule terms, look-alikes,
pattern anchors and rate keywords (engine.py), the context cue words (context.py), the platform
lexicon (entity_event.py) and the restricted words of enterprise names (enterprise.py).

The automaton is ahocorasick_rs (Rust): on a page of Chinese text it scans about eight times
faster than pyahocorasick, and the scan of every page is the one cost no page avoids. Matches are
reported like pyahocorasick's `iter`: every occurrence, overlapping ones too, ordered by where
they end, and the longer first of those that end at the same place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

import ahocorasick_rs

V = TypeVar("V")


class KeywordAutomaton(Generic[V]):
    """Keys (non-empty, distinct) with a value each; `find` gives (start, end, value) per
    occurrence, end exclusive, in offsets of the text searched. `compact`: a contiguous NFA
    instead of a DFA, for large key sets scanned in short windows."""

    __slots__ = ("_auto", "_values")

    def __init__(self, items: Iterable[tuple[str, V]], compact: bool = False) -> None:
        keys: list[str] = []
        values: list[V] = []
        seen: set[str] = set()
        for key, value in items:
            if not key:
                raise ValueError("an empty keyword would match everywhere")
            if key in seen:
                raise ValueError(f"keyword {key!r} given twice")
            seen.add(key)
            keys.append(key)
            values.append(value)
        self._values = tuple(values)
        # The DFA scans fastest while it stays in the CPU cache; for thousands of keys (the
        # platform lexicon: 14 MB as a DFA) and short windows between other work, the compact
        # NFA is faster: a cold DFA costs a cache miss per character.
        impl = (ahocorasick_rs.Implementation.ContiguousNFA if compact
                else ahocorasick_rs.Implementation.DFA)
        self._auto = ahocorasick_rs.AhoCorasick(keys, implementation=impl) if keys else None

    def __len__(self) -> int:
        return len(self._values)

    @property
    def values(self) -> tuple[V, ...]:
        """The values of the keys, in the order given."""
        return self._values

    def find(self, text: str, start: int = 0, end: int | None = None
             ) -> list[tuple[int, int, V]]:
        """Every occurrence in text[start:end] (overlapping too), by end, longer first."""
        if self._auto is None:
            return []
        if start or end is not None:
            text = text[start:end]
        values = self._values
        found = self._auto.find_matches_as_indexes(text, overlapping=True)
        if start:
            return [(s + start, e + start, values[i]) for i, s, e in found]
        return [(s, e, values[i]) for i, s, e in found]
