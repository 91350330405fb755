"""restricted_name on enterprise records, and the operator of a site."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer


@pytest.fixture(scope="module")
def checker(tmp_path_factory) -> Analyzer:
    licensed = tmp_path_factory.mktemp("lic") / "licensed.txt"
    licensed.write_text("# licensed\n粤清理财有限责任公司\n汇通支付科技有限公司\n", "utf-8")
    return Analyzer(ROOT / "config" / "rules.yaml", licensed)


@pytest.mark.parametrize(("name", "scope", "evidence"), [
    ("清远鑫源资产管理有限公司", "", ["资产管理"]),
    ("清遠網貸信息服務有限公司", "", ["網貸"]),
    ("清远Ｐ２Ｐ科技有限公司", "", ["Ｐ２Ｐ"]),
    ("清远北江创业基金有限公司", "", ["基金"]),
    ("清远汇鑫基金管理有限公司", "", ["基金管理"]),
    ("清远某科技有限公司", "软件开发；财富管理咨询", ["财富管理"]),
    ("汇通天下支付科技有限公司", "", ["支付"]),  # a look-alike of a licensed name
])
def test_restricted_words(checker, name: str, scope: str, evidence: list[str]) -> None:
    found = checker.check_enterprise(name, scope)
    assert [f.evidence for f in found] == evidence
    for f in found:
        source = scope if f.extra.get("field") == "scope" else name
        assert source[f.start:f.end] == f.evidence


@pytest.mark.parametrize(("name", "scope"), [
    ("粤清理财有限责任公司", "理财产品发行"),                     # licensed, exact name
    ("清远市慈善基金会", "接受捐赠"),                             # a charity
    ("清远市教育基金會", ""),
    ("清远鑫源投资咨询有限公司", "投资咨询；企业管理咨询（不含投资管理、资产管理等金融业务）"),
    ("清远二手车交易市场有限公司", "二手车交易服务"),
    ("清远财富广场物业管理有限公司", "物业管理"),
    ("清远某贸易有限公司", "日用品销售；未经批准不得从事金融业务"),
    ("清远资产评估事务所", "资产评估"),
])
def test_not_restricted(checker, name: str, scope: str) -> None:
    assert checker.check_enterprise(name, scope) == []

ROOT = Path(__file__).resolve().parents[2]


def test_scope_findings_say_so(checker) -> None:
    f = checker.check_enterprise("清远某科技有限公司", "网络借贷信息中介服务")
    assert f[0].extra == {"field": "scope"} and f[0].evidence == "网络借贷"


@pytest.mark.parametrize(("page", "operator"), [
    ("关于我们\n版权所有 © 2016 清远恒嘉财富信息科技有限公司 粤ICP备16000001号",
     "清远恒嘉财富信息科技有限公司"),
    ("首页\nCopyright © 2014-2016 清远聚鑫网络科技有限公司 All Rights Reserved",
     "清远聚鑫网络科技有限公司"),
    ("网站首页\n主办单位：清远市某某协会  技术支持：某公司", "清远市某某协会"),
    ("运营方：清远汇联付信息技术有限公司", "清远汇联付信息技术有限公司"),
    ("清远鸿居地产经纪有限公司 粤ICP备16000002号", "清远鸿居地产经纪有限公司"),
    # footer words in any letter case
    ("首页\nCOPYRIGHT (C) 2015 清远聚鑫网络科技有限公司", "清远聚鑫网络科技有限公司"),
    ("首页\n(C)2015 清远聚鑫网络科技有限公司", "清远聚鑫网络科技有限公司"),
    # an about-us line says who runs the site
    ("关于我们：禾丰贷由深圳前海鼎禾金融信息服务有限公司运营，成立于2014年8月。",
     "深圳前海鼎禾金融信息服务有限公司"),
    ("公司全称：成都金穗互联网金融服务有限公司，统一社会信用代码9151010********。",
     "成都金穗互联网金融服务有限公司"),
    ("广州聚鑫投资管理有限公司旗下平台，2015年3月正式上线。", "广州聚鑫投资管理有限公司"),
    ("没有页脚的页面", None),
])
def test_extract_operator(checker, page: str, operator: str | None) -> None:
    assert checker.extract_operator(page) == operator
