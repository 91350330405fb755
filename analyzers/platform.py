"""public_risk helpers: which platform a post is about, and how negative it sounds.

rules.md: public_risk is about a *named* platform; industry statistics, general advice and
anonymous anecdotes (我同事投的一个平台跑路了) are not. A name is found either in quotes
(关于“万通宝”平台) or as the subject of a clause: the run of characters at the start of a clause
(after 听说, 当初, [快讯] and the like) or right before the risk word, up to a word such as 的,
平台, 老板, 宣布. A chunk that contains a pronoun, a determiner, a time word or an institution
(我, 一个, 某, 明天, 公安机关) is not a name. The word lists are in the rules file.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"[“\"「『《]([^”\"」』》\s]{2,12})[”\"」』》]")
_NAME_CHARS = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfa-z0-9]+$")
_DELIMS = re.compile(r"[。！？!?；;\n|，,、:：\]\[】【()（）“”\"「」『』《》\s]")
# 投了聚财宝的？ - a 的 that ends a clause closes a name as well
_DE_AT_END = re.compile(r"的(?=[？?。！!，,；;]|$)")
LEFT_WINDOW = 16
NEAR = 200  # characters around the risk words where the platform's name is looked for
COMMON_FREQ = 20  # jieba dictionary frequency above which a chunk is an everyday word
EVERYDAY_WORD_FREQ = 200    # a brand's first word is rarer than this (小资 3; 相关 12463)
EVERYDAY_CHAR_FREQ = 20000  # a brand's first character, alone, rarer than this (市 40141)
# a context chunk this short made only of everyday characters is words of grammar (要先, 很像开)
GRAMMAR_CHUNK_CHARS = 3


def _alternation(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


class PlatformFinder:
    def __init__(self, context: dict[str, tuple[str, ...]], known_terms: frozenset[str],
                 common_words: dict[str, int] | None = None) -> None:
        self._common = common_words or {}
        self._after = _alternation(context.get("platform_after", ()))
        self._before = _alternation(context.get("platform_before", ()))
        # (one regex each instead of a word-by-word `in`: _valid runs for every chunk tried)
        self._stop = _alternation(tuple(context.get("name_stop", ())))
        suffixes = context.get("platform_suffix", ())
        # the shortest name that ends in a platform suffix: 杉木贷 in 杉木贷到底还能不能提现
        self._suffixed = re.compile(
            "^.+?(?:" + "|".join(re.escape(w) for w in sorted(suffixes, key=len, reverse=True))
            + ")") if suffixes else None
        self._known = _alternation(tuple(known_terms))
        self._suffix_end = re.compile(
            "(?:" + "|".join(re.escape(w) for w in suffixes) + ")$") if suffixes else None

    def _valid(self, name: str) -> bool:
        if not (2 <= len(name) <= 12) or not _NAME_CHARS.match(name):
            return False
        if name.isdigit() or self._stop is not None and self._stop.search(name):
            return False
        if self._common.get(name, 0) > COMMON_FREQ:
            return False  # an ordinary word of the dictionary (通过, 吸引), not a brand
        return self._known is None or self._known.search(name) is None

    def _grammar_words(self, chunk: str) -> bool:
        """Is a chunk this short made only of characters too frequent to begin a brand
        (客服说|要先|报警, 是不是|很像开|公司, 又一|庞氏骗局)? Then it is a run of everyday words,
        and the name is looked for in the next chunk."""
        return len(chunk) <= GRAMMAR_CHUNK_CHARS and all(self.everyday(ch) for ch in chunk)

    def valid(self, name: str) -> bool:
        """Can `name` be a platform's name (not a pronoun, time word, everyday word ...)?"""
        return self._valid(name)

    def is_suffixed(self, name: str) -> bool:
        """Does `name` end like a platform's name (platform_suffix: 贷, 宝, 金服 ...)?"""
        return self._suffix_end is not None and self._suffix_end.search(name) is not None

    def everyday(self, word: str) -> bool:
        """Is `word` too frequent to begin a brand (相关, 市, 机构)? Brands begin with rare words
        or with characters jieba leaves alone (小资|钱包, 宜|贷网)."""
        return self._common.get(word, 0) > (EVERYDAY_CHAR_FREQ if len(word) == 1
                                            else EVERYDAY_WORD_FREQ)

    def in_dictionary(self, word: str) -> bool:
        """Is `word` a word of jieba's dictionary at all (存钱罐, 月光宝盒), however rare?"""
        return self._common.get(word, 0) > 0

    def common(self, word: str) -> bool:
        """Is `word` an everyday word of the dictionary (机构, 平台), not part of a brand?"""
        return self._common.get(word, 0) > COMMON_FREQ

    def trim(self, run: str) -> str:
        """`run` after its last `platform_before` word (我投的|小资钱包 -> 小资钱包)."""
        if self._before is not None:
            last = None
            for m in self._before.finditer(run):
                last = m
            if last is not None:
                return run[last.end():]
        return run

    def _left_raw(self, t: str, pos: int) -> str:
        """The characters before `pos`, back to a delimiter."""
        return _DELIMS.split(t[max(0, pos - LEFT_WINDOW):pos])[-1]

    def _left_chunk(self, t: str, pos: int) -> str:
        """The candidate name that ends at `pos`: back to a delimiter, then after the last
        `platform_before` word."""
        left = self._left_raw(t, pos)
        if self._before is not None:
            last = None
            for m in self._before.finditer(left):
                last = m
            if last is not None:
                left = left[last.end():]
        return left

    def find(self, t: str, anchors: list[tuple[int, int]],
             risk: list[tuple[int, int]] | None = None) -> tuple[str, int] | None:
        """(name, normalized offset) of the platform a text is about, or None.

        `anchors` are spans of risk words and other lexicon words: a name often stands right
        before one (鑫盛贷跑路了, 清远聚财宝保本保息是骗人的). The name is looked for within
        NEAR characters of the `risk` spans (default: all anchors).
        """
        risk = risk or anchors
        # On a long page the name must stand near the risk words, not in another item.
        lo = max(0, min(s for s, _ in risk) - NEAR) if risk else 0
        hi = min(len(t), max(e for _, e in risk) + NEAR) if risk else len(t)
        for m in _QUOTED.finditer(t, lo, hi):
            if self._valid(m.group(1)):
                return m.group(1), m.start(1)
        ends = {s for s, _ in anchors}
        if self._after is not None:
            ends.update(m.start() for m in self._after.finditer(t, lo, hi))
        ends.update(m.start() for m in _DE_AT_END.finditer(t, lo, hi))
        chunks = [(pos, self._left_chunk(t, pos)) for pos in sorted(ends)]
        for pos, chunk in chunks:
            if self._valid(chunk) and not self._grammar_words(chunk):
                return chunk, pos - len(chunk)
        # No whole chunk is a name: a chunk that starts with a brand-like name (a few
        # characters ending in 贷, 宝, 金服 ...) followed by the rest of a clause
        # (杉木贷到底还能|不能提现, 霁月贷提现…).
        if self._suffixed is not None:
            for pos, _ in chunks:
                raw = self._left_raw(t, pos)
                starts = [0]
                if self._before is not None:
                    starts += [m.end() for m in self._before.finditer(raw)]
                for st in reversed(starts):  # after the last 听说, 投了 ... first
                    m = self._suffixed.match(raw[st:])
                    if m and len(m.group()) >= 3 and self._valid(m.group()):
                        return m.group(), pos - len(raw) + st
        return None


def sentiment_score(t: str, negative: list[int], positive: list[int],
                    neg_re: re.Pattern[str]) -> float:
    """(positive - negative) / (positive + negative + 1), clipped to [-1, 1].

    A negated praise word (不靠谱) counts as negative, a negated complaint word (没逾期) as
    positive. The +1 keeps a single word from giving a full -1 or +1.
    """
    pos = neg = 0.0
    for s in positive:
        if neg_re.search(t[max(0, s - 4):s]):
            neg += 1
        else:
            pos += 1
    for s in negative:
        if neg_re.search(t[max(0, s - 4):s]):
            pos += 0.5
        else:
            neg += 1
    score = (pos - neg) / (pos + neg + 1)
    return max(-1.0, min(1.0, round(score, 3)))
