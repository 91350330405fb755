"""Refuse rule regexes that can backtrack catastrophically.

Crawled text is written by adversaries. A regex with a repeat inside a repeat ((a+)+, (ab*){2,})
can take exponential time on a crafted string; the engine runs every pattern only in a bounded
window around an anchor, which keeps a safe regex linear in the text, but not an unsafe one.
A rules file with such a regex is refused at load, with its line.
"""

from __future__ import annotations

import re._constants as sre_c
import re._parser as sre_p
from typing import Any

_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)}


def _walk(items: Any, inside_repeat: bool) -> bool:
    for op, av in items:
        if op in _REPEATS:
            _lo, hi, sub = av
            repeats = hi == sre_c.MAXREPEAT or hi > 1
            if inside_repeat and repeats:
                return True
            if _walk(sub, inside_repeat or repeats):
                return True
        elif op == sre_c.SUBPATTERN:
            if _walk(av[-1], inside_repeat):
                return True
        elif op == sre_c.BRANCH:
            if any(_walk(branch, inside_repeat) for branch in av[1]):
                return True
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            if _walk(av[1], inside_repeat):
                return True
    return False


def nested_repeat(pattern: str) -> bool:
    """Does `pattern` hold a repeat (more than once) inside another repeat?"""
    return _walk(sre_p.parse(pattern), False)
