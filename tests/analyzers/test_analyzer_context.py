"""Context: negation, warnings and reports, disclaimers, everyday senses (rules.md)."""

from __future__ import annotations

from pathlib import Path

import pytest


def rules_of(findings: list) -> set[str]:
    return {f.rule for f in findings}


DATA = Path(__file__).resolve().parent / "data"
RULES_1_TO_8 = {"promised_return", "guaranteed_principal", "restricted_name",
                "real_estate_finance", "margin_financing", "unlicensed_payment",
                "fundraising_signal", "improper_subsidy"}


@pytest.mark.parametrize("text", [
    "本产品不保本，投资者可能损失全部本金。",
    "本产品为非保本浮动收益型理财产品。",
    "本平台并非保本平台。",
    "我公司不承诺保本，也不承诺收益。",
    "本基金不保证本金安全。",
    "本公司从未承诺“保本保息”。",
    "本产品不保证保本，投资者须自担风险。",
    "本平台不承诺保本保息，不设立资金池，不进行期限拆分。",
    "理财产品不存在零风险。",
])
def test_negation_cancels(analyzer, text: str) -> None:
    assert not rules_of(analyzer.analyze(text, "page")) & RULES_1_TO_8


def test_negation_only_reaches_its_own_clause(analyzer) -> None:
    f = analyzer.analyze("不管股市如何波动，稳盈计划都保本，到期还您本金。", "ad")
    assert "guaranteed_principal" in rules_of(f)
    f = analyzer.analyze("不保本？不存在的！所有产品100%保本。", "ad")
    assert [x.evidence for x in f if x.rule == "guaranteed_principal"][-1] == "100%保本" or \
        "guaranteed_principal" in rules_of(f)


@pytest.mark.parametrize("text", [
    "警惕“年化30%、稳赚不赔”的骗局！市公安局提醒：凡是承诺高额回报的投资项目都要提高警惕。",
    "市金融局提示：对宣称“保本保息”“零风险”“月息两分”的投资项目要提高警惕，谨防非法集资。",
    "住建部门提醒市民切勿参与“首付贷”“众筹买房”。",
    "证监部门提醒：场外股票配资不受法律保护，投资者切勿参与配资炒股。",
    "被告人以“保本保息、年化24%”为诱饵吸收资金，法院以非法吸收公众存款罪判处其有期徒刑。",
])
def test_warnings_and_reports_quote_without_offering(analyzer, text: str) -> None:
    for kind in ("news", "notice", "post"):
        assert not rules_of(analyzer.analyze(text, kind)) & RULES_1_TO_8, kind


@pytest.mark.parametrize(("text", "kind"), [
    ("这家餐厅开业半年，目前勉强保本经营。", "post"),
    ("小店薄利多销，今年能保本就不错了。", "post"),
    ("本店承诺零风险购物，7天无理由退换货。", "ad"),
    ("对特困人员实行政策兜底保障。", "news"),
    ("市财政设立中小企业应急转贷资金池。", "news"),
    ("本店支持微信支付、支付宝付款。", "ad"),
    ("该水利工程每年可产生经济效益约2000万元。", "news"),
    ("本理财计划主要投资于固定收益类资产。", "page"),
    ("本周六社区理财知识讲座，到场即送鸡蛋一盒。", "ad"),
    ("商场周年庆，购物满500返现50元。", "ad"),
])
def test_everyday_senses_are_not_findings(analyzer, text: str, kind: str) -> None:
    assert analyzer.analyze(text, kind) == []


def test_disclaimer_does_not_cancel_a_promise(analyzer) -> None:
    f = analyzer.analyze("本产品保本保息。理财非存款，产品有风险，投资须谨慎。", "ad")
    assert rules_of(f) == {"guaranteed_principal"}


def test_both_rules_for_wen_zhuan_bu_pei(analyzer) -> None:
    assert rules_of(analyzer.analyze("跟着我们投，稳赚不赔。", "ad")) == {
        "promised_return", "guaranteed_principal"}
    assert rules_of(analyzer.analyze("跟着王老师做，稳赚！", "post")) == {"promised_return"}


def test_referral_reward_is_fundraising_not_subsidy(analyzer) -> None:
    assert rules_of(analyzer.analyze("鑫盛贷邀请好友出借返1%，多邀多得。", "ad")) == {
        "fundraising_signal"}


def test_seed_plan_gives_nothing_for_rules_1_to_8(analyzer) -> None:
    text = (DATA / "qingyuan-internet-finance-rectification-plan-2016.txt").read_text("utf-8")
    for kind in ("notice", "page", "news"):
        assert not rules_of(analyzer.analyze(text, kind)) & RULES_1_TO_8


# -- public_risk ---------------------------------------------------------------------------

def test_public_risk_names_the_platform_as_written(analyzer) -> None:
    f = analyzer.analyze("當初說穩賺不賠、年化18%，現在廣源貸跑路了，幾十萬血汗錢沒了。", "post")
    assert [(x.rule, x.platform) for x in f] == [("public_risk", "廣源貸")]
    assert -1.0 <= f[0].sentiment < 0
    assert f[0].extra["platform_normalized"] == "广源贷"


