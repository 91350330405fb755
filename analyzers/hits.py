"""Candidate hits and how they become one finding per place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .context import Doc
from .rules import Term

SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass
class Hit:
    rule: str
    start: int            # normalized offsets
    end: int
    severity: str
    annual_rate: float | None = None
    term: str = ""


def word_outside(t: str, words: Iterable[str], spans: list[tuple[int, int]]) -> bool:
    """Does one of `words` stand in `t` other than inside one of `spans` (the hits' own words:
    躺着赚钱 is no context for itself, 无法提现 no word of finance)?"""
    for w in words:
        i = t.find(w)
        while i >= 0:
            if not any(s <= i and i + len(w) <= e for s, e in spans):
                return True
            i = t.find(w, i + 1)
    return False


def near_licensed(doc: Doc, h: Hit, licensed: list[int]) -> bool:
    ss, se = doc.sentence(h.start, h.end)
    return any(ss <= p < se for p in licensed)


def inside(h: Hit, others: Iterable[Hit]) -> bool:
    """Does h lie within the span of one of `others` (a pattern over a term's own words)?"""
    return any(o is not h and o.start <= h.start and h.end <= o.end for o in others)


def outermost(terms: list[tuple[int, int, str, Term]]) -> list[tuple[int, int, str, Term]]:
    """Drop a term inside a longer term of the same rule (保息 in 保本保息): the longer one is
    judged, and a negation before it (不承诺保本保息) must cancel both."""
    if len(terms) < 2:
        return terms
    terms = sorted(terms, key=lambda x: (x[0], -x[1]))
    out: list[tuple[int, int, str, Term]] = []
    for t in terms:
        if any(o[2] == t[2] and o[0] <= t[0] and t[1] <= o[1] and o[3] is not t[3]
               for o in out):
            continue
        out.append(t)
    return out


def merge(hits: list[Hit]) -> list[Hit]:
    """One finding per place: drop a hit inside another of its rule; fold a promise into the
    rate it promises (保证年化 + 年化12% -> 保证年化12%, 12.0)."""
    by_rule: dict[str, list[Hit]] = {}
    for h in hits:
        by_rule.setdefault(h.rule, []).append(h)
    out: list[Hit] = []
    for group in by_rule.values():
        rated = [h for h in group if h.annual_rate is not None]
        plain = [h for h in group if h.annual_rate is None]
        rest: list[Hit] = []
        for h in plain:
            host = next((r for r in rated if h.start < r.end and r.start < h.end), None)
            if host is None:
                rest.append(h)
                continue
            host.start, host.end = min(host.start, h.start), max(host.end, h.end)
            if SEVERITY_ORDER[h.severity] > SEVERITY_ORDER[host.severity]:
                host.severity = h.severity
        group = rated + rest
        group.sort(key=lambda h: (h.start, -h.end))
        kept: list[Hit] = []
        for h in group:
            if h.annual_rate is None and any(
                k.start <= h.start and h.end <= k.end for k in kept
            ):
                continue
            if any(k.start == h.start and k.end == h.end and k.annual_rate == h.annual_rate
                   for k in kept):
                continue
            kept.append(h)
        out.extend(kept)
    out.sort(key=lambda h: (h.start, h.rule))
    return out
