"""Word boundaries from jieba, asked only around candidate hits.

Segmenting whole pages would cost more than everything else together (jieba runs at about
0.5 MB/s); a hit is rare, so a window of a few dozen characters around it is all jieba sees.
One tokenizer per process, separate from jieba's global one so that other code using jieba is
not affected by our user dictionary.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_added: set[str] = set()

jieba.setLogLevel(logging.WARNING)


def tokenizer(words: Iterable[str] = (), userdict: Path | None = None,
              cache_dir: Path | None = None) -> jieba.Tokenizer:
    """The shared tokenizer, initialized once, with `words` added to its dictionary.

    `cache_dir` holds jieba's dictionary cache (jieba's default is the system temp directory).
    """
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            tok = jieba.Tokenizer()
            if cache_dir is not None:
                cache_dir.mkdir(parents=True, exist_ok=True)
                tok.tmp_dir = str(cache_dir)
            tok.initialize()
            _tokenizer = tok
        tok = _tokenizer
        if userdict is not None and userdict.is_file() and str(userdict) not in _added:
            tok.load_userdict(str(userdict))
            _added.add(str(userdict))
        for w in words:
            if w not in _added:
                # a high frequency keeps a domain term whole inside longer runs
                tok.add_word(w, freq=50000)
                _added.add(w)
        return tok


def boundaries(tok: jieba.Tokenizer, text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each jieba word of `text` (no HMM: unknown runs stay as single
    characters, which only adds boundaries and so never rejects a hit wrongly)."""
    out = []
    pos = 0
    for w in tok.cut(text, HMM=False):
        out.append((pos, pos + len(w), w))
        pos += len(w)
    return out


def on_boundaries(tok: jieba.Tokenizer, text: str, start: int, end: int,
                  known: frozenset[str] | set[str]) -> bool:
    """False when text[start:end] straddles a word boundary of the text: a word begins before
    the hit and ends inside it, or begins inside it and ends after (管理|财务 around 理财).

    A word that holds the whole hit is fine (创业基金 is a kind of 基金), and so is a known
    term (保本 inside 保本保息).
    """
    for ws, we, w in boundaries(tok, text):
        if w in known:
            continue
        if ws < start < we < end or start < ws < end < we:
            return False
    return True
