"""Phase reports of the ledger: figures per configured phase, printable page and XLSX."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl

from platforms import open_ledger
from platforms.ledger import classify, register

PHASES = ["摸底:2026-01-01:2026-01-31", "整顿:2026-02-01:2026-02-28"]


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T04:00:00").replace(tzinfo=UTC)


def test_phase_figures_page_and_xlsx(console_factory) -> None:
    console = console_factory(ledger_phases=PHASES)
    with open_ledger(console.settings) as lg:
        one, _ = register(lg, name="甲平台", by="t", source="manual", kind="P2P网贷",
                          now=at("2026-01-10"))
        two, _ = register(lg, name="乙平台", by="t", source="manual", kind="第三方支付",
                          now=at("2026-01-20"))
        three, _ = register(lg, name="丙平台", by="t", source="manual", now=at("2026-02-02"))
        classify(lg, one.id, "整改", by="f", departments=None, reason="限期",
                 deadline=at("2026-02-10"), now=at("2026-01-15"))
        classify(lg, one.id, "合规", by="f", departments=None, reason="已整改",
                 now=at("2026-02-05"))
        classify(lg, two.id, "整改", by="f", departments=None, reason="限期",
                 deadline=at("2026-02-15"), now=at("2026-01-21"))
        classify(lg, three.id, "取缔", by="f", departments=None, reason="非法集资",
                 now=at("2026-02-03"))
    client = console.client("finance")
    html = client.get("/platforms/report").get_data(as_text=True)
    assert "摸底" in html and "2026-02-01 至 2026-02-28" in html
    xlsx = client.get("/platforms/report.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    table = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert table["发现登记平台"] == (2, 1)
    assert table["完成分类平台"] == (2, 2) and table["分类为 整改"] == (2, 0)
    assert table["分类为 合规"] == (0, 1) and table["分类为 取缔"] == (0, 1)
    assert table["整改到期"] == (0, 2) and table["按期整改（改为合规）"] == (0, 1)
    assert table["逾期未改"] == (0, 1) and table["取缔"] == (0, 1)
    leads = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[1]
    rows = {(r[0], r[1]): r[2:] for r in leads.iter_rows(min_row=2, values_only=True)}
    assert rows[("摸底", "人民银行清远市中心支行")] == (0, 1, 0, 0)


def test_bad_phase_setting_is_a_clear_error(console_factory) -> None:
    console = console_factory(ledger_phases=["摸底:2026-13-01:2026-01-31"])
    reply = console.client("finance").get("/platforms/report")
    assert reply.status_code == 500
    assert "ledger_phases" in reply.get_data(as_text=True) and "2026-13-01" in reply.get_data(
        as_text=True)
