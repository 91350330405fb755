"""Records <-> SQLite rows, and FindingQuery -> SQL (filters, full text, keyset order)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields
from typing import Any

from .. import cursor as cursors
from ..base import FindingQuery
from ..model import FindingRecord, PageRecord, dated_at
from ..textindex import query_groups
from ..validate import scrub
from .schema import SEVERITY_WEIGHT, stamp

FINDING_FIELDS = [f.name for f in fields(FindingRecord)]
FINDING_COLUMNS = [*FINDING_FIELDS, "sev_weight", "dated_at"]
PAGE_FIELDS = [f.name for f in fields(PageRecord)]

INSERT_FINDING = (
    "INSERT INTO findings ({}) VALUES ({})".format(
        ", ".join(f'"{c}"' for c in FINDING_COLUMNS), ", ".join("?" * len(FINDING_COLUMNS))))
INSERT_PAGE = (
    "INSERT INTO pages ({}) VALUES ({})".format(
        ", ".join(f'"{c}"' for c in PAGE_FIELDS), ", ".join("?" * len(PAGE_FIELDS))))
UPDATE_PAGE = "UPDATE pages SET {} WHERE id = ?".format(
    ", ".join(f'"{c}" = ?' for c in PAGE_FIELDS if c != "id"))

# FindingQuery list field -> column
LIST_FILTERS = (("rules", "rule"), ("severities", "severity"), ("statuses", "status"),
                ("leads", "lead"), ("domains", "domain"), ("targets", "target"),
                ("kinds", "kind"), ("platforms", "platform"),
                ("forwarded_to", "forwarded_to"))

GROUPS = {
    "rule": "rule", "severity": "severity", "status": "status", "lead": "lead",
    "domain": "domain", "target": "target", "platform": "platform",
    # day and week of the finding's date (dated_at: a post's posting time, else first_seen)
    # in the store's time zone ({tz}, a quoted zone name); a week is named by its Monday.
    # patrol_day/patrol_week: see db.py.
    "day": "patrol_day(dated_at, {tz})",
    "week": "patrol_week(dated_at, {tz})",
}


def group_expression(by: str, time_zone: str) -> str:
    """The SQL that groups findings `by` one of GROUPS, days and weeks in `time_zone`."""
    return GROUPS[by].format(tz="'" + time_zone.replace("'", "''") + "'")


def dumps(value: Any) -> str:
    return json.dumps(scrub(value), ensure_ascii=False, default=str, separators=(",", ":"))


def finding_row(f: FindingRecord) -> list[Any]:
    seen = f.first_seen or f.captured_at
    dated = dated_at(f)
    values = {
        **{name: getattr(f, name) for name in FINDING_FIELDS},
        "captured_at": stamp(f.captured_at), "first_seen": stamp(seen),
        "last_seen": stamp(f.last_seen or f.captured_at), "gone_at": stamp(f.gone_at),
        "posted_at": stamp(dated) if f.posted_at else None, "dated_at": stamp(dated),
        "extra": dumps(f.extra or {}),
        "sev_weight": SEVERITY_WEIGHT.get(f.severity, 0),
    }
    return scrub([values[c] for c in FINDING_COLUMNS])


def finding_from_row(row: sqlite3.Row) -> FindingRecord:
    data = {k: row[k] for k in row.keys() if k in FINDING_FIELDS}
    data["extra"] = json.loads(data.get("extra") or "{}")
    return FindingRecord.from_dict(data)


def page_values(p: PageRecord) -> dict[str, Any]:
    values = {name: getattr(p, name) for name in PAGE_FIELDS}
    values["captured_at"] = stamp(p.captured_at)
    values["rendered"] = int(bool(p.rendered))
    values["evidence"] = dumps(p.evidence or [])
    return scrub(values)


def page_from_row(row: sqlite3.Row) -> PageRecord:
    data = {k: row[k] for k in row.keys() if k in PAGE_FIELDS}
    data["rendered"] = bool(data.get("rendered"))
    data["evidence"] = json.loads(data.get("evidence") or "[]")
    return PageRecord.from_dict(data)


def fts_match(text: str) -> str | None:
    """FTS5 expression: every query word must match as a token, or as all of its parts."""
    clauses = []
    for word, *parts in query_groups(text):
        quoted = f'"{word}"'
        if parts:
            quoted = "({} OR ({}))".format(quoted, " AND ".join(f'"{p}"' for p in parts))
        clauses.append(quoted)
    return " AND ".join(clauses) if clauses else None


def where_clause(q: FindingQuery) -> tuple[list[str], list[Any]]:
    """SQL conditions and parameters of the query's filters (not the cursor)."""
    conds: list[str] = []
    params: list[Any] = []
    for attr, column in LIST_FILTERS:
        values = [v for v in getattr(q, attr) or [] if v is not None]
        if values:
            conds.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if q.source:
        conds.append("source = ?")
        params.append(q.source)
    if q.since:
        conds.append("last_seen >= ?")
        params.append(stamp(q.since))
    if q.until:
        conds.append("last_seen < ?")
        params.append(stamp(q.until))
    if q.dated_since:
        conds.append("dated_at >= ?")
        params.append(stamp(q.dated_since))
    if not q.include_gone:
        conds.append("gone_at IS NULL")
    if q.text and q.text.strip():
        match = fts_match(q.text)
        if match:
            conds.append("seq IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH ?)")
            params.append(match)
        else:  # a query of punctuation only matches nothing, rather than everything
            conds.append("0")
    return conds, params


def order_and_cursor(q: FindingQuery) -> tuple[str, str | None, list[Any]]:
    """ORDER BY clause, the keyset condition after the cursor, and its parameters."""
    sort = cursors.check_sort(q.sort)
    if sort == "severity":
        order = "sev_weight DESC, last_seen DESC, id DESC"
        if q.cursor:
            weight, last_seen, fid = cursors.decode(sort, q.cursor)
            return order, "(sev_weight, last_seen, id) < (?, ?, ?)", [weight, last_seen, fid]
        return order, None, []
    order = "last_seen DESC, id DESC"
    if q.cursor:
        last_seen, fid = cursors.decode(sort, q.cursor)
        return order, "(last_seen, id) < (?, ?)", [last_seen, fid]
    return order, None, []


def cursor_after(q: FindingQuery, row: sqlite3.Row) -> str:
    if q.sort == "severity":
        return cursors.encode("severity", [row["sev_weight"], row["last_seen"], row["id"]])
    return cursors.encode("newest", [row["last_seen"], row["id"]])
