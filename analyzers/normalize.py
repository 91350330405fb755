"""Normalized copy of a text with a map back to the original offsets.

Matching runs on the normalized copy (confusables folded, simplified characters, half-width,
lower case, no separators inside words, no pinyin glosses); findings must point at the words as given, so every
normalized offset maps back to an offset of the original text.

The first three steps (confusables, OpenCC t2s, a str.translate table) keep the length, so they cost nothing in
the map; only removals (separators, zero-width characters, glosses, &nbsp;) change it, and those
are recorded as segments: a sorted list of (normalized start, original start) pairs, identity
inside each segment. A text with no removals has a single segment, which keeps the common case
cheap (no per-character Python work).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import opencc

from settings.resources import shipped_path

T2S_CHARS_FILE = shipped_path("analyzers", "model", "t2s_chars.txt")

# Full-width ASCII (U+FF01..U+FF5E) folds to ASCII, except the full-width question mark: an ASCII
# "?" in Chinese text is usually a lost non-breaking space, a "？" is a real question.
# The most common full-width punctuation (，；！（）) stays as it is: folding it would not
# change a match, and every Chinese page is full of it.
_KEEP = {0xFF1F, 0xFF0C, 0xFF1B, 0xFF01, 0xFF08, 0xFF09}
_FOLD: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if c not in _KEEP}
for _c in range(0xFF21, 0xFF3B):  # full-width capitals fold straight to lower case
    _FOLD[_c] = _c - 0xFEE0 + 32
for _c in range(0x41, 0x5B):
    _FOLD[_c] = _c + 32
_FOLD.update({
    0x3000: 0x20,   # ideographic space
    0x00A0: 0x20,   # no-break space
    0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x202F: 0x20,
    0x2014: 0x2D, 0x2013: 0x2D, 0x2012: 0x2D, 0x2212: 0x2D,  # dashes and minus
    0xFE6A: 0x25,   # small percent sign
    0x52B5: 0x5238,  # 劵 -> 券: the usual misspelling of 券 (加息劵, 现金劵)
})
FOLD_TABLE = _FOLD

# -- confusables: characters that look like the ones a rule names, folded before matching ------
# Each maps one code point to one, so the offset map is untouched. Kangxi radicals (⼈ U+2F08),
# compatibility ideographs and mathematical alphanumerics (𝐏𝟐𝐏) have NFKC forms; the CJK
# radicals supplement (⻔ U+2ED4, ⻛) mostly does not, so the radicals that stand alone as the
# character they come from are listed here.
_RADICALS = dict(zip(
    "⺁⺆⺊⺌⺎⺒⺓⺠⺢⺩⺮⺶⻁⻄⻅⻆⻈⻉⻊⻋⻌⻏⻑⻓⻔⻖⻘⻙⻚⻛⻜⻝⻠⻢⻣⻤⻥⻦⻧⻨⻩⻪⻫⻬⻭⻮⻯⻰⻲⻳",
    "厂冂卜小尢巳幺民水王竹羊虎西见角讠贝足车辶阝長长门阝青韦页风飞食饣马骨鬼鱼鸟卤麦黄黾齐齐齿齿龙龙龟龟",
    strict=True))
_CONFUSABLE_RANGES = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x1D400, 0x1D7FF),
                      (0x2F800, 0x2FA1F))


def _confusable_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for lo, hi in _CONFUSABLE_RANGES:
        for code in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = ord(folded)
    table.update({ord(k): ord(v) for k, v in _RADICALS.items()})
    return table


CONFUSABLE_TABLE = _confusable_table()


def _runs_of(char_class: str) -> re.Pattern[str]:
    """Runs of the characters of a class. Written [x][x]* rather than [x]+: a pattern that
    starts with a plain class lets the regex engine skip the other characters in a tight loop,
    two to three times faster on text that has none (most text)."""
    return re.compile(char_class + char_class + "*")


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    return "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges) + "]"


# the ranges above U+FFFF are looked for only in text that has such characters: a class with
# them cannot be a bitmap, and costs twice as much per character
_CONFUSABLE_BMP_RE = _runs_of(_ranges(tuple(r for r in _CONFUSABLE_RANGES if r[1] <= 0xFFFF)))
_CONFUSABLE_ASTRAL_RE = _runs_of(_ranges(tuple(r for r in _CONFUSABLE_RANGES if r[0] > 0xFFFF)))


def has_astral(text: str) -> bool:
    """Whether text has a character above U+FFFF. Such a character takes two UTF-16 code
    units: comparing lengths costs a fast encode, six times less than a regex class scan of
    the text (a class with astral ranges is no bitmap)."""
    return len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


# Cyrillic and Greek letters that look like Latin ones; folded only inside a word that also has
# Latin letters or digits (Р2Р, Рaу), so Russian or Greek text stays as it is.
_LOOKALIKES = dict(zip(
    "АВЕКМНОРСТХУаеорсухіјѕԁԛԝЅІЈΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιρχυνκ",
    "ABEKMHOPCTXYaeopcyxijsdqwSIJABEZHIKMNOPTYXoipxuvk", strict=True))
LOOKALIKE_TABLE = {ord(k): ord(v) for k, v in _LOOKALIKES.items()}
_FOREIGN_RANGES = ((0x0370, 0x03FF), (0x0400, 0x052F))
_FOREIGN = re.compile(_ranges(_FOREIGN_RANGES))
_CONFUSABLE_OR_FOREIGN = re.compile(_ranges(
    tuple(r for r in _CONFUSABLE_RANGES if r[1] <= 0xFFFF) + _FOREIGN_RANGES))
_MIXED_WORD = re.compile(r"[A-Za-z0-9\u0370-\u03ff\u0400-\u052f]+")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _fold_lookalike_word(m: re.Match[str]) -> str:
    word = m.group()
    if _LATIN.search(word) and _FOREIGN.search(word):
        return word.translate(LOOKALIKE_TABLE)
    return word


def _fold_confusable_run(m: re.Match[str]) -> str:
    return m.group().translate(CONFUSABLE_TABLE)


def fold_confusables(text: str) -> str:
    """Radicals, compatibility ideographs, mathematical alphanumerics and Cyrillic/Greek
    look-alikes in Latin words, folded to the characters they imitate (same length)."""
    if text.isascii():
        return text
    astral = has_astral(text)
    if not astral and _CONFUSABLE_OR_FOREIGN.search(text) is None:
        return text  # most text: one look for both kinds instead of two
    text = _CONFUSABLE_BMP_RE.sub(_fold_confusable_run, text)
    if astral:
        # (mathematical alphanumerics fold to Latin and Greek letters: looked for below)
        text = _CONFUSABLE_ASTRAL_RE.sub(_fold_confusable_run, text)
    if _FOREIGN.search(text) is None:
        return text
    return _MIXED_WORD.sub(_fold_lookalike_word, text)


# Characters that count as a "word" on both sides of a separator run. A run between two of them
# is glue inserted to break keyword lists (保-本, 保 本, 保·本), not punctuation.
_WORD = "\u4e00-\u9fff\u3400-\u4dbfa-z0-9"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# pictographs between the characters of a word are glue too (保💰本💰保💰息, 年🔥化): U+2600..U+27BF
# (☀, ✨, ❤), U+2B50 ⭐ and U+1F000..U+1FAFF; and so is a dot in a run of Han characters dotted
# one by one (配.资.开.户; see the `dot` group below)
_EMOJI = "\u2600-\u27bf\u2b50\U0001f000-\U0001faff"
_SEP_CHARS = " \t\\-·•‧・/|_*~+" + "\u200b\u200c\u200d\u2060\ufeff"
# (U+FE0F and U+20E3 make a digit a keycap pictograph: 1️⃣2️⃣% is 12%)
_ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0f\u20e3"

_SYLLABLE = rf"[a-z{_TONED}]{{1,7}}"
# One separator, entity or placeholder of a run.
_SEP_ONE = rf"(?:[{re.escape(_SEP_CHARS)}{_EMOJI}?]|&nbsp;?|&#160;|&ensp;|&emsp;)"
_REMOVE = re.compile(
    # The first character of whatever is removed, then (after a look back at what it was) the
    # rest of it: a pattern that starts with a plain class lets the regex engine skip ordinary
    # text in a tight loop (2.7 ns a character against 7 for a leading lookahead).
    rf"[(（{re.escape(_SEP_CHARS)}{_EMOJI}?&{_ZW}.](?:"
    # a pinyin gloss right after a Han character: one parenthesized syllable with a tone mark
    # (印發(fā)), or the syllables of the word before it (首付(shǒu fù)贷, 跑路（pǎo lù）),
    # half- or full-width parentheses; at least one tone mark, so (abc) or (pos) stay
    rf"(?P<gloss>(?<=[\u4e00-\u9fff\u3400-\u4dbf][(（])"
    rf"(?=[a-z{_TONED} ']{{0,40}}[{_TONED}])"
    rf"{_SYLLABLE}(?:[ ']{_SYLLABLE}){{0,5}}[)）])"
    # zero-width characters are never meaningful
    rf"|(?P<zw>(?<=[{_ZW}])[{_ZW}]*)"
    # a dot between two Han characters (配.资; whether it is glue is decided in normalize())
    rf"|(?P<dot>(?<=[\u4e00-\u9fff\u3400-\u4dbf]\.)(?=[\u4e00-\u9fff\u3400-\u4dbf]))"
    # a run of separators, &nbsp; entities and "?" placeholders
    rf"|(?P<sep>(?:(?<=[{re.escape(_SEP_CHARS)}{_EMOJI}?])|(?<=&)(?:nbsp;?|#160;|ensp;|emsp;))"
    rf"{_SEP_ONE}*))"
)
# Only the characters that fold are touched: a regex finds their runs, which is several times
# faster than str.translate with a dict over the whole text.
_FOLD_RE = _runs_of("[" + re.escape("".join(chr(c) for c in sorted(FOLD_TABLE))) + "]")
_ISWORD = re.compile(rf"[{_WORD}]")
_DIGIT = re.compile(r"[0-9]")
_VISIBLE = re.compile(r"[|/·•‧・\-_*~+]")

_local = threading.local()


def _converter() -> opencc.OpenCC:
    # One converter per thread: creating one is cheap (< 1 ms) and the C++ object is not
    # documented as thread-safe.
    conv = getattr(_local, "t2s", None)
    if conv is None:
        conv = _local.t2s = opencc.OpenCC("t2s")
    return conv


def load_t2s_chars(path: Path) -> frozenset[str]:
    """The characters t2s can change (scripts/build_t2s_chars.py); # starts a comment line."""
    chars: set[str] = set()
    for line in path.read_text("utf-8").splitlines():
        if not line.startswith("#"):
            chars.update(line.strip())
    return frozenset(chars)


