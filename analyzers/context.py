"""Where a hit stands: its sentence and clause, the cue words around it, negation before it.

Sentences and clauses are found locally (at most MAX_SPAN characters each way), and cue words
are looked up lazily with their own automaton, so a long page pays only around its candidates.
"""

from __future__ import annotations

import re

from .automaton import KeywordAutomaton
from .normalize import Normalized

SENT_DELIMS = "。！？!?；;\n|"
CLAUSE_DELIMS = SENT_DELIMS + "，,、:："
GAP_STOP = SENT_DELIMS + "，,、（("
# A short post is one context: its words explain each other across sentences (an offer term's
# everyday sense, engine.py; a story's trouble, entity_event.py).
POST_CONTEXT_CHARS = 300
QUOTES = "“”\"'「」『』《》〈〉【】 ‘’"
_SENT_RE = re.compile("[" + re.escape(SENT_DELIMS) + "]")
_CLAUSE_RE = re.compile("[" + re.escape(CLAUSE_DELIMS) + "]")
MAX_SPAN = 300
CUE_KINDS = ("warning", "reporting", "quoting", "borrowing", "investment", "past_performance",
             "own_result", "statistics", "negative", "positive", "advertorial", "offer_cues",
             "private_contact", "denial", "not_quoting", "in_game",
             "not_contact")
# A cue word inside a longer word of a masking kind is no cue of that kind (都说好 is praise, not
# the 说好 of a promise recalled; 还用得着私信我 asks, it does not call).
MASKS = {"quoting": ("not_quoting",), "private_contact": ("not_contact",),
         "offer_cues": ("not_contact",)}


class Doc:
    """Everything known about one text while it is analyzed (not shared between calls).

    Context cue words are looked up lazily with their own automaton: only in the sentences of
    candidates, and in the whole text only when a document-level question is asked. Pages
    without candidates never pay for them.
    """

    __slots__ = ("norm", "t", "kind", "_cue_auto", "_masking", "_span_cues", "_all",
                 "headline_warns", "_sentences")

    def __init__(self, norm: Normalized, kind: str, cue_auto: KeywordAutomaton[tuple[str, ...]],
                 masking: frozenset[tuple[str, ...]]) -> None:
        self.norm = norm
        self.t = norm.text
        self.kind = kind
        self._cue_auto = cue_auto
        self._masking = masking  # masking_values(cue_auto), computed once by the analyzer
        self._span_cues: dict[tuple[int, int], set[str]] = {}
        self._all: dict[str, list[int]] | None = None
        self.headline_warns: bool | None = None  # set by the engine on first use
        # a hit's sentence is asked for by several steps (its term, its pattern, its context)
        self._sentences: dict[tuple[int, int], tuple[int, int]] = {}

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        key = (start, end)
        found = self._sentences.get(key)
        if found is None:
            found = self._sentences[key] = bounds(self.t, _SENT_RE, start, end)
        return found

    def clause(self, start: int, end: int) -> tuple[int, int]:
        return bounds(self.t, _CLAUSE_RE, start, end)

    def cue_in(self, kind: str, start: int, end: int) -> bool:
        """Is a cue word of `kind` inside t[start:end]?"""
        key = (start, end)
        kinds = self._span_cues.get(key)
        if kinds is None:
            kinds = set()
            if end > start:
                for _, _, found in self._found(start, end):
                    kinds.update(found)
            self._span_cues[key] = kinds
        return kind in kinds

    def cue_count(self, kind: str, start: int, end: int) -> int:
        """How many cue words of `kind` are inside t[start:end] (a local scan)."""
        n = 0
        if end > start:
            for _, _, found in self._found(start, end):
                n += kind in found
        return n

    def cues(self, kind: str) -> list[int]:
        """Start offsets of every cue word of `kind` in the whole text."""
        if self._all is None:
            self._all = {k: [] for k in CUE_KINDS}
            for start, _, kinds in self._found(0, len(self.t)):
                for k in kinds:
                    self._all[k].append(start)
        return self._all[kind]

    def _found(self, start: int, end: int) -> list[tuple[int, int, tuple[str, ...]]]:
        """The cue words in t[start:end], less those masked by a longer not_<kind> word."""
        found = self._cue_auto.find(self.t, start, end)
        # (a set lookup per word: this runs for every window a page asks about)
        masks = [m for m in found if m[2] in self._masking]
        if not masks:
            return found
        out = []
        for s, e, ks in found:
            masked = {k for k in ks for ms, me, mks in masks
                      if any(m in mks for m in MASKS.get(k, ())) and ms <= s and e <= me
                      and (ms, me) != (s, e)}
            if masked:
                ks = tuple(k for k in ks if k not in masked)
            if ks:
                out.append((s, e, ks))
        return out

    def has_cue(self, kind: str) -> bool:
        return bool(self.cues(kind))


def masking_values(cue_auto: KeywordAutomaton[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    """The values (kinds of a cue word) of a cue automaton that hold a masking kind (MASKS): computed once
    per analyzer and handed to each Doc."""
    maskers = {m for kinds in MASKS.values() for m in kinds}
    return frozenset(v for v in cue_auto.values if any(k in maskers for k in v))


def bounds(t: str, delim: re.Pattern[str], start: int, end: int) -> tuple[int, int]:
    """The span between the delimiters around [start, end), looking at most MAX_SPAN characters
    each way (searching locally keeps a long page from costing per hit)."""
    lo = max(0, start - MAX_SPAN)
    # the last delimiter before start is the first one of the reversed stretch before it: a
    # forward search, several times faster than a regex anchored at the stretch's end
    m = delim.search(t[lo:start][::-1])
    s = start - m.start() if m else lo
    stop = max(end, start)
    m = delim.search(t, stop, stop + MAX_SPAN)
    e = m.start() if m else min(len(t), stop + MAX_SPAN)
    return s, e


def negation_re(negs: tuple[str, ...], bridges: tuple[str, ...]) -> re.Pattern[str]:
    neg = "|".join(sorted((re.escape(w) for w in negs), key=len, reverse=True)) or "(?!)"
    bridge = "|".join(sorted((re.escape(w) for w in bridges), key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?:{neg})(?:{bridge})?(?:{bridge})?[{re.escape(QUOTES)}]*$")
