"""Records <-> cluster documents, and FindingQuery -> query DSL (shared by both clients)."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

from .. import cursor as cursors
from ..base import FindingQuery
from ..model import FindingRecord, PageRecord, dated_at
from ..sqlite.schema import SEVERITY_WEIGHT, stamp
from ..textindex import index_tokens, query_groups
from ..validate import scrub

LIST_FILTERS = (("rules", "rule"), ("severities", "severity"), ("statuses", "status"),
                ("leads", "lead"), ("domains", "domain"), ("targets", "target"),
                ("kinds", "kind"), ("platforms", "platform"),
                ("forwarded_to", "forwarded_to"))
TERMS_GROUPS = ("rule", "severity", "status", "lead", "domain", "target", "platform")
# Page text beyond this many characters is stored but not indexed (as on SQLite).
INDEX_TEXT_CHARS = 300_000


def _stamp_times(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for name in names:
        data[name] = stamp(data.get(name))
    return data


FINDING_FIELDS = tuple(f.name for f in fields(FindingRecord))


def finding_source(f: FindingRecord) -> dict[str, Any]:
    """The finding's document without its search tokens (what the spool keeps). Built field
    by field: dataclasses.asdict deep-copies and costs more than the rest of a bulk write."""
    data = {name: getattr(f, name) for name in FINDING_FIELDS}
    data["extra"] = dict(f.extra or {})
    data["captured_at"] = stamp(f.captured_at)
    data["first_seen"] = stamp(f.first_seen) or data["captured_at"]
    data["last_seen"] = stamp(f.last_seen) or data["captured_at"]
    data["gone_at"] = stamp(f.gone_at)
    dated = stamp(dated_at(f))
    data["posted_at"] = dated if f.posted_at else None
    data["dated_at"] = dated
    data["sev_weight"] = SEVERITY_WEIGHT.get(f.severity, 0)
    return data  # not scrubbed here: bulk.encode does it when needed, at no cost otherwise


def with_tokens(source: dict[str, Any]) -> dict[str, Any]:
    source["tokens"] = index_tokens(source.get("evidence"), source.get("context"),
                                    source.get("platform"), source.get("operator"))
    return source


def finding_doc(f: FindingRecord) -> dict[str, Any]:
    return with_tokens(finding_source(f))


def finding_from_doc(source: dict[str, Any]) -> FindingRecord:
    return FindingRecord.from_dict(source)


def page_doc(p: PageRecord) -> dict[str, Any]:
    data = scrub(_stamp_times(p.to_dict(), PageRecord._times))
    data["tokens"] = index_tokens(p.title, (p.text or "")[:INDEX_TEXT_CHARS])
    return data


def stamped(record: Any) -> dict[str, Any]:
    """A record's dict with its times in the stored (sortable) form."""
    return scrub(_stamp_times(record.to_dict(), type(record)._times))


def decision_id(doc: dict[str, Any]) -> str:
    """Deterministic id of a decision document, so a replayed or synced one is not doubled."""
    raw = "\x1f".join(str(doc.get(k)) for k in ("finding_id", "decision", "by", "at", "note",
                                                 "to"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def text_query(text: str) -> list[dict[str, Any]] | None:
    """One clause per query word: the word as a token, or all of its parts as tokens."""
    clauses: list[dict[str, Any]] = []
    for word, *parts in query_groups(text):
        clause: dict[str, Any] = {"term": {"tokens": word}}
        if parts:
            clause = {"bool": {"minimum_should_match": 1, "should": [
                clause, {"bool": {"filter": [{"term": {"tokens": p}} for p in parts]}}]}}
        clauses.append(clause)
    return clauses or None


def finding_filter(q: FindingQuery) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for attr, field in LIST_FILTERS:
        values = [v for v in getattr(q, attr) or [] if v is not None]
        if values:
            filters.append({"terms": {field: values}})
    if q.source:
        filters.append({"term": {"source": q.source}})
    if q.since or q.until:
        bounds: dict[str, Any] = {}
        if q.since:
            bounds["gte"] = stamp(q.since)
        if q.until:
            bounds["lt"] = stamp(q.until)
        filters.append({"range": {"last_seen": bounds}})
    if q.dated_since:
        filters.append({"range": {"dated_at": {"gte": stamp(q.dated_since)}}})
    if not q.include_gone:
        must_not.append({"exists": {"field": "gone_at"}})
    if q.text and q.text.strip():
        clauses = text_query(q.text)
        if clauses is None:  # punctuation only: nothing, as on SQLite
            must_not.append({"match_all": {}})
        else:
            filters.extend(clauses)
    return {"bool": {"filter": filters, "must_not": must_not}}


def sort_clause(sort: str) -> list[dict[str, str]]:
    cursors.check_sort(sort)
    order = [{"last_seen": "desc"}, {"id": "desc"}]
    return [{"sev_weight": "desc"}, *order] if sort == "severity" else order


def count_aggregation(by: str, time_zone: str) -> dict[str, Any]:
    if by in TERMS_GROUPS:
        return {"terms": {"field": by, "size": 10_000,
                          "order": [{"_count": "desc"}, {"_key": "asc"}]}}
    if by in ("day", "week"):
        return {"date_histogram": {"field": "dated_at", "calendar_interval": by,
                                   "format": "yyyy-MM-dd", "time_zone": time_zone,
                                   "min_doc_count": 1}}
    raise ValueError(f"cannot count by {by!r}; expected one of "
                     f"{', '.join((*TERMS_GROUPS, 'day', 'week'))}")


def _retokenize_page(source: dict[str, Any]) -> dict[str, Any]:
    text = (source.get("text") or "")[:INDEX_TEXT_CHARS]
    return {**source, "tokens": index_tokens(source.get("title"), text)}


def _date_finding(source: dict[str, Any]) -> dict[str, Any]:
    """A finding written before mapping version 3 has no dated_at: its first_seen."""
    return {**source, "dated_at": source.get("dated_at") or source.get("first_seen")}


# How a document is copied into a new index version (reindex): pages rebuild their `tokens`
# (not in _source), findings get the dated_at they may lack.
RETOKENIZE = {"pages": _retokenize_page, "findings": _date_finding}
