"""Products read from rate-stating findings, the return-deviation index, and the passive
posture read from evidence files laid out as the patrol writes them."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from evidence.storage import LocalStorage
from evidence.warc import Capture, HttpExchange, WarcRunWriter
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


def _capture(writer: WarcRunWriter, url: str, html: str, gzipped: bool = False) -> None:
    """One page as the patrol keeps it: a WARC response record, the body as received."""
    body = html.encode("utf-8")
    headers = [("Content-Type", "text/html; charset=utf-8")]
    if gzipped:
        body, headers = gzip.compress(body), [*headers, ("Content-Encoding", "gzip")]
    writer.write(Capture(page_id=url[-8:], url=url, captured_at=datetime(2026, 12, 1, tzinfo=UTC),
                         exchange=HttpExchange("GET", url, [], 200, headers, body)))


def test_posture_from_the_captured_pages(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "evidence")
    writer = WarcRunWriter(storage, "t", "run-1")
    _capture(writer, "http://jucai.example.test/login",
             '<form><input type="password" name="pw"><input name="idcard"></form>')
    _capture(writer, "https://jucai.example.test/", "<p>粤ICP备2099号</p>", gzipped=True)
    _capture(writer, "https://jucai.example.test/x", "<input type=password>")
    writer.close()
    # a damaged file of the same day is passed over, not fatal
    (tmp_path / "evidence" / "warc" / "t" / "2026-12-01" / "zz-broken.warc.gz").write_bytes(
        b"\x1f\x8bnot really")
    posture = assess(storage, ["t"])
    assert (posture.pages, posture.https_pages, posture.http_pages) == (3, 2, 1)
    assert posture.password_over_http == ["http://jucai.example.test/login"]
    assert posture.id_over_http == ["http://jucai.example.test/login"]
    assert posture.icp_shown == "" and "ICP备2099号" in posture.icp_malformed
    problems = posture.findings()
    assert any("明文 HTTP 收集密码" in p for p in problems)
    assert any("未展示格式正确的 ICP 备案号" in p for p in problems)
    assert "未记录" in posture.certificate
    assert assess(storage, ["no-such-target"]).pages == 0