def _class(chars: Iterable[str]) -> re.Pattern[str] | None:
    chars = sorted(chars)
    return re.compile("[" + re.escape("".join(chars)) + "]") if chars else None


_T2S_CHARS = load_t2s_chars(T2S_CHARS_FILE)
# the characters above U+FFFF are looked for only in text that has such characters (see
# _CONFUSABLE_BMP_RE): the class of the others is a bitmap the regex engine skips text with
_T2S_BMP_RE = _class(c for c in _T2S_CHARS if c <= "\uffff")
_T2S_ALL_RE = _class(_T2S_CHARS)


def to_simplified(text: str) -> str:
    """OpenCC t2s, guaranteed to keep the length (the offset map relies on it).

    Only the lines that hold a character t2s can change (scripts/build_t2s_chars.py says why
    that is exact) are converted, so most simplified text skips OpenCC altogether.
    """
    if text.isascii() or _T2S_ALL_RE is None:
        return text
    finder = _T2S_ALL_RE if has_astral(text) else _T2S_BMP_RE
    m = finder.search(text) if finder is not None else None
    if m is None:
        return text
    # the lines to convert, as [start, end) runs of whole lines
    runs: list[tuple[int, int]] = []
    n = len(text)
    while m is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = n if end < 0 else end
        if runs and runs[-1][1] + 1 == start:
            start = runs.pop()[0]  # the line right after the last run: one run
        runs.append((start, end))
        m = finder.search(text, end)
    # One OpenCC call for all of them (a call costs microseconds of its own): t2s keeps the line
    # breaks where they are, and _convert_lines the length, so the runs are at the same offsets
    # of the converted text.
    converted = _convert_lines(_converter(), "\n".join(text[s:e] for s, e in runs))
    pieces = []
    pos = 0
    at = 0
    for s, e in runs:
        pieces.append(text[pos:s])
        pieces.append(converted[at:at + e - s])
        at += e - s + 1
        pos = e
    pieces.append(text[pos:])
    return "".join(pieces)


