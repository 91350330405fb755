"""public_risk on real-looking posts (issue 12), on texts written for these tests: a trouble
event about a named firm, decided by the opinion model; platform pages' contracts are no
public_risk, their guarantee and referral wording is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.evaluate import load_jsonl
from analyzers.opinion import MODEL_FILE, OpinionModel

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"


def risk(analyzer: Analyzer, text: str, kind: str = "post") -> list[tuple[str | None, str]]:
    return [(f.platform, f.evidence) for f in analyzer.analyze(text, kind)
            if f.rule == "public_risk"]


def rules(analyzer: Analyzer, text: str, kind: str = "page") -> set[str]:
    return {f.rule for f in analyzer.analyze(text, kind)}


def test_the_shipped_model_is_small_and_loads() -> None:
    assert MODEL_FILE.stat().st_size < 2 * 1024 * 1024
    model = OpinionModel.load()
    assert 0.0 < model.threshold < 1.0 and model.risk_w and model.sent_w


# -- entity anchoring -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "platform"), [
    ("融鑫贷的老板跑路了，几百个出借人的血汗钱全没了，大家赶紧去经侦报案。", "融鑫贷"),
    ("#禾穗金服爆雷# 投了二十万，平台已经失联三天，维权群里都在商量去哪里报案。", "禾穗金服"),
    ("北江汇通平台涉嫌非法吸收公众存款，实际控制人已被警方刑拘，投资人正在登记。", "北江汇通"),
    # the name after 叫 (a name is never the words before 叫: 私房钱叫非法集资)
    ("听说一个叫鑫盛贷的平台跑路了，投进去的钱全没了。", "鑫盛贷"),
])
def test_trouble_at_a_named_platform(analyzer: Analyzer, text: str, platform: str) -> None:
    found = [f for f in analyzer.analyze(text, "post") if f.rule == "public_risk"]
    assert [f.platform for f in found] == [platform]
    assert found[0].sentiment is not None and found[0].sentiment < 0
    assert found[0].extra["sentiment_label"] == "negative"
    assert 0.0 <= found[0].extra["risk_probability"] <= 1.0


@pytest.mark.parametrize("text", [
    "在车站手机被偷了，当场就报警了，大家出门看好随身物品。",       # no firm at all
    "平台跑路了怎么办？出借人应该先保留好合同和转账记录。",          # advice, no name
    "据统计，今年二季度全国共有263家问题平台，占比较去年有所下降。",   # industry statistics
    "周末跑路线的时候碰到老同学，一起跑了十公里。",                   # another sense
    # a naming joke: the words before 叫 are no firm's name
    "我妈说我存的压岁钱叫储蓄，我爸藏的小金库叫非法集资。",
    # a verb phrase (最喜欢) before 经侦 in a crime drama's plot
    "看完这部警匪剧，最喜欢经侦大队那个老刑警，查流水那段太帅了。",
    # 网购 is no ××网 platform, 偷钱包 no ××钱包 one
    "舍友网购碰到刷单返利骗局，差点被骗两千，还好我们拦下来报了警。",
    "公交上有人偷钱包被当场抓住，司机直接开到派出所报案。",
    # a career in the police (经侦 as a job), the police's anti-fraud app, a piggy bank
    "堂妹考上了警官学院，毕业想去经侦，说要专门查账抓骗子。",
    "反诈App弹窗提醒大家别参与非法集资，我连合法的钱都没有。",
    "儿子的小熊存钱罐提现困难，只能拿螺丝刀撬开。",
    # a slogan a firm keeps
    "远离非法集资，鑫隆财富提醒您理性投资",
    # a repost chain names who reposted (//@name:), not the platform
    "//@路过的小王:太惨了 //@吃瓜的老李:平台已经失联，提现困难，投资人的血汗钱拿不回来，大家去报案",
])
def test_no_public_risk_without_a_firm_in_trouble(analyzer: Analyzer, text: str) -> None:
    assert risk(analyzer, text) == []


@pytest.mark.parametrize("text", [
    "在他看来，禾穗金服并不像不靠谱的跑路平台",                       # set against the firm
    "鑫隆财富做合规企业，拒绝非法集资，远离资金池",                   # a slogan it keeps
    "【头条】比钱宝网案还多一人！非法集资5亿元，一起案子三人被判了无期",  # a yardstick
    "我家狗子旺财宝今天又跑路了，满村找了一下午，最后在邻居家柴房里找到",  # a pet's name
    "表妹她们宿舍凑钱买了个电饭煲，宿管阿姨笑着说“你们这是非法集资啊”",  # a verdict, a joke
    "组长：报告再拖就逾期了。我：组长，能申请延期兑付吗。组长：？",  # a request (申请)
    "账号被人盗了，客服说要先报警再走申诉流程，好麻烦",  # words of grammar (要先), an account
])
def test_trouble_not_about_the_firm_named_is_no_candidate(analyzer: Analyzer, text: str) -> None:
    # (the model would mostly reject these too; the rules do not even ask it)
    assert analyzer.opinion_features(text, "post")[1] is False


def test_a_post_riding_a_trouble_hashtag_is_no_candidate(analyzer: Analyzer) -> None:
    """A hashtag's trouble with the post's own words about something else rides the topic's
    traffic; a bare hashtag, one with mentions or with a word of the money or the complaint, or
    a post stacking its campaign's hashtags, is the victims' own."""
    riding = ["#禾穗金服爆雷# 蹭个热度，本店新到一批手工茶，欢迎来尝",
              "#鑫隆财富跑路# #周末去哪儿# 带娃去了郊外的草莓园，人均五十，草莓很甜"]
    own = ["#禾穗金服爆雷#",
           "#禾穗金服涉嫌诈骗# @市公安局 @市金融办",
           "#禾穗金服爆雷# 三年的积蓄全在里面，求转发",
           "#禾穗金服爆雷# 禾穗金服的老用户一个都联系不上客服",
           "#禾穗金服诈骗# #禾穗金服老板卷款# #市金融办# #新闻客户端# 今天的快递费怎么这么贵"]
    assert [analyzer.opinion_features(t, "post")[1] for t in riding + own] == \
        [False] * len(riding) + [True] * len(own)


def test_a_consumer_business_in_trouble_is_no_candidate_but_a_known_platform_is(
        analyzer: Analyzer) -> None:
    """With only everyday or generic trouble words, a consumer business named and no word of
    finance besides, a text is a consumer's trouble; a platform of the lexicon still counts."""
    shop = "家装公司的老板失联了，好多户的定金都没了，已经有人报警"
    known = "e租宝的老板失联了，好多户的定金都没了，已经有人报警"
    money = "家装公司的老板失联了，听说他还在网贷平台借了很多钱，已经有人报警"
    assert [analyzer.opinion_features(t, "post")[1] for t in (shop, known, money)] == [
        False, True, True]


