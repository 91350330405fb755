"""Search tokens: what is indexed and how a query is read (both backends use these)."""

from __future__ import annotations

import json

from findings.textindex import index_tokens, make_segmenter, query_groups, snippet
from settings import ROOT


def test_tokens_fold_width_script_and_case_and_drop_syntax() -> None:
    tokens = index_tokens("穩賺不賠，年化１８％！Ｐ２Ｐ_理财*产品(零风险)").split()
    assert {"稳赚不赔", "年化", "18", "p2p", "理财", "产品", "零风险"} <= set(tokens)
    assert not any(c in t for t in tokens for c in "%！*()_\"")
    assert index_tokens(None, "", "保本") == "保本"


def test_query_words_have_their_parts_as_alternatives() -> None:
    assert query_groups("年化收益 保本") == (("年化收益", "年化", "收益"), ("保本",))
    assert query_groups('"保本" OR *') == (("保本",), ("or",))
    assert query_groups("？！ ") == ()


def test_rust_and_python_jieba_segment_the_corpus_identically() -> None:
    """A store indexed by rjieba must be searchable where only jieba is installed."""
    rust, python = make_segmenter(rust=True), make_segmenter(rust=False)
    lines = (ROOT / "tests" / "corpus" / "texts.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    assert len(texts) > 100
    for text in texts:
        assert rust.cut_for_search(text, HMM=False) == list(python.cut_for_search(text,
                                                                                  HMM=False))
        assert rust.cut(text, HMM=False) == list(python.cut(text, HMM=False))


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = "公司简介。" * 30 + "本平台承诺保本保息。" + "联系我们。" * 30
    piece = snippet(text, "保本", width=40)
    assert "保本保息" in piece and piece.startswith("…") and piece.endswith("…")
    assert snippet("", "保本") == ""
    assert snippet("没有关键词的文本", "保本").startswith("没有")
