"""Chinese full-text tokens shared by both backends.

Text is normalised (NFKC folds full-width letters and digits, traditional characters become
simplified, lower case) and segmented with jieba `cut_for_search`, which yields the words and
their shorter dictionary words (理财产品 -> 理财, 财产, 产品, 理财产品). The store indexes those
tokens space-joined: SQLite FTS5 splits them with its unicode61 tokenizer, the cluster with a
`whitespace` analyzer, so no Chinese analysis plugin is needed anywhere. A query is segmented the
same way and every query word must match as a whole token: 保本 finds 保本保息, 理财 does not
match a page that only has 理.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

from .validate import scrub

_init_lock = threading.Lock()
_ready = False
_t2s: dict[int, str] = {}

# Tokens are runs of letters and digits (as FTS5's unicode61 and the cluster's whitespace
# analyzer then see them): punctuation, symbols, spaces and underscores split and disappear, so
# no query syntax ever reaches either engine.
_SPLIT = re.compile(r"[\W_]+")


# Words of the domain that jieba's dictionary lacks; without them 年化 would be 年 + 化. Adding
# a word changes how new text is segmented: rebuild the search index after editing this list
# (SQLite: `patrol store reindex`; cluster: bump the mapping version).
DOMAIN_WORDS = (
    "年化", "年化收益", "年化收益率", "预期年化", "保本保息", "本息保障", "本金无忧", "稳赚不赔",
    "稳赚", "躺赚", "零风险", "无风险", "兜底", "逾期代偿", "风险准备金", "固定收益", "只赚不赔",
    "首付贷", "首付分期", "首付垫资", "众筹买房", "房产众筹", "配资", "股票配资", "配资炒股",
    "期货配资", "按天配资", "场外配资", "网贷", "网络借贷", "股权众筹", "互联网保险", "资金池",
    "原始股", "原始股认购", "内部认购", "拉人头", "发展下线", "推荐返利", "静态收益", "动态收益",
    "以房养老", "期限拆分", "新手标", "加息券", "体验金", "现金红包", "投资返现", "多用途预付卡",
    "一清机", "代收代付", "提现困难", "无法提现", "延期兑付", "维权群", "爆雷", "跑路", "失联",
    "清盘", "集体上访", "月息", "日息", "理财", "非法集资", "金融局",
)

_tokenizer = None


def make_segmenter(rust: bool | None = None) -> Any:
    """A private segmenter with the domain words: rjieba (jieba-rs: the same dictionary and
    algorithm, ~30x faster) or jieba itself; `rust=None` prefers rjieba when installed. With
    HMM off and the same added words at the same frequencies both segment identically (a test
    checks it on the corpus), so a store written by one can be searched by the other."""
    if rust is not False:
        try:
            import rjieba

            tokenizer = rjieba.Jieba()
            for word in DOMAIN_WORDS:
                tokenizer.add_word(word, tokenizer.suggest_freq(word), None)
            return _RustSegmenter(tokenizer)
        except ImportError:
            if rust:
                raise
    import jieba

    jieba.setLogLevel(logging.WARNING)
    python_tokenizer = jieba.Tokenizer()
    python_tokenizer.initialize()
    for word in DOMAIN_WORDS:
        python_tokenizer.add_word(word)
    return python_tokenizer


def _prepare() -> None:
    """Private, not jieba's global dictionary: other code adding words to it (the analyzers
    may) must not change how the store segments, or index and query would differ between
    processes."""
    global _ready, _tokenizer
    with _init_lock:
        if _ready:
            return
        _tokenizer = make_segmenter()
        _t2s.update(_t2s_table())
        _ready = True


class _RustSegmenter:
    """rjieba with jieba's call signatures (HMM as a keyword)."""

    def __init__(self, jieba_rs: Any) -> None:
        self._rs = jieba_rs

    def cut(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803 - jieba's name
        return self._rs.cut(text, HMM)

    def cut_for_search(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803
        return self._rs.cut_for_search(text, HMM)


def normalize(text: str) -> str:
    """Fold width, script (traditional -> simplified) and case, as both index and query see it."""
    if not _ready:
        _prepare()
    text = scrub(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower().translate(_t2s)


def _t2s_table() -> dict[int, str]:
    """Traditional -> simplified, character by character, from OpenCC's t2s converted once:
    str.translate then costs nothing per text (OpenCC per call costs more than segmenting)."""
    try:
        import opencc
    except ImportError:  # without OpenCC, traditional text is indexed as is
        return {}
    chars = [chr(c) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
             for c in range(lo, hi + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        return {}
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def _token_string(text: str) -> str:
    if len(text) <= 64:  # evidence, titles, names and short contexts repeat a lot
        return _short_token_string(text)
    return _segment(text)


@lru_cache(maxsize=20_000)
def _short_token_string(text: str) -> str:
    return _segment(text)


def _segment(text: str) -> str:
    # HMM off: dictionary words only, so a word segments the same wherever it stands (in a page
    # and in a query), and segmentation is a third faster. Splitting the joined words once is
    # the same as splitting each word, at C speed.
    text = normalize(text)  # first: it loads the segmenter
    words = _tokenizer.cut_for_search(text, HMM=False)
    return " ".join(_SPLIT.sub(" ", " ".join(words)).split())


def _tokens(text: str) -> list[str]:
    return _token_string(text).split()


def index_tokens(*texts: str | None) -> str:
    """Space-joined search tokens of the given texts, to be stored in the full-text index."""
    return " ".join(filter(None, [_token_string(t) for t in texts if t]))


def finding_tokens(finding: Any) -> str:
    """What a finding is found by: its evidence, the context around it, platform, operator."""
    return index_tokens(finding.evidence, finding.context, finding.platform, finding.operator)


@lru_cache(maxsize=256)
def query_groups(text: str) -> tuple[tuple[str, ...], ...]:
    """The words of a query, each with its alternatives: a word matches as itself or as all of
    its shorter parts (年化收益 = 年化收益, or 年化 and 收益), because the indexed text may have
    been segmented differently around it. Every group must match."""
    text = normalize(text)
    groups: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for word in _tokenizer.cut(text, HMM=False):
        for part in _SPLIT.split(word):
            if not part or part in seen:
                continue
            seen.add(part)
            fine = [t for t in _tokens(part) if t != part and len(t) < len(part)]
            groups.append((part, *fine))
    return tuple(groups)


def snippet(text: str, query: str, width: int = 60) -> str:
    """A window of `text` around the first query word found in it (plain text, not escaped)."""
    if not text:
        return ""
    folded = normalize(text) if len(text) < 200_000 else text
    position = -1
    for group in query_groups(query):
        for word in group:
            position = folded.find(word)
            if position >= 0:
                break
        if position >= 0:
            break
    if position < 0 or len(folded) != len(text):
        position = max(position, 0)
    start = max(0, position - width // 2)
    end = min(len(text), start + width)
    piece = text[start:end].replace("\n", " ").strip()
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")