def test_a_deployment_names_its_own_platforms(tmp_path: Path) -> None:
    """Names passed in (targets, a registry) are found like the lexicon's."""
    a = Analyzer(ROOT / "config" / "rules.yaml", platforms=["榕信通"])
    found = [f for f in a.analyze("最近听说榕信通提现困难，已经两个月没回款了，真着急。", "post")
             if f.rule == "public_risk"]
    assert [f.platform for f in found] == ["榕信通"]


def test_the_model_decides_between_candidates(analyzer: Analyzer) -> None:
    """Both name a platform and use a trouble word; only one reports trouble at it."""
    trouble = "清盈贷提现一直失败，客服只会说排队，我看就是卷款跑路了。"
    denial = "清盈贷官方声明：平台运营正常，所谓跑路传言不实，提现均已按时到账。"
    assert analyzer.opinion(trouble).risk > analyzer.opinion(denial).risk
    assert [platform for platform, _ in risk(analyzer, trouble)] == ["清盈贷"]


def test_a_denial_is_a_fact_for_the_model(analyzer: Analyzer) -> None:
    """辟谣, 运营正常 (the rules' denial words) reach the model as one fact, so that a rumour
    denied in words it never saw still counts as a denial."""
    denied, _ = analyzer.opinion_features("清盈贷辟谣：平台运营正常，跑路传言纯属造谣。")
    trouble, _ = analyzer.opinion_features("清盈贷跑路了，客服电话打不通。")
    assert "\x02cue:denial" in denied
    assert "\x02cue:denial" not in trouble


