"""Products read from rate-stating findings, the return-deviation index, and the passive
posture read from evidence files laid out as the patrol writes them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from platforms.posture import assess
from platforms.products import deviation_index, product_name, products_from_findings

from .conftest import make_finding

PAGE = ("理财产品\n新手标\n新手标加息5%，注册即送体验金3000元。\n稳盈宝\n"
        "固定收益，月息2分，期限12个月，1000元起投，本金无忧。\n")


def test_product_name_term_minimum_and_index() -> None:
    start = PAGE.index("月息2分")
    assert product_name(PAGE, start, "x") == "稳盈宝"
    rendered = "鑫盈财富\n鑫盈财富 · 稳健理财\n鑫盈月月盈\n保证年化12%，到期还本付息"
    assert product_name(rendered, rendered.index("保证年化"), "x") == "鑫盈月月盈"
    api = '{"products": [{"name": "鑫盈月月盈", "pitch": "保证年化12%"}]}'
    assert product_name(api, api.index("保证年化"), "x") == "鑫盈月月盈"
    f = make_finding(evidence="月息2分", annual_rate=24.0, page_id="pg1")
    f.start, f.end = start, start + len("月息2分")
    other = make_finding(evidence="年化5%", annual_rate=5.0, source="http://jucai.example.test/q",
                         context="活期宝 年化5%，随存随取", page_id=None)
    other.start, other.context_start = 104, 100
    [high, low] = products_from_findings("pf-1", [f, other], {"pg1": PAGE}.get)
    assert (high.name, high.annual_rate, high.term, high.minimum) == ("稳盈宝", 24.0, "12个月", 1000.0)
    assert low.name == "活期宝"
    assert deviation_index([high, low], 6.0) == round(((24 - 6) + (5 - 6)) / 2, 2)
    assert deviation_index([low], 6.0) == 0.0 and deviation_index([], 6.0) == 0.0


def _page(home: Path, target: str, name: str, url: str, html: str) -> None:
    day = home / "evidence" / target / "2026-12-01"
    day.mkdir(parents=True, exist_ok=True)
    (day / f"{name}.body.gz").write_bytes(gzip.compress(html.encode("utf-8")))
    rel = f"evidence/{target}/2026-12-01/{name}.body.gz"
    (day / f"{name}.json").write_text(json.dumps({
        "url": url, "final_url": url, "status": 200, "encoding": "utf-8",
        "files": {"body": {"path": rel}}}), encoding="utf-8")


def test_posture_from_evidence(tmp_path: Path) -> None:
    home = tmp_path / "var"
    _page(home, "t", "a", "http://jucai.example.test/login",
          '<form><input type="password" name="pw"><input name="idcard"></form>')
    _page(home, "t", "b", "https://jucai.example.test/", "<p>粤ICP备2099号</p>")
    _page(home, "t", "c", "https://jucai.example.test/x",
          '<input type=password>{"files": {"body": {"path": "../../../etc/passwd"}}}')
    (home / "evidence" / "t" / "2026-12-01" / "d.json").write_text(json.dumps({
        "url": "https://jucai.example.test/evil", "files": {"body": {"path": "../../x"}}}))
    (home / "evidence" / "t" / "2026-12-01" / "e.json").write_text("{not json")
    posture = assess(home, ["t"])
    assert (posture.pages, posture.https_pages, posture.http_pages) == (4, 3, 1)
    assert posture.password_over_http == ["http://jucai.example.test/login"]
    assert posture.id_over_http == ["http://jucai.example.test/login"]
    assert posture.icp_shown == "" and "ICP备2099号" in posture.icp_malformed
    problems = posture.findings()
    assert any("明文 HTTP 收集密码" in p for p in problems)
    assert any("未展示格式正确的 ICP 备案号" in p for p in problems)
    assert "未记录" in posture.certificate
    assert assess(home, ["no-such-target"]).pages == 0
