"""The ledger's records: codes, registration, merge, classification with sign-off, score."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from findings import utcnow
from platforms import PlatformQuery, open_ledger
from platforms.codes import InvalidCode, normalize_credit_code, normalize_icp
from platforms.intake import update_after_patrol
from platforms.ledger import LedgerError, NotAllowed, classify, merge, register, split
from platforms.score import ScoreSettings, compute, platform_findings

from .conftest import CODE_A, CODE_B, make_finding

CFG = ScoreSettings(rate_high=10.0, rate_warning=6.0, ban_score=60, rectify_score=25,
                    recent_days=30)


def test_credit_code_check_digit() -> None:
    assert normalize_credit_code("91350100M000100Y43") == "91350100M000100Y43"  # GB 32100 sample
    assert normalize_credit_code(" 91441800ma4ukj1x0y ") == CODE_A
    with pytest.raises(InvalidCode, match="校验位错误"):
        normalize_credit_code("91350100M000100Y44")
    with pytest.raises(InvalidCode, match="18 位"):
        normalize_credit_code("9135010")
    with pytest.raises(InvalidCode, match="不允许的字符"):
        normalize_credit_code("91350100M000100I43")


def test_icp_format() -> None:
    assert normalize_icp("粤ICP备12345678号-1") == "粤ICP备12345678号-1"
    assert normalize_icp("京ICP证030173号") == "京ICP证030173号"
    for bad in ("ICP备12345678号", "粤ICP12345678", "粤ICP备abc号", "<script>"):
        with pytest.raises(InvalidCode):
            normalize_icp(bad)


def test_register_matches_by_code_domain_and_name(ledger) -> None:
    first, created = register(ledger, name="聚财宝", by="t", source="manual", credit_code=CODE_A,
                              domains=["JuCai.example.test."], kind="P2P网贷")
    assert created and first.domains == ["jucai.example.test"] and first.lead == "清远银监分局"
    again, created = register(ledger, name="聚财宝平台", by="t", source="manual",
                              domains=["jucai.example.test", "m.jucai.example.test"],
                              apps=["聚财宝App"])
    assert not created and again.id == first.id
    assert again.aliases == ["聚财宝平台"] and "m.jucai.example.test" in again.domains
    assert ledger.by_name("聚财宝平台").id == first.id
    assert [e.action for e in ledger.events(first.id)] == ["created", "updated"]
    with pytest.raises(LedgerError, match="校验位错误"):
        register(ledger, name="坏代码", by="t", source="manual", credit_code=CODE_A[:-1] + "1")
    assert ledger.by_name("坏代码") is None
    bidi, _ = register(ledger, name="\u202e宝财聚\x00 平台", by="t", source="operator:x",
                       operator="某某\u2066公司")
    assert bidi.name == "宝财聚 平台" and bidi.operator == "某某公司"


def test_merge_keeps_history_and_moves_domains(ledger) -> None:
    a, _ = register(ledger, name="鑫盈财富", by="t", source="manual", domains=["xinying.test"])
    b, _ = register(ledger, name="鑫盈理财", by="t", source="manual", domains=["xy-licai.test"],
                    credit_code=CODE_B)
    with pytest.raises(LedgerError, match="理由"):
        merge(ledger, a.id, b.id, "t", " ")
    kept = merge(ledger, a.id, b.id, "officer", "同一运营主体")
    assert set(kept.domains) == {"xinying.test", "xy-licai.test"} and kept.credit_code == CODE_B
    assert ledger.by_domain("xy-licai.test").id == a.id
    gone = ledger.get(b.id)
    assert gone.merged_into == a.id and ledger.events(b.id)[-1].action == "merged"
    assert [p.id for p in ledger.query(PlatformQuery())] == [a.id]
    with pytest.raises(LedgerError, match="已被合并"):
        merge(ledger, a.id, b.id, "t", "again")
    with pytest.raises(LedgerError, match="不是被合并的记录"):
        split(ledger, a.id, "t", "x")
    kept, restored = split(ledger, b.id, "officer", "并非同一主体")
    assert kept.domains == ["xinying.test"] and kept.credit_code == "" and kept.aliases == []
    assert restored.merged_into is None and restored.domains == ["xy-licai.test"]
    assert ledger.by_domain("xy-licai.test").id == b.id and ledger.by_credit_code(CODE_B).id == b.id
    assert [e.action for e in ledger.events(b.id)][-2:] == ["merged", "split"]


def test_classify_needs_lead_department_reason_and_deadline(ledger) -> None:
    p, _ = register(ledger, name="粤通付", by="t", source="manual", kind="第三方支付")
    assert p.lead == "人民银行清远市中心支行"
    with pytest.raises(NotAllowed, match="牵头部门"):
        classify(ledger, p.id, "取缔", by="c", departments=["市工商局"], reason="无证支付")
    with pytest.raises(LedgerError, match="理由"):
        classify(ledger, p.id, "取缔", by="f", departments=["人民银行清远市中心支行"], reason="")
    now = utcnow()
    done = classify(ledger, p.id, "整改", by="f", departments=["人民银行清远市中心支行"],
                    reason="限期整改", rectify_days=10, now=now)
    assert done.classification == "整改" and done.deadline == now + timedelta(days=10)
    assert ledger.due_rectifications(now) == []
    assert [x.id for x in ledger.due_rectifications(now + timedelta(days=11))] == [p.id]
    final = classify(ledger, p.id, "取缔", by="admin", departments=None, reason="逾期未改")
    assert final.deadline is None
    assert [c.classification for c in ledger.classifications(p.id)] == ["整改", "取缔"]


def test_score_explains_itself_and_proposes(ledger, store, add_findings) -> None:
    p, _ = register(ledger, name="聚财宝", by="t", source="manual", domains=["jucai.example.test"])
    assert compute(p, [], CFG).proposed == "待定"
    add_findings(
        make_finding(annual_rate=18.0, rule_name="承诺收益"),
        make_finding(evidence="保本保息", rule="guaranteed_principal", source="http://jucai.example.test/p/2"),
        make_finding(evidence="资金池", rule="fundraising_signal", severity="medium",
                     source="http://jucai.example.test/p/3", seen=utcnow() - timedelta(days=200)),
        make_finding(rule="public_risk", evidence="聚财宝跑路了", source="http://bbs.test/t/1",
                     domain="bbs.test", kind="post", platform="聚财宝"),
        make_finding(evidence="别家平台", source="http://other.test/x", domain="other.test"),
    )
    found = platform_findings(store, p)
    assert len(found) == 4 and all(f.domain != "other.test" for f in found)
    score = compute(p, found, CFG)
    texts = [r["text"] for r in score.reasons]
    assert score.score == 20 + 20 + 2 + 15 + 3 and score.proposed == "取缔"
    assert any("承诺收益（promised_return）" in t for t in texts)
    assert any("18.0%" in t and "高风险阈值" in t for t in texts)
    assert any("舆情 1 条" in t for t in texts)
    assert any(t.startswith("非法集资特征（fundraising_signal）") for t in texts)
    assert ledger.record_score(score) and not ledger.record_score(score)
    assert ledger.get(p.id).score == score.score and len(ledger.scores(p.id)) == 1


def test_trouble_posts_alone_never_propose_compliant(ledger, store, add_findings) -> None:
    """Posts say a platform cannot pay out; its own pages show nothing: a regulator checks
    first (待定), the ledger does not call it 合规. Without the posts, 合规."""
    p, _ = register(ledger, name="清盈贷", by="t", source="manual", domains=["qyd.example.test"])
    add_findings(make_finding(rule="public_risk", evidence="清盈贷提现困难", kind="post",
                              source="http://bbs.test/t/1", domain="bbs.test", platform="清盈贷"))
    score = compute(p, platform_findings(store, p), CFG)
    assert score.score < CFG.rectify_score and score.proposed == "待定"
    assert any(r["code"] == "verify" and "核查" in r["text"] for r in score.reasons)
    quiet = make_finding(rule="public_risk", evidence="清盈贷提现困难", kind="post",
                         source="http://bbs.test/t/1", domain="bbs.test", platform="清盈贷")
    quiet.status = "dismissed"           # an officer found the post wrong
    assert compute(p, [quiet], CFG).proposed == "合规"


def test_after_patrol_registers_targets_and_operators(settings, store, add_findings) -> None:
    targets = [SimpleNamespace(name="demo-a", start_urls=["http://127.0.0.1:8701/"],
                               description="聚财宝（虚构）", kind="p2p", platform=""),
               SimpleNamespace(name="site-b", start_urls=["https://b.example.test/"],
                               description="", kind="ads", platform="粤通付"),
               SimpleNamespace(name="site-b2", start_urls=["https://pay.b.example.test/"],
                               description="", kind="ads", platform="粤通付")]
    add_findings(make_finding(source="http://127.0.0.1:8701/p", domain="127.0.0.1",
                              target="demo-a", operator="广州聚财宝投资管理有限公司"),
                 make_finding(source="http://127.0.0.1:8702/q", domain="127.0.0.1",
                              target="demo-x", evidence="别的平台"))
    with open_ledger(settings) as ledger:
        scored = update_after_patrol(settings, ledger, store, targets)
        names = sorted(p.name for p in scored)
        assert names == ["粤通付", "聚财宝"]
        jcb = ledger.by_name("聚财宝")
        assert jcb.domains == [] and jcb.targets == ["demo-a"]       # an IP is no domain
        assert jcb.operator == "广州聚财宝投资管理有限公司" and jcb.licence == "unlicensed"
        assert jcb.kind == "P2P网贷" and jcb.score >= 20 and jcb.proposed != "待定"
        ytf = ledger.by_name("粤通付")
        assert ytf.targets == ["site-b", "site-b2"]
        assert ytf.domains == ["b.example.test", "pay.b.example.test"]
        # patrolling again adds no history when nothing changed
        before = len(ledger.events(jcb.id))
        update_after_patrol(settings, ledger, store, targets)
        assert len(ledger.events(jcb.id)) == before and len(ledger.scores(jcb.id)) == 1