# -- platform pages ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "第五条 乙方逾期未归还借款本息的，甲方有权要求乙方按日支付逾期罚息，并委托第三方催收。",
    "借款协议 甲方（出借人）与乙方（借款人）经协商一致，就借款事宜订立本协议。",
    "风险提示：风险准备金不足以覆盖全部逾期本息时，出借人须自行承担相应损失。",
    "丙方对借款人进行筛选推荐给出借人，并得到出借人一定数量的出借资金。",
    # disclosures in guarantee words: a plan stopped, a fund that is no promise, a loss borne
    "根据整改要求，本息保障计划自即日起停止，平台此后不再垫付逾期本息。",
    "风险备用金并非对出借人本金的保证，用尽后平台不再代偿。",
    "借款人违约造成的损失由出借人自行承担，平台不作任何形式的兜底。",
    "本公司于去年回购股份并注销，回购价格为每股5元。",
    # session 14 (blind page lines): subsidies stopped, a regulator's inspection, a penalty fee
    "根据监管要求，平台自2017年9月1日起停止发放体验金、加息券、现金红包等。",
    "【活动下线公告】根据监管要求，平台已下线新手加息、体验金等全部营销活动。",
    "多地监管部门开展现场检查，重点关注资金池、自融和期限拆分等问题。",
    "逾期管理费：乙方逾期的，按逾期本息的每日千分之一收取逾期管理费。",
])
def test_contract_clauses_and_disclosures_give_nothing(analyzer: Analyzer, text: str) -> None:
    assert rules(analyzer, text) == set()


@pytest.mark.parametrize("text", [
    "借款逾期时由平台以风险备用金先行垫付，保障出借人利益。",
    "逾期项目由合作机构代付本息，出借人无需担心。",
    "若还款日当日出借人未收到还款，乙方立即启动风险准备金偿付机制，代偿当期全部本息。",
    "本协议项下的还款保障方式为：由第三方担保公司提供担保。",
    "加入本息保障计划，投资更安心。",
    "平台承诺到期回购并返还本金。",
    # a buy-back, a guarantor paying in the borrower's place, a full guarantee, a slogan
    "借款逾期超过五日的，由合作保理公司按剩余本金加利息回购该笔债权。",
    "若借款人未按期还款，保证人应在三日内代借款人向出借人偿还全部到期本息。",
    "还款保障：融资担保公司提供100%本息连带责任担保。",
    "抵押物处置后仍有不足的，差额部分由平台补足。",
    "质保专款：借款逾期时对出借人未收本金进行先行偿付。",
    "平台郑重承诺：出借人不承担任何坏账损失。",
    "无论借款人是否还款，出借人都能在到期日收回本息。",
    "保障方式：本息垫付",
])
def test_guarantee_paraphrases(analyzer: Analyzer, text: str) -> None:
    assert "guaranteed_principal" in rules(analyzer, text)
    assert "public_risk" not in rules(analyzer, text)


# Platform-page lines written blind to the analyzers in session 9 (tests/corpus/guarantee_lines.jsonl:
# 120 guarantee promises in the wording of 2015-18 platform pages, 80 disclosures and clauses in
# the same words). Measured once before their failures were read: guaranteed_principal on 85 of
# the 120 and on 9 of the 80 (the session-8 analyzers gave the same); then buy-backs, guarantors
# and insurers paying in the borrower's place, full guarantees, shortfalls made up, slogans and
# the disclosure words (a plan stopped, a fund that is no promise, a loss the lender bears)
# were added: 117 and 0. Left: a question-and-answer slogan (逾期怎么办？平台赔！), a guarantor
# that "不得拒绝" (read as a prohibition), a second fund making up what the first "不足".
GUARANTEE_LINES_FOUND = 117


def test_guarantee_lines_of_platform_pages(analyzer: Analyzer) -> None:
    lines = load_jsonl(CORPUS / "guarantee_lines.jsonl")
    assert len(lines) == 200
    promised = [r for r in lines if r["labels"] == ["guaranteed_principal"]]
    found = [r["id"] for r in promised if "guaranteed_principal" in rules(analyzer, r["text"])]
    extra = [r["id"] for r in lines if not r["labels"] and rules(analyzer, r["text"])]
    assert len(promised) == 120 and len(found) >= GUARANTEE_LINES_FOUND, len(found)
    assert extra == []


# Platform-page lines written blind in session 14 (tests/corpus/page_lines.jsonl: 300 lines of a
# 2016-17 P2P site, 104 labelled with the rules 1-8 they must give, 196 that must give nothing:
# contract clauses, disclosures, announcements, industry news). Measured once (with the rules of
# that moment): no public_risk; guaranteed_principal 30 of 30, promised_return 52 of 54,
# improper_subsidy 18 of 19, fundraising_signal 8 of 10, restricted_name 2 of 9; 5 of the 196
# flagged (subsidies stopped, a regulator's inspection of 资金池, a penalty fee per day). Then those
# words, referral rewards in proportion to the friends' investment, a new user's gift beside a
# rate and about-us lines that name the operator (由…运营, 公司全称, …旗下平台): 99 of the 104 with
# all their labels, none of the 196. Session 15: a list of products' rates after one keyword is
# read to its end (rates._listed): 100. Left: a comparison of rates joined by commas, and
# restricted words in the names of partner firms and in a scope line without a name.
PAGE_LINES_ALL_FOUND = 100


