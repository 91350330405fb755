"""The API other parts code against: Analyzer, Finding, offsets, thread safety."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from analyzers import Analyzer, Finding

ROOT = Path(__file__).resolve().parents[2]


def test_from_settings_uses_the_analyzer_settings() -> None:
    from settings import load_settings

    settings = load_settings(environ={}, overrides={"enabled_rules": "promised_return"})
    a = Analyzer.from_settings(settings)
    assert {f.rule for f in a.analyze("保本保息，年化18%", "ad")} == {"promised_return"}


def test_evidence_is_the_text_as_given(analyzer) -> None:
    texts = [
        "清遠聚財寶：保(bǎo)本(běn)保(bǎo)息(xī)，年化１８％，穩賺不賠",
        "零&nbsp;风险 | 首-付-贷 | 股\u200d票\u200d配\u200d资 | 注 册 送 现 金 红 包",
        "??? 产品：季盈宝??预期年化?13.2%??期限?6个月",
    ]
    for text in texts:
        findings = analyzer.analyze(text, "ad")
        assert findings
        for f in findings:
            assert text[f.start:f.end] == f.evidence


def test_normalized_is_stable_across_evasions(analyzer) -> None:
    forms = ["保本保息", "保-本保息", "保 本 保 息", "保\u200b本保息", "保(bǎo)本保息"]
    normalized = {analyzer.analyze(f"北江金服{x}，百元起投。", "ad")[0].normalized for x in forms}
    assert normalized == {"保本保息"}


def test_to_dict_is_json_lines_ready(analyzer) -> None:
    f = analyzer.analyze("鑫盛贷：年化12%，保本保息。", "ad")
    data = [json.loads(json.dumps(x.to_dict(), ensure_ascii=False)) for x in f]
    assert {d["rule"] for d in data} == {"promised_return", "guaranteed_principal"}
    rate = next(d for d in data if d["rule"] == "promised_return")
    assert rate["annual_rate"] == 12.0 and rate["clause"] and rate["lead"]
    assert "annual_rate" not in next(d for d in data if d["rule"] == "guaranteed_principal")
    assert isinstance(f[0], Finding)


def test_shared_across_threads(analyzer) -> None:
    texts = ["鑫盛贷跑路了，客服电话打不通。", "保-本保息，年化１８％", "本产品不保本。"] * 50
    expected = [[x.to_dict() for x in analyzer.analyze(t, "post")] for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: [x.to_dict() for x in analyzer.analyze(t, "post")], texts))
    assert got == expected


def test_enabled_rules_silence_others() -> None:
    a = Analyzer(ROOT / "config" / "rules.yaml", enabled_rules=["guaranteed_principal"])
    assert {f.rule for f in a.analyze("保本保息，年化18%，首付贷", "ad")} == {
        "guaranteed_principal"}


def test_empty_and_unknown_kind(analyzer) -> None:
    assert analyzer.analyze("") == []
    assert analyzer.analyze("保本保息", "weird")[0].rule == "guaranteed_principal"


def test_page_operator_is_checked(analyzer) -> None:
    page = "首页 | 关于我们\n产品介绍\n版权所有 © 2016 清远鑫源资产管理有限公司 粤ICP备16000009号"
    f = [x for x in analyzer.analyze(page, "page") if x.rule == "restricted_name"]
    assert [x.evidence for x in f] == ["资产管理"]
    assert page[f[0].start:f[0].end] == "资产管理"
    assert f[0].extra["operator"] == "清远鑫源资产管理有限公司"
