"""The offer gate (analyzers/offer_gate.py): a post's rules 1-8 findings need a post that offers.

The gate is trained on the committed corpus by scripts/train_offer_gate.py; the committed file
must be what that script makes of the corpus now (a corpus file added without retraining, or a
hand-edited model, fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.offer_gate import OfferGate

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "config" / "rules.yaml"


def test_the_committed_gate_is_what_the_corpus_trains(tmp_path: Path) -> None:
    from scripts.train_offer_gate import main

    out = tmp_path / "offer_gate.json"
    assert main(["--out", str(out)]) == 0
    stale = "analyzers/model/offer_gate.json is stale: run python scripts/train_offer_gate.py"
    fresh, committed = OfferGate.load(out), OfferGate.load()
    assert fresh.threshold == committed.threshold, stale
    assert fresh.info == committed.info, stale
    # (the same corpus and solver; a last-decimal difference of another machine's arithmetic
    # may move a weight by one unit of the exported 4 decimals, or one weight at the cut)
    common = fresh.weights.keys() & committed.weights.keys()
    assert len(common) >= len(committed.weights) - 5, stale
    assert max(abs(fresh.weights[k] - committed.weights[k]) for k in common) <= 2e-4, stale


def test_the_gate_loads_with_a_threshold() -> None:
    gate = OfferGate.load()
    assert 0.0 < gate.threshold < 1.0 and len(gate.weights) > 1000
    assert "offer_posts_kept" in gate.info["cross_validated"]


@pytest.mark.parametrize("text, rule", [
    ("谈恋爱就像配资，上头的时候全仓，下头的时候割肉", "margin_financing"),
    ("我的减肥计划是首付分期：今天少吃一口，明天再少吃一口", "real_estate_finance"),
])
def test_an_everyday_post_with_the_words_of_an_offer_is_dropped(
        analyzer: Analyzer, ungated: Analyzer, text: str, rule: str) -> None:
    # the rules alone flag it; the gate drops the post's findings, and says so in the stats
    assert rule in {f.rule for f in ungated.analyze(text, "post")}
    findings, stats = analyzer.analyze_with_stats(text, "post")
    assert findings == [] and stats.offer_gated
    # pages are not posts: the gate never judges them
    assert rule in {f.rule for f in analyzer.analyze(text, "page")}


@pytest.mark.parametrize("text, rule", [
    ("鑫源贷新标开抢，年化12%，本息保障，加微信领专属链接", "promised_return"),
    ("配资炒股，1比10，按天计息，私聊", "margin_financing"),
    ("我在聚财宝投了半年，每月稳稳到账，本金有担保公司全额担保", "guaranteed_principal"),
])
def test_an_offer_passes_the_gate(analyzer: Analyzer, text: str, rule: str) -> None:
    findings, stats = analyzer.analyze_with_stats(text, "post")
    assert rule in {f.rule for f in findings} and not stats.offer_gated


def test_public_risk_is_not_gated(analyzer: Analyzer) -> None:
    # a trouble post is no offer, and the gate does not judge it (the opinion model does)
    text = "聚鑫贷爆雷了，投资人的钱提不出来，大家去经侦报案"
    assert "public_risk" in {f.rule for f in analyzer.analyze(text, "post")}