def test_blind_platform_page_lines(analyzer: Analyzer) -> None:
    lines = load_jsonl(CORPUS / "page_lines.jsonl")
    assert len(lines) == 300 and all(r["kind"] == "page" for r in lines)
    labelled = [r for r in lines if r["labels"]]
    found = [r["id"] for r in labelled if set(r["labels"]) <= rules(analyzer, r["text"])]
    extra = {r["id"]: rules(analyzer, r["text"]) for r in lines
             if not r["labels"] and rules(analyzer, r["text"])}
    assert len(labelled) == 104 and len(found) >= PAGE_LINES_ALL_FOUND, len(found)
    assert extra == {}
    assert not any("public_risk" in rules(analyzer, r["text"]) for r in lines)


def test_safety_and_high_returns_slogans(analyzer: Analyzer) -> None:
    assert {"guaranteed_principal", "promised_return"} <= rules(
        analyzer, "专业的理财平台，为投资人提供安全、高收益的投资理财产品。")
    assert "guaranteed_principal" in rules(analyzer, "安全有保障的互联网理财平台")
    assert rules(analyzer, "为了交易安全，请勿向他人透露短信验证码。") == set()


@pytest.mark.parametrize("text", [
    "组队投资，一起赚奖励！",
    "邀请好友一起出借，好友投资越多你的奖励越高。",
    "和朋友一起享受加息收益，人越多加息越多。",
    # a reward in proportion to what the friends invest
    "邀请好友注册并出借，按好友累计出借金额的千分之五给予返利。",
    "好友出借，您赚奖励：一级好友出借额的0.8%，二级好友出借额的0.3%。",
])
def test_referral_rewards_are_fundraising_signals(analyzer: Analyzer, text: str) -> None:
    assert "fundraising_signal" in rules(analyzer, text)
    assert "improper_subsidy" not in rules(analyzer, text)


def test_without_a_model_file_the_rules_decide(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """A deployment that deleted the model file still reports (rules only), and says so."""
    with caplog.at_level("WARNING", logger="analyzers.engine"):
        a = Analyzer(ROOT / "config" / "rules.yaml", opinion_model=tmp_path / "missing.json")
    assert any("decided by rules only" in r.getMessage() for r in caplog.records)
    found = [f for f in a.analyze("融鑫贷的老板跑路了，血汗钱全没了。", "post")
             if f.rule == "public_risk"]
    assert [f.platform for f in found] == ["融鑫贷"]
    assert "risk_probability" not in found[0].extra
    assert a.opinion("融鑫贷的老板跑路了，血汗钱全没了。").risk == 0.0
    assert risk(a, "据统计，今年共有263家问题平台跑路。") == []


def test_a_new_users_gift_beside_a_rate_is_a_subsidy(analyzer: Analyzer) -> None:
    assert "improper_subsidy" in rules(analyzer, "新手专享：年化12%，另送50元红包。")


# -- the blind finance posts ------------------------------------------------------------------

def test_blind_finance_posts_as_measured(analyzer: Analyzer) -> None:
    """tests/corpus/finance_posts.jsonl: 500 posts and news items written blind to the labelling
    guide's hard cases, measured once with the model of c29b64c: 45 of 120 trouble items caught
    and 52 false alarms of 380 (denials, hypotheticals, hashtags riding along score 0.9 and
    more). Trained on, it brought nested false alarms down a little but took clear short trouble
    posts under the threshold ("清盈贷爆雷了，十几万血本无归" 0.60; three of the demo forum's),
    so it is not training data (docs/analyzers.md). Ceilings as measured; the model retrained
    deterministically on 2026-12-03's candidates (threshold 0.9) flags 53; with a post riding a
    trouble hashtag no candidate (#某贷爆雷# 奶茶第二杯半价, 2026-12-04) 48."""
    records = load_jsonl(CORPUS / "finance_posts.jsonl")
    assert len(records) == 500 and all(r["labels"] in ([], ["public_risk"]) for r in records)
    flagged = {r["id"] for r in records
               if any(f.rule == "public_risk" for f in analyzer.analyze(r["text"], r["kind"]))}
    trouble = {r["id"] for r in records if r["labels"]}
    assert len(trouble) == 120
    assert len(flagged - trouble) <= 48
    assert len(flagged & trouble) >= 45
