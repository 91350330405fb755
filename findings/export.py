"""Findings for people: Chinese labels, terminal tables, CSV/XLSX/JSONL exports.

Evidence and context are crawled, attacker-controlled text: every cell goes through
`common.text` (control and bidi characters removed; a cell that starts like a formula, = + - @,
is prefixed with an apostrophe so that a spreadsheet shows it as text instead of evaluating it).
Times are local times in the configured zone (setting time_zone).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from typing import IO, Any

from common.text import spreadsheet_cell, table, xlsx_text_cell
from common.timefmt import DEFAULT_TIME_ZONE, format_local, zone
from common.vocabulary import FINDING_STATUS_LABELS, SEVERITY_LABELS, label

from .model import FindingRecord

__all__ = ["columns", "findings_table", "status_label", "write_csv", "write_jsonl", "xlsx_bytes"]

Column = tuple[str, Callable[[FindingRecord], Any]]


def status_label(f: FindingRecord) -> str:
    text = label(FINDING_STATUS_LABELS, f.status)
    if f.status == "forwarded" and f.forwarded_to:
        text += f"({f.forwarded_to})"
    return text


def columns(tz: tzinfo, export: bool = False) -> list[Column]:
    """(heading, value of a finding) of a listing, or with `export` of a CSV/XLSX file."""

    def when(value: datetime | None) -> str:
        return format_local(value, tz, empty="")

    listing: list[Column] = [
        ("编号", lambda f: f.id),
        ("严重程度", lambda f: label(SEVERITY_LABELS, f.severity)),
        ("规则", lambda f: f.rule_name or f.rule),
        ("证据", lambda f: f.evidence),
        ("牵头部门", lambda f: f.lead),
        ("状态", status_label),
        ("最近发现", lambda f: when(f.last_seen)),
        ("来源", lambda f: f.source),
    ]
    if not export:
        return listing
    return [
        *listing[:6],
        ("规则编号", lambda f: f.rule),
        ("条款", lambda f: f.clause),
        ("年化利率(%)", lambda f: "" if f.annual_rate is None else f.annual_rate),
        ("上下文", lambda f: f.context),
        ("域名", lambda f: f.domain),
        ("巡查对象", lambda f: f.target),
        ("平台", lambda f: f.platform or ""),
        ("首次发现", lambda f: when(f.first_seen)),
        ("最近发现", lambda f: when(f.last_seen)),
        ("已消失", lambda f: when(f.gone_at)),
        ("来源", lambda f: f.source),
    ]


def findings_table(findings: list[FindingRecord], tz: tzinfo | None = None) -> str:
    cols = columns(tz or zone(DEFAULT_TIME_ZONE))
    return table([h for h, _ in cols], [[get(f) for _, get in cols] for f in findings])


def write_jsonl(findings: Iterable[FindingRecord], out: IO[str]) -> int:
    n = 0
    for f in findings:
        out.write(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def write_csv(findings: Iterable[FindingRecord], out: IO[str], tz: tzinfo | None = None) -> int:
    cols = columns(tz or zone(DEFAULT_TIME_ZONE), export=True)
    writer = csv.writer(out)
    writer.writerow([h for h, _ in cols])
    n = 0
    for f in findings:
        writer.writerow([spreadsheet_cell(get(f)) for _, get in cols])
        n += 1
    return n


def xlsx_bytes(findings: Iterable[FindingRecord], tz: tzinfo | None = None) -> tuple[bytes, int]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    cols = columns(tz or zone(DEFAULT_TIME_ZONE), export=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("巡查发现")
    sheet.append([h for h, _ in cols])
    n = 0
    for f in findings:
        sheet.append([xlsx_text_cell(WriteOnlyCell(sheet), get(f)) for _, get in cols])
        n += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), n
