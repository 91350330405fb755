"""Texts written apart from tests/corpus, to keep the rules from fitting one corpus only."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("ad", "汇金宝：预期年化收益高达16.8%，新客专享。", {("promised_return", 16.8)}),
    ("ad", "本平台承诺保本保息，资金由第三方担保公司全额担保",
     {("guaranteed_principal", None)}),
    ("ad", "专业提供股票配资服务，最高1:8杠杆", {("margin_financing", None)}),
    ("ad", "POS机免费领取，个人也能办理", {("unlicensed_payment", None)}),
    ("page", "资金池模式运作，收益每日结算", {("fundraising_signal", None)}),
    ("ad", "注册即送888元体验金", {("improper_subsidy", None)}),
    ("ad", "月息3分，按月付息", {("promised_return", 36.0)}),
    ("ad", "日化收益0.05%，随存随取", {("promised_return", 18.25)}),
    ("ad", "年化收益12%—15%", {("promised_return", 12.0), ("promised_return", 15.0)}),
    ("ad", "投资有风险，本平台承诺：所有项目100%本息兑付", {("guaranteed_principal", None)}),
    ("ad", "零风险高收益，躺着赚钱", {("guaranteed_principal", None), ("promised_return", None)}),
    ("page", "产品名称：季盈宝\n预期年化收益率\n12.00%\n期限：6个月", {("promised_return", 12.0)}),
    ("news", "[推广] 近日，盈信宝推出新品，年化15%，据官网显示已售罄过半。",
     {("promised_return", 15.0)}),
    ("ad", "温馨提示：新用户注册送现金红包，首投返现", {("improper_subsidy", None)}),
    ("post", "宝利金服无法提现快一个月了，有没有人一起维权", {("public_risk", None)}),
    ("news", "汇丰财富实际控制人张某因涉嫌集资诈骗被刑事拘留", {("public_risk", None)}),
])
def test_offers(analyzer: Analyzer, kind: str, text: str, expected: set) -> None:
    assert {(f.rule, f.annual_rate) for f in analyzer.analyze(text, kind)} == expected


@pytest.mark.parametrize(("kind", "text"), [
    ("news", "央行下调存款准备金率0.5个百分点"),
    ("news", "我市今年GDP增长率达到8%"),
    ("news", "该基金近一年收益率达到25%"),
    ("notice", "警方提醒：凡是承诺年化20%以上收益的，都是骗局"),
    ("post", "不要相信所谓的保本高收益理财"),
    ("post", "跑路的人越来越多，健身房都满了"),
    ("ad", "贷款年化利率不超过24%，放款快"),
    ("page", "信用卡年化利率约18%"),
    ("ad", "花呗分期费率折合年化15%"),
    ("news", "某高校学生因校园贷逾期被催收"),
    ("post", "在惠民贷借了两万，现在逾期了，天天被催收"),
    ("ad", "房产抵押贷款，月息0.8%起"),
    ("ad", "期货开户，手续费低至万分之一"),
    ("news", "记者从市金融局获悉，全市P2P平台已全部退出经营"),
    ("page", "首页 | 新闻\n今日要闻：某地马拉松开跑，路线全长21公里。\n版权所有 © 2016 某某网络"),
])
def test_not_offers(analyzer: Analyzer, kind: str, text: str) -> None:
    assert analyzer.analyze(text, kind) == []


def test_platform_is_looked_for_near_the_risk_words(analyzer: Analyzer) -> None:
    filler = "本市今日天气晴朗，气温适宜，市民出行方便。" * 30
    page = "北江金服发布年度报告。" + filler + "听说有个理财平台跑路了，具体是哪个不清楚。"
    assert analyzer.analyze(page, "news") == []


def test_missing_licensed_file_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        Analyzer(ROOT / "config" / "rules.yaml", ROOT / "config" / "no-such-licensed.txt")
