"""Registered company names as the firm a trouble report is about (analyzers/company_name.py)."""

from __future__ import annotations

import pytest

from analyzers import Analyzer
from analyzers.company_name import company_names, trade_name


@pytest.mark.parametrize(("words", "name"), [
    (["以", "涉嫌", "非法吸收公众存款", "对", "深圳市", "钱", "爸爸", "电子商务"], "钱爸爸"),
    (["北京", "易商通科技"], "易商通"),                       # jieba joined name and business
    (["资", "邦", "（", "上海", "）", "投资", "控股"], "资邦"),   # a region in brackets
    (["深圳", "普", "银", "区块", "链", "集团"], "普银"),
    (["上海", "投资管理"], ""),                                # no trade name left
])
def test_trade_name_is_what_is_left_between_region_and_business(words: list[str],
                                                                name: str) -> None:
    assert trade_name(words) == name


def test_the_short_name_in_brackets_wins_and_finance_is_read_from_the_name(
        analyzer: Analyzer) -> None:
    cut = analyzer._events._cut
    text = "警方对上海中赢金融信息服务有限公司（中赢金融）立案侦查，另有深圳市蓝湾餐饮管理有限公司"
    found = list(company_names(text, cut))
    assert found[0][0] == "中赢金融" and found[0][2] is True
    assert text[found[0][1]:found[0][1] + 4] == "中赢金融"
    assert found[1][0] == "蓝湾" and found[1][2] is False


@pytest.mark.parametrize(("text", "platform"), [
    ("警方以涉嫌非法吸收公众存款罪对杭州鑫木投资管理有限公司立案侦查", "鑫木"),
    ("经侦通报：广东松禾信息科技有限公司（松禾理财平台）涉嫌集资诈骗，投资人可到分局登记",
     "松禾理财"),
])
def test_a_police_notice_about_a_registered_company_is_public_risk(
        analyzer: Analyzer, text: str, platform: str) -> None:
    found = [f for f in analyzer.analyze(text, "news") if f.rule == "public_risk"]
    assert [f.platform for f in found] == [platform]


def test_the_company_is_the_anchor_when_nothing_else_names_a_firm(analyzer: Analyzer) -> None:
    found = analyzer.analyze("警方通报：宁波锦程电子商务有限公司涉嫌非法吸收公众存款，已立案侦查，投资人可到分局登记", "news")
    assert [(f.rule, f.platform, f.extra["platform_source"]) for f in found] == [
        ("public_risk", "锦程", "company")]


def test_an_everyday_report_at_a_company_that_is_no_financial_firm_is_nothing(
        analyzer: Analyzer) -> None:
    assert analyzer.analyze("深圳市蓝湾餐饮管理有限公司门口有人手机被偷，已经报警", "post") == []


@pytest.mark.parametrize(("text", "platform"), [
    # the short name declared after the registered one, by 简称, 旗下, brackets or quotes
    ("青禾贷（北京）金融信息服务有限公司简称禾苗钱包，平台全部逾期，出借人去经侦报案", "禾苗钱包"),
    ("青禾贷(北京)金融信息服务有限公司(禾苗钱包p2p平台，法定代表人张某)自去年起全部逾期，投资人维权",
     "禾苗钱包"),
    ("青禾贷（北京）金融信息服务有限公司旗下禾苗钱包平台涉嫌非法吸收公众存款，已被立案侦查",
     "禾苗钱包"),
    ("上海青禾贷网（禾苗网）爆雷，三万出借人的钱提不出来，大家去报案", "禾苗网"),
    # a former name or a region in brackets is not the name the public knows
    ("禾苗网（原青禾贷网）爆雷，三万出借人的钱提不出来，大家去报案", "禾苗网"),
])
def test_the_reported_platform_is_the_name_the_text_declares(
        analyzer: Analyzer, text: str, platform: str) -> None:
    found = [f for f in analyzer.analyze(text, "post") if f.rule == "public_risk"]
    assert found and found[0].platform == platform
    assert text[found[0].start:found[0].end] == found[0].evidence
