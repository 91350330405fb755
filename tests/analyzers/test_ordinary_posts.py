"""Ordinary social-media posts (issue 12: at most 5 in 10,000 flagged by any rule).

tests/corpus/ordinary.jsonl (220 posts) and ordinary_heldout.jsonl (160) were written blind (the
writer read rules.md only, never the lexicons or the analyzers) as everyday posts, most of them
with an everyday use of a word of finance-risk talk (跑路 for a race, 爆雷 for a spoiler, 众筹
for an illness, 保本 for a shop). ordinary.jsonl was tuned on; ordinary_heldout.jsonl is only
measured. Both are dense with traps by design, so their rates are far above what an ordinary
stream of posts gives; the ceilings here are the measured counts, so that no change makes more
ordinary posts findings unnoticed (benchmarks/quality.py prints the figures).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.evaluate import engine_text_predictor, load_jsonl

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"
# measured on 2026-12-01: 3 of 220 after the fixes below (8 before); 11 of 160 held out
# (12 for a while on 2026-12-02, when a retrained model's threshold fell to 0.83; 0.88 now)
CEILINGS = {"ordinary.jsonl": 3, "ordinary_heldout.jsonl": 11}


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_ordinary_posts_flagged_by_no_more_than_measured(analyzer: Analyzer, name: str) -> None:
    records = load_jsonl(CORPUS / name)
    assert records and all(r["labels"] == [] and r["kind"] == "post" for r in records)
    predict = engine_text_predictor(analyzer)
    flagged = {r["id"]: sorted(predict(r)) for r in records if predict(r)}
    assert len(flagged) <= CEILINGS[name], flagged


@pytest.mark.parametrize("text", [
    "基金又绿了，收益率-15%，这波亏麻了",                 # a loss, not a promised return
    "昨天那集又在弹幕里爆雷了，气死我了",                 # a spoiler
    "新番第三集爆雷了，反派居然是女主她哥",               # a spoiler, told by its characters
    "宽带费逾期没交，今天网就断了",                       # a household bill paid late
    "防诈骗讲座讲到现金贷的时候，台下都不说话了",          # a kind of loan, no platform
    "新游戏拉人头送限定皮肤，我把室友都拉进来了",          # a game's invite reward
    "这次月考保住了年级前十，保本了哈哈",                 # 保本 of an exam
])
def test_everyday_senses_give_no_finding(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text, "post") == []


@pytest.mark.parametrize("text, rule", [
    ("聚鑫贷年化收益-18%？不，是年化收益18%，保本保息", "promised_return"),
    ("聚鑫贷爆雷了，投资人的钱提不出来，大家去经侦报案", "public_risk"),
    ("金球所逾期了，有人提现成功吗", "public_risk"),        # a plain name, overdue to lenders
    ("推荐好友投资拉人头，发展下线拿返利", "fundraising_signal"),
    ("本平台产品保本保息，到期兑付", "guaranteed_principal"),
])
def test_the_same_words_in_finance_still_count(analyzer: Analyzer, text: str, rule: str) -> None:
    assert rule in {f.rule for f in analyzer.analyze(text, "post")}
