"""The numbers of a report over a date range: counts by rule, department, status and week,
and the findings themselves for the spreadsheet; shared by the report page, its printable
form and the XLSX export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from findings import FindingQuery, FindingRecord, Store

from .present import parse_local_date, today_local, typed_day

DIMENSIONS = {"rule": "按规则", "lead": "按牵头部门", "status": "按状态", "week": "按周"}
PRESETS = {"7": "近 7 天", "30": "近 30 天", "90": "近 90 天", "365": "近一年"}


@dataclass
class ReportRange:
    since: date
    until: date

    @classmethod
    def from_args(cls, args: Any) -> ReportRange:
        today = today_local()
        preset = args.get("preset")
        if preset in PRESETS:
            return cls(today - timedelta(days=int(preset) - 1), today)
        since = typed_day(args.get("since")) or today - timedelta(days=29)
        until = typed_day(args.get("until")) or today
        if since > until:
            since, until = until, since
        return cls(since, until)

    def query(self) -> FindingQuery:
        return FindingQuery(since=parse_local_date(self.since.isoformat()),
                            until=parse_local_date(self.until.isoformat(), end_of_day=True))

    def args(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat()}


@dataclass
class Report:
    range: ReportRange
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    total: int = 0


def primary_department(lead: str) -> str:
    """The lead department named first in a rule's lead text: "市金融局; ads also 市工商局" is
    counted for 市金融局 (the department the plan makes responsible first)."""
    first = re.split(r"[;；,，]", lead or "", maxsplit=1)[0].strip()
    return first or "（未填）"


def merge_by_department(counts: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for lead, n in counts.items():
        key = primary_department(lead)
        merged[key] = merged.get(key, 0) + n
    return merged


def build_report(store: Store, rng: ReportRange) -> Report:
    report = Report(range=rng)
    query = rng.query()
    for dim in DIMENSIONS:
        counts = store.count_findings(query, by=dim)
        if dim == "lead":
            counts = merge_by_department(counts)
        report.counts[dim] = counts
    report.total = sum(report.counts["status"].values())
    return report


def iter_findings(store: Store, rng: ReportRange, limit: int) -> list[FindingRecord]:
    """Up to `limit` findings of the range, newest first, page by page."""
    out: list[FindingRecord] = []
    query = replace(rng.query(), sort="newest", limit=500)
    while len(out) < limit:
        page = store.query_findings(query)
        out.extend(page.items)
        if not page.next_cursor:
            break
        query = replace(query, cursor=page.next_cursor)
    return out[:limit]