@pytest.mark.parametrize("text", [
    "平台跑路了怎么办？律师建议：第一时间保存合同，向公安机关报案。",
    "我同事去年投的一个平台跑路了，十几万没了。",
    "听说有个理财平台提现困难，具体是哪个我也不清楚。",
    "截至6月底，累计问题平台1778家，其中跑路、提现困难类问题平台占比较高。",
    "清远半程马拉松今日开赛，全程跑路线沿北江两岸设置。",
    "三名驴友在飞霞山失联，经救援队连夜搜救已全部找到。",
    "在清远聚财宝出借两年了，每次都按时回款，从未逾期。",
])
def test_public_risk_needs_a_named_platform_in_trouble(analyzer, text: str) -> None:
    assert analyzer.analyze(text, "post") == []


def test_complaint_quoting_old_ads_is_public_risk_only(analyzer) -> None:
    f = analyzer.analyze("说好的保本保息、年化15%，现在连本金都提不出来，聚鑫网你们还有良心吗？",
                         "post")
    assert rules_of(f) == {"public_risk"}
    assert all(x.annual_rate is None for x in f)


@pytest.mark.parametrize("text", [
    # a trouble report quoting what the platform sold, with no 说好的 to mark the quote
    "为了获取高额回报，她卖了两套房投进鑫盛贷，如今平台跑路，血本无归。",
    "鑫盛贷的年化12%产品到期无法兑付，投资人今天到公司维权。",
    "当初宣传0元购的聚鑫网现已失联，投资人集体报案。",
])
def test_trouble_report_quoting_old_claims_is_public_risk_only(analyzer, text: str) -> None:
    assert rules_of(analyzer.analyze(text, "post")) == {"public_risk"}


def test_platform_notice_still_answers_for_its_promise(analyzer) -> None:
    # the platform's own notice is not a report about it: its promise stays a finding
    text = "鑫盛贷关于部分项目延期兑付的公告：平台部分项目将延期兑付。公司郑重承诺，保证每期按时足额兑付本息。"
    assert {"public_risk", "guaranteed_principal"} <= rules_of(analyzer.analyze(text, "notice"))


@pytest.mark.parametrize("text", [
    # a borrower works out what a loan costs: borrowing costs are not returns
    "催收天天打电话。合同利息日息0.05%，逾期罚息日息0.075%，加起来年化利率45%。",
    # a warning about high returns
    "很多人经受不住高收益的诱惑，最后本金都没了。",
    # cash-out spam: 安全可靠 promises nothing about principal
    "信用卡花呗套现，秒到账，安全可靠，点位最低。",
    # a shop's promotion
    "新用户开通特权包立减15元，相当于0元购买。",
])
def test_everyday_finance_talk_is_no_offer(analyzer, text: str) -> None:
    assert not rules_of(analyzer.analyze(text, "post")) & RULES_1_TO_8


def test_sentiment_range(analyzer) -> None:
    assert analyzer.sentiment("鑫盛贷跑路了，血汗钱没了，大家去报案") < -0.5
    assert analyzer.sentiment("每次都按时回款，客服很好，靠谱") > 0.3
    assert analyzer.opinion("每次都按时回款，客服很好，靠谱").sentiment == "positive"
    assert analyzer.opinion("鑫盛贷跑路了，血汗钱没了，大家去报案").sentiment == "negative"
    assert analyzer.sentiment("") == 0.0


def test_news_names_of_the_events_are_trouble_words(analyzer) -> None:
    """非法吸储 and 投案自首 are how notices say 非法吸收公众存款 and a surrender in the case."""
    found = analyzer.analyze("鑫隆资本涉嫌非法吸储，负责人已投案自首，投资人的钱还没着落", "post")
    assert [(f.rule, f.platform) for f in found] == [("public_risk", "鑫隆资本")]


def test_a_share_price_crash_is_no_collapse(analyzer) -> None:
    assert analyzer.analyze("鑫隆资本的股价今天崩盘，大盘也跌了", "post") == []


@pytest.mark.parametrize("kind", ["post", "ad"])
def test_praise_is_no_quote(analyzer, kind: str) -> None:
    """都说好 is praise (not_quoting): its 说好 is not the 说好 of a promise recalled."""
    found = analyzer.analyze("收益稳定，年化11.2%，投的人都说好", kind)
    assert [(f.rule, f.annual_rate) for f in found] == [("promised_return", 11.2)]


def test_a_promise_recalled_still_quotes(analyzer) -> None:
    assert not rules_of(analyzer.analyze("说好年化15%，结果一分钱都提不出来", "post")) & RULES_1_TO_8


@pytest.mark.parametrize("kind", ["post", "ad"])
def test_repaid_at_maturity_is_a_return_when_the_principal_is_guaranteed(analyzer,
                                                                         kind: str) -> None:
    """还款 is a borrowing word, but a guaranteed principal is made to investors only."""
    found = analyzer.analyze("保本型产品，年化7%，到期自动还款", kind)
    assert rules_of(found) == {"guaranteed_principal", "promised_return"}


def test_a_loan_repaid_at_maturity_is_no_return(analyzer) -> None:
    assert analyzer.analyze("借款1万，年化7%，到期还款", "post") == []