def _convert_lines(conv: opencc.OpenCC, text: str) -> str:
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase conversion changed the length somewhere: convert line by line, and character by
    # character on the lines that still differ. Rare; correctness of offsets matters more.
    fixed = []
    for line in text.split("\n"):
        conv_line = conv.convert(line)
        if len(conv_line) != len(line):
            conv_line = "".join(
                c2 if len(c2 := conv.convert(c)) == 1 else c for c in line
            )
        fixed.append(conv_line)
    return "\n".join(fixed)


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(FOLD_TABLE)


def fold(text: str) -> str:
    """Width and case folding only (same length)."""
    return _FOLD_RE.sub(_fold_run, text)


# Financial ("capital") numerals, as on cheques and in evasive ads (年化壹拾贰%): folded to the
# common ones where they stand as a rate, right before its unit; not in names (壹佰金融, 玖玖金融)
# or words (陆续). Same length.
_CAPITAL_CHARS = "壹贰叁肆伍陆柒捌玖拾佰仟"  # (looked for with `in`: 5x faster than a regex class)
_CAPITAL = str.maketrans(_CAPITAL_CHARS, "一二三四五六七八九十百千")
_CAPITAL_RE = re.compile("[壹贰叁肆伍陆柒捌玖拾佰仟]+(?=%|个点|个百分点|分)")


