"""Findings for people: Chinese labels, terminal tables, CSV/XLSX/JSONL exports.

Evidence and context are crawled, attacker-controlled text. For a terminal every control
character (ANSI escapes, carriage returns, bidi overrides) is replaced; for spreadsheets a cell
that starts like a formula (= + - @) is prefixed with an apostrophe so that Excel shows it as
text instead of evaluating it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import IO, Any

from .model import FindingRecord

BEIJING = timezone(timedelta(hours=8), "北京时间")

SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
STATUS_LABELS = {"new": "待审核", "confirmed": "已确认", "dismissed": "已排除",
                 "forwarded": "已转交"}
DECISION_LABELS = {"confirmed": "确认", "dismissed": "排除", "forwarded": "转交",
                   "reopened": "重新打开"}

# (heading, value of a finding)
COLUMNS: list[tuple[str, Any]] = [
    ("编号", lambda f: f.id),
    ("严重程度", lambda f: SEVERITY_LABELS.get(f.severity, f.severity)),
    ("规则", lambda f: f.rule_name or f.rule),
    ("证据", lambda f: f.evidence),
    ("牵头部门", lambda f: f.lead),
    ("状态", lambda f: status_label(f)),
    ("最近发现", lambda f: local_time(f.last_seen)),
    ("来源", lambda f: f.source),
]
EXPORT_COLUMNS: list[tuple[str, Any]] = [
    *COLUMNS[:6],
    ("规则编号", lambda f: f.rule),
    ("条款", lambda f: f.clause),
    ("年化利率(%)", lambda f: "" if f.annual_rate is None else f.annual_rate),
    ("上下文", lambda f: f.context),
    ("域名", lambda f: f.domain),
    ("巡查对象", lambda f: f.target),
    ("平台", lambda f: f.platform or ""),
    ("首次发现", lambda f: local_time(f.first_seen)),
    ("最近发现", lambda f: local_time(f.last_seen)),
    ("已消失", lambda f: local_time(f.gone_at)),
    ("来源", lambda f: f.source),
]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(value: Any) -> str:
    """Text safe to print on a terminal: control and direction characters become spaces."""
    return _CONTROL.sub(" ", "" if value is None else str(value))


def status_label(f: FindingRecord) -> str:
    label = STATUS_LABELS.get(f.status, f.status)
    if f.status == "forwarded" and f.forwarded_to:
        label += f"({f.forwarded_to})"
    return label


def local_time(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else ""


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, limit: int) -> str:
    """Cut to `limit` display columns, marking the cut with …"""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def table(headings: list[str], rows: Iterable[list[Any]], max_width: int = 40) -> str:
    """A plain-text table aligned for CJK (double-width) characters."""
    cells = [[fit(clean(v), max_width) for v in row] for row in rows]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headings)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths,
                                                                   strict=True)).rstrip()

    out = [line(headings), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def findings_table(findings: list[FindingRecord]) -> str:
    return table([h for h, _ in COLUMNS], ([get(f) for _, get in COLUMNS] for f in findings))


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str):
        value = clean(value) if value else value
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    return value


def write_jsonl(findings: Iterable[FindingRecord], out: IO[str]) -> int:
    n = 0
    for f in findings:
        out.write(json.dumps(f.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def write_csv(findings: Iterable[FindingRecord], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow([h for h, _ in EXPORT_COLUMNS])
    n = 0
    for f in findings:
        writer.writerow([spreadsheet_safe(get(f)) for _, get in EXPORT_COLUMNS])
        n += 1
    return n


def xlsx_bytes(findings: Iterable[FindingRecord]) -> tuple[bytes, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("巡查发现")
    sheet.append([h for h, _ in EXPORT_COLUMNS])
    n = 0
    for f in findings:
        sheet.append([spreadsheet_safe(get(f)) for _, get in EXPORT_COLUMNS])
        n += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), n
