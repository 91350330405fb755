"""The store on an Elasticsearch 8.x or OpenSearch 2.x/3.x cluster (detected from the URL)."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import cursor as cursors
from ..base import DecisionConflict, FindingPage, FindingQuery, PageHit, Store
from ..model import Decision, FindingRecord, PageRecord, status_after
from ..textindex import snippet
from ..validate import check_decision
from . import docs as D
from .bulk import pipelined_bulk, run_bulk
from .clients import ClusterUnavailable, Conflict
from .connection import ClusterLink, quote
from .indices import scroll_all
from .records import RunsOutboxLocks

log = logging.getLogger(__name__)
MAX_LIMIT = 1000

class ClusterStore(RunsOutboxLocks, ClusterLink, Store):
    """Findings, pages, runs, decisions, the outbox and locks in versioned, aliased indexes."""

    def __init__(self, url: str, spool_path: str | Path, **options: Any) -> None:
        self._init_link(url, Path(spool_path), **options)
        self._appliers.update({
            "upsert_findings": self._apply_upsert, "save_page": self._apply_page,
            "mark_gone": self._apply_mark_gone, "save_run": self._apply_run,
            "enqueue_alert": self._apply_enqueue, "update_alert": self._apply_update_alert,
        })

    def __repr__(self) -> str:
        return f"ClusterStore({self.url!r}, prefix={self.prefix!r})"

    def close(self) -> None:
        self.close_link()

    # -- pages ---------------------------------------------------------------------------------
    def save_page(self, page: PageRecord) -> None:
        self._submit("save_page", D.page_doc(page), offline=lambda: None, touches=("pages",))

    def _apply_page(self, doc: dict[str, Any]) -> None:
        self._write_docs("pages", [({"index": {"_index": self.index("pages"), "_id": doc["id"]}},
                                    doc)])

    def previous_hash(self, url: str) -> str | None:
        """None also while the cluster is away: the page then counts as changed."""
        try:
            res = self._search("pages", {"size": 1, "query": {"term": {"url": url}},
                                         "sort": [{"captured_at": "desc"}],
                                         "_source": ["content_hash"]})
        except ClusterUnavailable:
            return None
        hits = res["hits"]["hits"]
        return hits[0]["_source"].get("content_hash") if hits else None

    def get_page(self, page_id: str) -> PageRecord | None:
        doc = self._get("pages", page_id)
        return PageRecord.from_dict(doc["_source"]) if doc else None

    def search_pages(self, text: str, limit: int = 20) -> list[PageHit]:
        clauses = D.text_query(text or "")
        if not clauses:
            return []
        res = self._search("pages", {
            "size": max(1, min(limit, MAX_LIMIT)), "query": {"bool": {"must": clauses}},
            "sort": ["_score", {"captured_at": "desc"}]})
        hits = []
        for h in res["hits"]["hits"]:
            page = PageRecord.from_dict(h["_source"])
            hits.append(PageHit(page=page, snippet=snippet(page.text, text)))
        return hits

    # -- findings ------------------------------------------------------------------------------
    def upsert_findings(self, findings: list[FindingRecord]) -> list[bool]:
        if not findings:
            return []
        # Records go to the applier as they are (documents are made inside the pipeline,
        # overlapping the cluster's work); the spool stores them as documents.
        payload = list(findings)

        def offline() -> list[bool]:  # unknown while away; the outbox key keeps alerts single
            seen: set[str] = set()
            flags = []
            for f in findings:
                flags.append(f.id not in seen)
                seen.add(f.id)
            return flags

        return self._submit("upsert_findings", payload, offline=offline, touches=("findings",))

    def _apply_upsert(self, sources: list[Any]) -> list[bool]:
        """Create each finding; a 409 means it is known: then only last_seen and gone_at
        change, so status and first_seen stay as they are on the cluster."""
        index = self.index("findings")

        made: list[dict[str, Any]] = []

        def creates(chunk: list[Any]) -> list:
            docs = [D.with_tokens(D.finding_source(f) if isinstance(f, FindingRecord)
                                  else dict(f)) for f in chunk]
            made.extend(docs)
            return [({"create": {"_index": index, "_id": d["id"]}}, d) for d in docs]

        outcomes = pipelined_bulk(self.client, sources, creates, self.bulk_size)
        sources = made
        seen: dict[str, str] = {}
        for s, o in zip(sources, outcomes, strict=True):
            if o.rejected:
                self._reject("findings", s, "create", o.error)
            elif o.conflict:
                seen[s["id"]] = max(seen.get(s["id"], ""), s["last_seen"])
        if seen:
            self._seen_again(seen)
        return [o.ok for o in outcomes]

    def _seen_again(self, seen: dict[str, str]) -> None:
        """Move last_seen forward and clear gone_at of known findings. A partial update guarded
        by if_seq_no (no script: works on clusters without painless), retried when a
        concurrent writer changed the document in between."""
        index = self.index("findings")
        for _attempt in range(8):
            docs = self.client.request("POST", f"/{index}/_mget",
                                       params={"_source_includes": "last_seen,gone_at"},
                                       body={"ids": list(seen)})["docs"]
            ops = []
            for doc in docs:
                if not doc.get("found"):
                    continue
                current = doc["_source"]
                last_seen = max(current.get("last_seen") or "", seen[doc["_id"]])
                if last_seen == current.get("last_seen") and current.get("gone_at") is None:
                    continue  # nothing changes: no write
                ops.append(({"update": {"_index": index, "_id": doc["_id"],
                                        "if_seq_no": doc["_seq_no"],
                                        "if_primary_term": doc["_primary_term"]}},
                            {"doc": {"last_seen": last_seen, "gone_at": None}}))
            if not ops:
                return
            retry: dict[str, str] = {}
            for (action, _doc), o in zip(ops, run_bulk(self.client, ops, self.bulk_size),
                                         strict=True):
                doc_id = action["update"]["_id"]
                if o.conflict:
                    retry[doc_id] = seen[doc_id]
                elif o.rejected:
                    self._reject("findings", {"id": doc_id}, "update", o.error)
            if not retry:
                return
            seen = retry
        log.error("could not update %d findings after repeated conflicts", len(seen))

    def _write_docs(self, name: str, ops: list) -> None:
        for (action, doc), o in zip(ops, run_bulk(self.client, ops, self.bulk_size), strict=True):
            if o.rejected:  # a conflict on create means it is there already
                self._reject(name, doc, next(iter(action)), o.error)

    def _reject(self, name: str, doc: dict[str, Any], op: str, error: Any) -> None:
        log.error("cluster rejected %s document %s: %s", name, doc.get("id"), error)
        self.spool.reject(self.index(name), doc.get("id"), op, error,
                          {k: v for k, v in doc.items() if k != "tokens"})

    def mark_gone(self, source: str, present_ids: set[str], at: datetime) -> int:
        payload = {"source": source, "present": sorted(present_ids), "at": D.stamp(at)}
        return self._submit("mark_gone", payload, offline=lambda: 0, touches=("findings",))

    def _apply_mark_gone(self, p: dict[str, Any]) -> int:
        """Search, then update each hit guarded by if_seq_no (no update_by_query: works on
        clusters without the reindex module). A finding seen again meanwhile is left alone."""
        index = self.index("findings")
        self._fresh("findings")
        query = {"bool": {"filter": [{"term": {"source": p["source"]}}],
                          "must_not": [{"exists": {"field": "gone_at"}},
                                       {"ids": {"values": p["present"]}}]}}
        marked = 0
        for hits in scroll_all(self.client, index, 500, query=query, seq_no=True):
            ops = [({"update": {"_index": index, "_id": h["_id"], "if_seq_no": h["_seq_no"],
                                "if_primary_term": h["_primary_term"]}},
                    {"doc": {"gone_at": p["at"]}}) for h in hits]
            marked += sum(o.ok for o in run_bulk(self.client, ops, self.bulk_size))
        return marked

    def get_finding(self, finding_id: str) -> FindingRecord | None:
        doc = self._get("findings", finding_id, {"_source_excludes": "tokens"})
        return D.finding_from_doc(doc["_source"]) if doc else None

    def query_findings(self, query: FindingQuery) -> FindingPage:
        limit = max(1, min(int(query.limit or 50), MAX_LIMIT))
        body: dict[str, Any] = {
            "size": limit + 1, "query": D.finding_filter(query),
            "sort": D.sort_clause(query.sort),
            "track_total_hits": query.cursor is None,
            "_source": {"excludes": ["tokens"]},
        }
        if query.cursor:
            body["search_after"] = cursors.decode(query.sort, query.cursor)
        res = self._search("findings", body)
        hits = res["hits"]["hits"]
        more = len(hits) > limit
        hits = hits[:limit]
        next_cursor = cursors.encode(query.sort, hits[-1]["sort"]) if more and hits else None
        total = res["hits"]["total"]["value"] if query.cursor is None else None
        return FindingPage(items=[D.finding_from_doc(h["_source"]) for h in hits],
                           next_cursor=next_cursor, total=total)

    def count_findings(self, query: FindingQuery, by: str) -> dict[str, int]:
        aggregation = D.count_aggregation(by, self.time_zone)
        res = self._search("findings", {"size": 0, "query": D.finding_filter(query),
                                        "aggs": {"by": aggregation}})
        buckets = res["aggregations"]["by"]["buckets"]
        key = "key_as_string" if by in ("day", "week") else "key"
        return {str(b[key]): int(b["doc_count"]) for b in buckets}

    # -- review --------------------------------------------------------------------------------
    def review(self, decision: Decision, expect_status: str | None = None) -> FindingRecord:
        check_decision(decision)
        change: dict[str, Any] = {"status": status_after(decision.decision)}
        if decision.decision in ("forwarded", "reopened"):
            change["forwarded_to"] = decision.to
        self._set_status(decision.finding_id, change, expect_status)
        # The status changed first: a decision that lost the race leaves no audit entry.
        doc = D.stamped(decision)
        doc["seq"] = time.time_ns()
        self._write_docs("decisions", [({"create": {"_index": self.index("decisions"),
                                                    "_id": D.decision_id(doc)}}, doc)])
        self._dirty.update(("findings", "decisions"))
        record = self.get_finding(decision.finding_id)
        assert record is not None
        return record

    def _set_status(self, finding_id: str, change: dict[str, Any],
                    expect_status: str | None) -> None:
        """Partial update of the finding; with `expect_status`, a compare-and-set on the
        document's sequence number, retried while only other fields (last_seen) moved."""
        path = f"/{self.index('findings')}/_update/{quote(finding_id)}"
        for _ in range(20):
            current = self._get("findings", finding_id)
            if current is None:
                raise KeyError(f"no finding {finding_id}")
            if expect_status is None:
                self.client.request("POST", path, params={"retry_on_conflict": "5"},
                                    body={"doc": change})
                return
            status = current["_source"].get("status", "new")
            if status != expect_status:
                raise DecisionConflict(finding_id, status)
            try:
                self.client.request("POST", path, body={"doc": change}, params={
                    "if_seq_no": current["_seq_no"],
                    "if_primary_term": current["_primary_term"]})
                return
            except Conflict:
                continue  # someone wrote the document: read its status again
        raise DecisionConflict(finding_id, "busy")

    def decisions(self, finding_id: str) -> list[Decision]:
        res = self._search("decisions", {"size": 10_000,
                                         "query": {"term": {"finding_id": finding_id}},
                                         "sort": [{"seq": "asc"}]})
        return [Decision.from_dict(h["_source"]) for h in res["hits"]["hits"]]

    # -- administration (patrol store stats / sync) --------------------------------------------
    def stats(self) -> dict[str, Any]:
        def count(name: str, query: dict[str, Any] | None = None) -> int:
            return int(self._search(name, {"size": 0, "track_total_hits": True,
                                           "query": query or {"match_all": {}}}
                                    )["hits"]["total"]["value"])

        def grouped(name: str, field: str) -> dict[str, int]:
            res = self._search(name, {"size": 0, "aggs": {"by": {"terms": {
                "field": field, "size": 1000, "order": [{"_count": "desc"}, {"_key": "asc"}]}}}})
            return {b["key"]: b["doc_count"] for b in res["aggregations"]["by"]["buckets"]}

        return {
            "backend": self.kind, "url": self.url,
            "findings": count("findings"),
            "by_status": grouped("findings", "status"),
            "by_rule": grouped("findings", "rule"),
            "live": count("findings", {"bool": {"must_not": [{"exists": {"field": "gone_at"}}]}}),
            "pages": count("pages"), "runs": count("runs"), "decisions": count("decisions"),
            "alerts": grouped("alerts", "status"),
            "index_prefix": self.prefix,
            "spool_pending": self.pending(),
            "rejected": self.spool.rejected_count(),
        }

    def load(self, kind: str, records: list[Any]) -> None:
        """Write records as they are, overwriting (`patrol store sync` from SQLite): unlike
        upsert_findings, status, first_seen and gone_at come from the source. Pipelined:
        documents are made while the previous chunk is indexed."""
        index = self.index(kind)

        def op(record: Any) -> tuple[dict[str, Any], dict[str, Any]]:
            if kind == "findings":
                doc = D.finding_doc(record)
            elif kind == "pages":
                doc = D.page_doc(record)
            elif kind == "decisions":
                decision, seq = record
                doc = D.stamped(decision)
                doc["seq"] = int(decision.at.timestamp() * 1_000_000) * 1000 + seq % 1000
                return {"index": {"_index": index, "_id": D.decision_id(doc)}}, doc
            else:
                doc = D.stamped(record)
            return {"index": {"_index": index, "_id": doc["id"]}}, doc

        made: list = []

        def ops(chunk: list[Any]) -> list:
            chunk_ops = [op(r) for r in chunk]
            made.extend(chunk_ops)
            return chunk_ops

        outcomes = pipelined_bulk(self.client, records, ops, self.bulk_size)
        for (action, doc), o in zip(made, outcomes, strict=True):
            if o.rejected:
                self._reject(kind, doc, next(iter(action)), o.error)
        self._dirty.add(kind)

    def rebuild_search_index(self, batch: int = 500) -> int:
        """Segment every finding and page again (after the segmentation changed): a partial
        update of each document's tokens."""
        done = 0
        for name, retokenize in (("findings", D.with_tokens), ("pages", D.RETOKENIZE["pages"])):
            self._fresh(name)
            for hits in scroll_all(self.client, self.index(name), batch):
                ops = [({"update": {"_index": self.index(name), "_id": h["_id"]}},
                        {"doc": {"tokens": retokenize(dict(h["_source"]))["tokens"]}})
                       for h in hits]
                self._write_docs(name, ops)
                done += len(ops)
            self._dirty.add(name)
        return done
