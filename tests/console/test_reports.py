"""Reports and search: counts by rule, department, status and week, the XLSX export (no formula
injection), the printable page, and Chinese full-text search over pages and findings."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from findings import Decision, utcnow

from .conftest import Console, make_finding


def seed(console: Console) -> None:
    made = console.add(
        make_finding("promised_return"), make_finding("promised_return"),
        make_finding("restricted_name", kind="enterprise", evidence="=HYPERLINK(\"http://127.0.0.2/x\",\"点我\")"),
        make_finding("public_risk", kind="post", evidence="+cmd|' /C calc'!A0"),
        make_finding("margin_financing", seen=utcnow() - timedelta(days=60)))
    console.store.review(Decision(finding_id=made[0].id, decision="confirmed", by="finance",
                                  at=utcnow()))


def test_report_counts_and_charts(console: Console) -> None:
    seed(console)
    html = console.client("opinion").get("/reports?preset=30").get_data(as_text=True)
    assert "发现共 <strong>4</strong> 条" in html
    for label in ("承诺/夸大收益", "名称/经营范围限制字样", "已确认", "待审核", "市金融局", "市工商局"):
        assert label in html, label
    assert "; ads also" not in html.split("按牵头部门")[1].split("按状态")[0]
    assert html.count('<svg viewBox=') == 4
    wide = console.client("opinion").get("/reports?preset=365").get_data(as_text=True)
    assert "发现共 <strong>5</strong> 条" in wide


def test_xlsx_export_keeps_crawled_text_as_text(console: Console) -> None:
    seed(console)
    response = console.client("commerce").get("/reports/export.xlsx?preset=30")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert {"概况", "按规则", "按牵头部门", "按状态", "按周", "发现明细"} <= set(book.sheetnames)
    rows = list(book["发现明细"].iter_rows(values_only=False))
    assert len(rows) == 1 + 4
    cells = [c for row in rows for c in row if isinstance(c.value, str) and c.value[:1] in "=+"]
    assert cells and all(c.data_type == "s" for c in cells)
    counts = {r[0].value: r[1].value for r in book["按状态"].iter_rows(min_row=2)}
    assert counts == {"待审核": 3, "已确认": 1}


def test_printable_report(console: Console) -> None:
    seed(console)
    html = console.client("finance").get("/reports/print?preset=30").get_data(as_text=True)
    assert 'id="print-now"' in html and "网络巡查统计" in html and "finance" in html


def test_search_finds_pages_and_findings_in_chinese(console: Console) -> None:
    console.page(url="http://127.0.0.1:9/a", title="某某财富", text="本平台承诺保本保息，年化收益百分之十五。")
    console.page(url="http://127.0.0.1:9/b", title="无关页面", text="今天天气很好。")
    finding = console.add(make_finding("guaranteed_principal", evidence="保本保息"))[0]
    html = console.client("support").get("/search?q=保本").get_data(as_text=True)
    assert "某某财富" in html and "无关页面" not in html
    assert f"/review/finding/{finding.id}" in html
    empty = console.client("support").get("/search?q=完全不存在的词语").get_data(as_text=True)
    assert "没有找到相关页面" in empty and "没有找到相关发现" in empty
