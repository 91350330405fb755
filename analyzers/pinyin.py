"""Spellings of a lexicon term with pinyin mixed in: 首付贷 as shou付dai, 配资 as pei资.

Promoters write part of a watched word in pinyin to slip past keyword lists (shou付dai, ti验金,
yuan始股). The whole word in pinyin is listed in the rules file where it is used (shoufudai,
peizi); the mixed forms are generated here, for every term of Han characters, so that a term
added to the rules file gets them too. Only mixed forms: a whole-pinyin form of every term
(doudi, baoben) would match inside user names and English words, and a form with at least one
Han character stays anchored in Chinese text. The pinyin is toneless, as people type it, from
the table of model/pinyin.txt (scripts/build_pinyin_table.py: every character's two most
common readings, so 银行 gets yin行, 银hang and 银xing alike).
"""

from __future__ import annotations

import re
from functools import cache
from itertools import product

from settings.resources import shipped_path

TABLE_FILE = shipped_path("analyzers", "model", "pinyin.txt")
MIN_CHARS = 2
MAX_CHARS = 5   # (3**5 - 1 - 2**5 = 210 spellings per term at most, two readings a character)
_HAN = re.compile(rf"[\u4e00-\u9fff]{{{MIN_CHARS},{MAX_CHARS}}}")


@cache
def readings() -> dict[str, tuple[str, ...]]:
    """Character -> its toneless readings (model/pinyin.txt; # starts a comment line)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in TABLE_FILE.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            char, *spelled = line.split()
            out[char] = tuple(spelled)
    return out


def mixed_spellings(term: str) -> list[str]:
    """Every spelling of `term` with some, not all, of its characters in toneless pinyin (each
    reading of each); [] for a term that is not 2 to 5 Han characters the table knows."""
    if not _HAN.fullmatch(term):
        return []
    table = readings()
    if any(c not in table for c in term):
        return []
    out = []
    for choice in product(*(((c, False),) + tuple((r, True) for r in table[c]) for c in term)):
        spelled = [py for _, py in choice]
        if any(spelled) and not all(spelled):
            out.append("".join(part for part, _ in choice))
    return out


def latin_bounded(text: str, start: int, end: int) -> bool:
    """Does a match text[start:end] that begins or ends with a Latin letter stand apart from
    the Latin letters and digits around it (not the 'dai' of 首付daily)?"""
    if text[start].isascii() and text[start].isalpha() and start > 0:
        before = text[start - 1]
        if before.isascii() and before.isalnum():
            return False
    if text[end - 1].isascii() and text[end - 1].isalpha() and end < len(text):
        after = text[end]
        if after.isascii() and after.isalnum():
            return False
    return True
