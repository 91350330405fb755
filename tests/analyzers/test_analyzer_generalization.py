"""The general mechanisms that the held-out sets led to (tests/corpus/README.md, "Held-out set").

Each case is a different wording from the held-out texts, so that these tests check the
mechanism, not the example it was found with.
"""

from __future__ import annotations

import pytest

from analyzers import Analyzer
from analyzers.normalize import normalize


def rules(analyzer: Analyzer, text: str, kind: str = "ad") -> set[str]:
    return {f.rule for f in analyzer.analyze(text, kind)}


def rates(analyzer: Analyzer, text: str, kind: str = "ad") -> list[float]:
    return sorted(f.annual_rate for f in analyzer.analyze(text, kind) if f.annual_rate)


@pytest.mark.parametrize(("text", "normalized"), [
    ("配资(pèi zī)炒股", "配资炒股"),             # several syllables after a word
    ("众筹（zhòng chóu）买房", "众筹买房"),        # full-width parentheses
    ("加息劵", "加息券"),                          # the usual misspelling of 券
    ("pos(pos)机", "pos(pos)机"),                  # no tone mark: not a gloss
])
def test_normalization(text: str, normalized: str) -> None:
    assert normalize(text).text == normalized


def test_multi_syllable_gloss_keeps_offsets(analyzer: Analyzer) -> None:
    text = "本店推出众筹（zhòng chóu）买房，一万元起。"
    found = [f for f in analyzer.analyze(text, "ad") if f.rule == "real_estate_finance"]
    assert found and text[found[0].start:found[0].end] == found[0].evidence
    assert found[0].normalized == "众筹买房"


@pytest.mark.parametrize(("text", "expected"), [
    ("出借人月息一分五，按月结息。", [18.0]),
    ("月息两分三，先息后本。", [27.6]),
    ("每年保底收益9%，多劳多得。", [9.0]),
])
def test_colloquial_rates(analyzer: Analyzer, text: str, expected: list[float]) -> None:
    assert rates(analyzer, text) == pytest.approx(expected)


def test_rates_in_a_table_column(analyzer: Analyzer) -> None:
    text = ("名称 | 年化收益率 | 期限\n安盈1期 | 7.5% | 30天\n安盈2期 | 11% | 90天\n"
            "关于我们 | 联系我们")
    assert rates(analyzer, text, "page") == [7.5, 11.0]
    loans = "贷款产品 | 年化利率 | 额度\n装修贷 | 7.2% | 30万"
    assert rates(analyzer, loans, "page") == []


def test_a_news_text_reports_unless_it_is_an_advertorial(analyzer: Analyzer) -> None:
    assert rules(analyzer, "保本理财产品将逐步退出市场，银行转向净值型产品。", "news") == set()
    assert rules(analyzer, "【推广】安盈宝保本理财，年化9%。", "news") == {
        "guaranteed_principal", "promised_return"}


def test_a_warning_headline_covers_the_post(analyzer: Analyzer) -> None:
    post = "千万别碰股票配资！邻居按天配资炒股，三天亏光了积蓄。"
    assert rules(analyzer, post, "post") == set()
    # an ad is not read that way: 谨防 in an ad is a sales line
    assert "margin_financing" in rules(analyzer, "谨防假冒！正规股票配资认准金牛。", "ad")


def test_a_rate_right_after_an_offer_of_credit_is_its_price(analyzer: Analyzer) -> None:
    page = "股票配资 1:8杠杆\n周配：月息1.8%"
    assert rates(analyzer, page, "page") == []
    # a product rate further down the same page is still a return
    far = "股票配资 1:8杠杆\n" + "本站新闻：全市开展垃圾分类宣传活动。\n" * 2 + "稳盈宝 年化12%"
    assert rates(analyzer, far, "page") == [12.0]


@pytest.mark.parametrize(("text", "rule"), [
    ("现在开户首投即送话费100元，理财更轻松。", "improper_subsidy"),
    ("新客首笔出借额外贴息1.5%。", "improper_subsidy"),
    ("推广1人奖励500元，团队越大收入越高。", "fundraising_signal"),
    ("会员享静态分红，另有动态奖金。", "fundraising_signal"),
    ("首付款不够我们替你垫，当天签约。", "real_estate_finance"),
    ("自有资金放大8倍，配资当天到账。", "margin_financing"),
    ("个人刷卡机免费领，一台起发。", "unlicensed_payment"),
    ("借款逾期后由担保方全额代偿。", "guaranteed_principal"),
    ("资金亏损算平台的，放心投。", "guaranteed_principal"),
])
def test_paraphrases(analyzer: Analyzer, text: str, rule: str) -> None:
    assert rule in rules(analyzer, text)


@pytest.mark.parametrize("text", [
    "这家面馆开张半年终于保本了。",
    "全场零风险购买，七天无理由退货。",
    "会议提出打破刚性兑付，由投资者自担风险。",
    "放学了，赶紧跑路回家写作业。",
    "提供交易所得税申报咨询服务。",
])
def test_everyday_senses(analyzer: Analyzer, text: str) -> None:
    assert rules(analyzer, text, "post") == set()


@pytest.mark.parametrize(("text", "platform"), [
    ("标题：禾盛贷到底什么时候能提现？\n楼主：从上个月起就提现困难，客服失联。", "禾盛贷"),
    ("金禾宝疑似爆雷，大家赶紧去报案。", "金禾宝"),
    ("丰润金融被立案侦查，请投资人尽快登记。", "丰润金融"),
])
def test_platform_names(analyzer: Analyzer, text: str, platform: str) -> None:
    risk = [f for f in analyzer.analyze(text, "post") if f.rule == "public_risk"]
    assert risk and risk[0].platform == platform
