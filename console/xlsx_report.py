"""The report as an XLSX workbook: one sheet per count, one with the findings.

Every cell written from data is forced to text: crawled strings such as `=HYPERLINK(...)` or
`+cmd|...` must never become formulas in the officer's spreadsheet program, and control and
bidi characters are removed (common.text.spreadsheet_cell), as in every export.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from common.text import xlsx_text_cell
from common.vocabulary import FINDING_STATUS_LABELS, SEVERITY_LABELS, label, rule_label
from findings import Store

from .present import local_time
from .report_data import DIMENSIONS, Report, ReportRange, iter_findings

MAX_ROWS = 20_000


def _put(ws: Any, row: int, col: int, value: Any) -> Cell:
    return xlsx_text_cell(ws.cell(row=row, column=col), value)


def _label(dim: str, key: str) -> str:
    if dim == "rule":
        return f"{rule_label(key)} ({key})"
    if dim == "status":
        return label(FINDING_STATUS_LABELS, key)
    return key


def report_xlsx(store: Store, report: Report, rng: ReportRange) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "概况"
    for r, (k, v) in enumerate([("统计区间", f"{rng.since} 至 {rng.until}"),
                                ("发现总数", report.total)], start=1):
        _put(summary, r, 1, k)
        _put(summary, r, 2, v)
    for dim, title in DIMENSIONS.items():
        ws = wb.create_sheet(title)
        _put(ws, 1, 1, title[1:])
        _put(ws, 1, 2, "数量")
        items = sorted(report.counts.get(dim, {}).items(),
                       key=(lambda kv: kv[0]) if dim == "week" else (lambda kv: (-kv[1], kv[0])))
        for r, (key, count) in enumerate(items, start=2):
            _put(ws, r, 1, _label(dim, key))
            _put(ws, r, 2, count)
    ws = wb.create_sheet("发现明细")
    header = ["编号", "规则", "严重程度", "状态", "牵头部门", "转交部门", "证据", "来源", "网站",
              "运营方", "方案条款", "首次发现", "最近发现", "已消失"]
    for c, h in enumerate(header, start=1):
        _put(ws, 1, c, h)
    for r, f in enumerate(iter_findings(store, rng, MAX_ROWS), start=2):
        row = [f.id, rule_label(f.rule), label(SEVERITY_LABELS, f.severity),
               label(FINDING_STATUS_LABELS, f.status), f.lead, f.forwarded_to or "", f.evidence,
               f.source, f.domain, f.operator or "", f.clause, local_time(f.first_seen),
               local_time(f.last_seen), local_time(f.gone_at) if f.gone_at else ""]
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
