"""The campaign's phase report as an XLSX workbook (one sheet of figures per phase, one per
lead department). Cells from data are text, never formulas (as in xlsx_report)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from common.text import xlsx_text_cell
from platforms.model import CLASSES
from platforms.phases import PhaseFigures


def _put(ws, row: int, col: int, value):
    return xlsx_text_cell(ws.cell(row=row, column=col), value)


def phase_rows(fig: PhaseFigures) -> list[tuple[str, int]]:
    rows = [("发现登记平台", fig.found)]
    rows += [(f"其中 {kind}", n) for kind, n in sorted(fig.found_by_kind.items())]
    rows.append(("完成分类平台", fig.classified))
    rows += [(f"分类为 {c}", fig.by_class.get(c, 0)) for c in CLASSES]
    rows += [("整改到期", fig.rectify_due), ("按期整改（改为合规）", fig.rectified_on_time),
             ("逾期未改", fig.overdue), ("整改期限未到", fig.pending), ("取缔", fig.closed)]
    return rows


def phase_xlsx(figures: list[PhaseFigures]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "分阶段统计"
    headings = ["项目"] + [f"{f.phase.name}（{f.phase.first}至{f.phase.last}）" for f in figures]
    for col, text in enumerate(headings, 1):
        _put(ws, 1, col, text)
    labels = [label for label, _ in phase_rows(figures[0])] if figures else []
    all_rows = {label for f in figures for label, _ in phase_rows(f)}
    labels += sorted(all_rows - set(labels))
    for row, label in enumerate(labels, 2):
        _put(ws, row, 1, label)
        for col, fig in enumerate(figures, 2):
            _put(ws, row, col, dict(phase_rows(fig)).get(label, 0))
    leads = wb.create_sheet("按牵头部门")
    for col, text in enumerate(["阶段", "牵头部门", *CLASSES], 1):
        _put(leads, 1, col, text)
    row = 2
    for fig in figures:
        for lead, counts in sorted(fig.by_lead.items()):
            _put(leads, row, 1, fig.phase.name)
            _put(leads, row, 2, lead)
            for col, c in enumerate(CLASSES, 3):
                _put(leads, row, col, counts.get(c, 0))
            row += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
