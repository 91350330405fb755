"""Index definitions: explicit, versioned mappings, one index template per version.

Chinese text is never analysed on the cluster: the store indexes jieba tokens, space-joined,
into a `tokens` field with the built-in `whitespace` analyzer (no plugin needed). Findings keep
their (short) tokens in `_source`, because a partial update (last_seen, status, gone_at)
re-indexes a document from `_source`; pages are only ever written whole, so their (long) tokens
stay out of `_source`. Ids, rules, departments, status and domains are keywords. Text that is
only displayed (evidence, context, page text) is kept in `_source` and not indexed, and objects
whose keys come from crawled content (`extra`, `payload`, `stats`) are not mapped at all, so
hostile input cannot grow the mapping.

To change a mapping, bump that index's version here: `migrate()` creates the new index from its
template, reindexes the old one into it and swaps the alias, with no outage for readers.
"""

from __future__ import annotations

from typing import Any

KEYWORD = {"type": "keyword", "ignore_above": 4096}
STORED = {"type": "keyword", "index": False, "doc_values": False}  # in _source only
TIME = {"type": "date_nanos"}
INT = {"type": "integer"}
FLOAT = {"type": "double"}
OPAQUE = {"type": "object", "enabled": False}
LONG_STORED = {"type": "long", "index": False}
TOKENS = {"type": "text", "analyzer": "whitespace", "norms": True}


def _mapping(properties: dict[str, Any], tokens: str = "") -> dict[str, Any]:
    """tokens: "" none, "kept" in _source, "excluded" from _source (indexed only)."""
    mapping: dict[str, Any] = {"dynamic": "strict", "properties": dict(properties)}
    if tokens:
        mapping["properties"]["tokens"] = TOKENS
    if tokens == "excluded":
        mapping["_source"] = {"excludes": ["tokens"]}
    return mapping


FINDINGS = _mapping({
    "id": KEYWORD, "rule": KEYWORD, "severity": KEYWORD, "sev_weight": INT,
    "evidence": STORED, "start": INT, "end": INT, "clause": KEYWORD, "lead": KEYWORD,
    "source": KEYWORD, "captured_at": TIME, "rule_name": KEYWORD, "annual_rate": FLOAT,
    "normalized": STORED, "context": STORED, "context_start": INT, "content_hash": KEYWORD,
    "domain": KEYWORD, "target": KEYWORD, "kind": KEYWORD, "page_id": KEYWORD,
    "run_id": KEYWORD, "platform": KEYWORD, "sentiment": FLOAT, "operator": KEYWORD,
    "first_seen": TIME, "last_seen": TIME, "gone_at": TIME, "status": KEYWORD,
    "forwarded_to": KEYWORD, "extra": OPAQUE,
    "warc_file": KEYWORD, "warc_offset": LONG_STORED, "warc_length": LONG_STORED,
    "posted_at": TIME, "dated_at": TIME,   # dated_at: posted_at, else first_seen (docs.py)
}, tokens="kept")

PAGES = _mapping({
    "id": KEYWORD, "url": KEYWORD, "captured_at": TIME, "final_url": STORED, "status": INT,
    "title": STORED, "text": STORED, "operator": KEYWORD, "content_hash": KEYWORD,
    "domain": KEYWORD, "target": KEYWORD, "run_id": KEYWORD, "rendered": {"type": "boolean"},
    "evidence": OPAQUE,
    "warc_file": KEYWORD, "warc_offset": LONG_STORED, "warc_length": LONG_STORED,
}, tokens="excluded")

DECISIONS = _mapping({
    "finding_id": KEYWORD, "decision": KEYWORD, "by": KEYWORD, "at": TIME, "note": STORED,
    "to": KEYWORD, "seq": {"type": "long"},
})

RUNS = _mapping({
    "id": KEYWORD, "target": KEYWORD, "started_at": TIME, "ended_at": TIME, "status": KEYWORD,
    "trigger": KEYWORD, "exit_code": INT, "pages": INT, "findings": INT, "stats": OPAQUE,
    "errors": OPAQUE, "log_path": STORED,
})

ALERTS = _mapping({
    "id": KEYWORD, "key": KEYWORD, "kind": KEYWORD, "department": KEYWORD, "channel": KEYWORD,
    "subject": STORED, "body": STORED, "created_at": TIME, "payload": OPAQUE,
    "finding_ids": KEYWORD, "status": KEYWORD, "attempts": INT, "next_attempt_at": TIME,
    "last_error": STORED, "sent_at": TIME, "attempt_log": OPAQUE,
})

LOCKS = _mapping({"name": KEYWORD, "owner": KEYWORD, "expires_at": FLOAT})

# index name -> (version, mapping)
INDEXES: dict[str, tuple[int, dict[str, Any]]] = {
    "findings": (3, FINDINGS),   # 2: warc_file, warc_offset, warc_length; 3: posted_at, dated_at
    "pages": (2, PAGES),         # 2: warc_file, warc_offset, warc_length
    "decisions": (1, DECISIONS),
    "runs": (1, RUNS),
    "alerts": (1, ALERTS),
    "locks": (1, LOCKS),
}

SETTINGS = {
    "number_of_shards": 1,
    # one copy on a single node, two as soon as there is a second node
    "auto_expand_replicas": "0-1",
    "refresh_interval": "1s",
}


def alias(prefix: str, name: str) -> str:
    return f"{prefix}-{name}"


def versioned(prefix: str, name: str, version: int) -> str:
    return f"{prefix}-{name}-v{version}"