def _fold_capital(m: re.Match[str]) -> str:
    return m.group().translate(_CAPITAL)


@dataclass(frozen=True)
class Normalized:
    """The normalized text and the segments that map it back to the original."""

    original: str
    text: str
    _nstarts: tuple[int, ...]
    _ostarts: tuple[int, ...]

    def orig_index(self, i: int) -> int:
        """Original offset of normalized character i."""
        k = bisect_right(self._nstarts, i) - 1
        return self._ostarts[k] + (i - self._nstarts[k])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the normalized [start, end); end is exclusive."""
        if end <= start:
            o = self.orig_index(start) if start < len(self.text) else len(self.original)
            return o, o
        return self.orig_index(start), self.orig_index(end - 1) + 1

    @property
    def identity(self) -> bool:
        return len(self._nstarts) == 1 and self._ostarts[0] == 0


def normalize(text: str) -> Normalized:
    """Normalize `text` for matching; see the module docstring for the steps."""
    # confusables first: a radical folds to a traditional character (⾨ -> 門) that t2s handles
    folded = fold(to_simplified(fold_confusables(text)))
    if not folded.isascii() and any(c in folded for c in _CAPITAL_CHARS):
        folded = _CAPITAL_RE.sub(_fold_capital, folded)
    pieces: list[str] = []
    piece = pieces.append
    # segments: (normalized start, original start); one that starts where the one before it
    # starts (two removals in a row) replaces it
    nstarts: list[int] = [0]
    ostarts: list[int] = [0]
    glued_at = -1  # where the last glue removed ended
    pos = 0     # original (= folded) offset consumed so far
    npos = 0    # normalized length so far
    n = len(folded)
    for m in _REMOVE.finditer(folded):
        s, e = m.span()
        group = m.lastgroup  # (looked up once: glosses alone run to tens of thousands a page set)
        if group == "dot" and folded[s - 2:s - 1] != "." and folded[e + 1:e + 2] != ".":
            continue  # 完了.然后: a full stop; only a run dotted one by one is glue (配.资.开.户)
        if group == "sep":
            raw = m.group()
            placeholder = "&" in raw or "?" in raw
            # "首页 | 我要投资", "A&nbsp;|&nbsp;B": a visible separator with spacing or
            # placeholders around it is navigation, never glue
            nav = bool(_VISIBLE.search(raw)) and (placeholder or " " in raw or "\t" in raw)
            if nav and not placeholder:
                continue  # (the usual separator run: kept, no need to look around it)
            before = folded[s - 1] if s > 0 else ""
            after = folded[e] if e < n else ""
            glue = bool(before and after and _ISWORD.match(before) and _ISWORD.match(after))
            if glue and _DIGIT.match(before) and _DIGIT.match(after):
                # 12-15, 2016/7: a range or a date, not glue; but in a run spaced out character
                # by character (年 化 1 8 %) the digits are one number too
                glue = raw == " " and glued_at == s - 1
            elif glue and raw == "-" and _DIGIT.match(after):
                glue = False  # 收益率-15%: a minus sign (a loss), kept for the rate reader
            if nav:
                glue = False
            if not glue:
                if not placeholder:
                    continue  # ordinary punctuation or spacing: keep it as it is
                # placeholders between words: one character stands for the run
                piece(folded[pos:s])
                npos += s - pos
                piece("|" if "|" in raw else " ")
                if nstarts[-1] == npos:
                    ostarts[-1] = s
                else:
                    nstarts.append(npos)
                    ostarts.append(s)
                npos += 1
                pos = e
                nstarts.append(npos)
                ostarts.append(e)
                continue
            glued_at = e
        # removed: a gloss, zero-width characters, glue between the characters of a word
        if s != pos:
            piece(folded[pos:s])
            npos += s - pos
            nstarts.append(npos)
            ostarts.append(e)
        else:  # right after the last removal: its segment starts further on
            ostarts[-1] = e
        pos = e
    if pos == 0:
        return Normalized(text, folded, (0,), (0,))
    piece(folded[pos:])
    return Normalized(text, "".join(pieces), tuple(nstarts), tuple(ostarts))


def normalize_term(term: str) -> str:
    """A lexicon term in the form the normalized text has (terms are written plainly)."""
    return normalize(term).text
