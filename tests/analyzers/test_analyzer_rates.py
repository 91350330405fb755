"""Rates in ads and posts, annualized (rules.md, Conversions)."""

from __future__ import annotations

import pytest

from analyzers.context import GAP_STOP
from analyzers.rates import MAX_LIST_ITEMS, cn_number, parse_rates


@pytest.mark.parametrize(("text", "rates"), [
    ("月息2分，按月付息。", [24.0]),
    ("月息两分，按月付息。", [24.0]),
    ("日息0.1%，天天计息。", [36.5]),
    ("日息千分之一，天天计息。", [36.5]),
    ("日息万分之五，天天计息。", [18.25]),
    ("日息万五，出借人速来。", [18.25]),
    ("月息一分半，每月付息。", [18.0]),
    ("年化十二个点，每月付息。", [12.0]),
    ("年化１８％，起投１０００元。", [18.0]),
    ("年化12%-15%，期限1-12个月。", [12.0, 15.0]),
    ("年化收益率12%~15%。", [12.0, 15.0]),
    ("年化12至15%，期限越长收益越高。", [12.0, 15.0]),
    ("年化百分之十八，按季付息。", [18.0]),
    ("月化收益1.5%，按月到账。", [18.0]),
    ("年化收益率最高可达19.8%，1元起投。", [19.8]),
    ("预期年化：13%，期限3个月。", [13.0]),
    ("年化 12 %，期限 1 个月。", [12.0]),
    ("年化十八％，每月付息。", [18.0]),
    # one keyword prices a list of products: each percentage of the list is read
    ("产品一览：活期宝年化4.2%、季盈计划8.5%、年盈计划12.6%，总有一款适合您。", [8.5, 12.6]),
    ("预期年化9%、11%、13%，期限越长越高。", [9.0, 11.0, 13.0]),
])
def test_rates_are_annualized(analyzer, text: str, rates: list[float]) -> None:
    got = sorted(f.annual_rate for f in analyzer.analyze(text, "ad") if f.annual_rate)
    assert got == pytest.approx(rates)


def test_severity_follows_thresholds(analyzer) -> None:
    def sev(text: str) -> list[str]:
        return [f.severity for f in analyzer.analyze(text, "ad") if f.rule == "promised_return"]

    assert sev("年化10%，期限一年。") == ["high"]
    assert sev("年化9.9%，期限一年。") == ["medium"]
    assert sev("年化6.0%，期限一年。") == ["medium"]
    assert sev("年化5.99%，期限一年。") == []


def test_thresholds_are_configurable(analyzer) -> None:
    from analyzers import Analyzer

    strict = Analyzer(analyzer.rules_file, rate_high=8.0, rate_warning=4.0)
    f = strict.analyze("年化5%，期限一年。", "ad")
    assert [x.severity for x in f] == ["medium"]
    assert [x.severity for x in strict.analyze("年化8%。", "ad")] == ["high"]


def test_a_disclaimer_does_not_cancel_a_rate(analyzer) -> None:
    f = analyzer.analyze("预期年化10.5%，期限180天。理财非存款、产品有风险、投资须谨慎。", "ad")
    assert [(x.rule, x.severity, x.annual_rate) for x in f] == [("promised_return", "high", 10.5)]


@pytest.mark.parametrize("text", [
    "粤清银行个人消费贷款，月息0.6%，最高可贷30万元。",       # a loan's cost
    "信用卡分期手续费：12期每期0.6%，折合年化利率约13%。",     # a card fee
    "按天配资，日息万分之五，一天也能借。",                     # a margin lender's interest
    "借贷双方约定的利率未超过年利率24%，人民法院应予支持。",   # a court's cap
    "凤城成长混合基金成立以来累计收益14.72%。",                # past performance
    "三年定期存款利率2.75%。",                                 # below 6%
    "该PPP项目财务内部收益率为7.2%。",                         # a project's IRR
])
def test_borrowing_costs_and_figures_are_not_returns(analyzer, text: str) -> None:
    assert not [f for f in analyzer.analyze(text, "ad") if f.annual_rate is not None]


@pytest.mark.parametrize(("text", "value"), [
    ("十二", 12), ("二十四", 24), ("一百二十", 120), ("两", 2), ("一点五", 1.5), ("0.5", 0.5),
    ("十", 10),
])
def test_chinese_numerals(text: str, value: float) -> None:
    assert cn_number(text) == value


def test_a_list_of_rates_is_read_to_a_bound() -> None:
    """A hostile page repeats "、9%" without end: one keyword reads at most MAX_LIST_ITEMS more."""
    text = "年化8%" + "、9%" * 10_000
    rates = parse_rates(text, 2, "annual", 10, GAP_STOP)
    assert [r.annual for r in rates[:3]] == [8.0, 9.0, 9.0]
    assert len(rates) == 1 + MAX_LIST_ITEMS
