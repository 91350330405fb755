"""What the store knows: findings, pages, patrol runs, decisions, alerts in the outbox.

Plain dataclasses with no behaviour beyond (de)serialisation, shared by both backends and by
every caller (crawler, alerts, scheduler, console). Times are timezone-aware UTC datetimes in
Python and ISO-8601 strings ("2026-11-27T02:30:00.123456+00:00") in storage.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from common.vocabulary import (  # noqa: F401  (the store's names for them)
    ALERT_STATUSES,
    DECISIONS,
    RUN_STATUSES,
    SEVERITIES,
)
from common.vocabulary import FINDING_STATUSES as STATUSES  # noqa: F401


def status_after(decision: str) -> str:
    """The finding's review status once `decision` is recorded (a reopened finding is new)."""
    return "new" if decision == "reopened" else decision


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def from_iso(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def finding_id(source: str, rule: str, normalized_evidence: str) -> str:
    """Deterministic id: the same violation on the same source is one finding forever."""
    raw = "\x1f".join((source, rule, normalized_evidence)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:24]


def page_id(run_id: str, url: str) -> str:
    """One page record per URL per patrol run: a URL fetched twice in one run (a distributed
    run's request returned to the frontier when its lease ran out, fetched again by a second
    worker while the first had in fact stored it) is the same record, written again."""
    return hashlib.sha256(f"{run_id}\x1f{url}".encode()).hexdigest()[:24]


def alert_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class _Record:
    """(De)serialisation shared by the records: datetimes <-> ISO strings."""

    _times: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in self._times:
            data[name] = to_iso(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        for name in cls._times:
            if name in kwargs:
                kwargs[name] = from_iso(kwargs[name])
        return cls(**kwargs)


@dataclass
class FindingRecord(_Record):
    """One rule hit on one source, with its lifecycle and review status."""

    id: str
    rule: str
    severity: str
    evidence: str            # the exact words in the source text
    start: int               # offsets into the source text as given
    end: int
    clause: str
    lead: str                # lead department of the rule (rules.md "lead")
    source: str              # URL, or a record id such as "enterprise:NAME" / "site:HOST"
    captured_at: datetime
    rule_name: str = ""
    annual_rate: float | None = None
    normalized: str = ""     # normalized evidence (part of the id)
    context: str = ""        # source text around the evidence, for display and alerts
    context_start: int = 0   # offset of `context` in the source text
    content_hash: str = ""   # SHA-256 of the page body the finding came from
    domain: str = ""
    target: str = ""
    kind: str = "page"       # ad, page, post, news, notice, enterprise, site
    page_id: str | None = None
    run_id: str | None = None
    platform: str | None = None   # public_risk: the platform the post is about
    sentiment: float | None = None
    operator: str | None = None   # the site's operator, when known
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    gone_at: datetime | None = None
    status: str = "new"
    forwarded_to: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The WARC capture the finding was first seen in: file (evidence/...), byte offset and
    # length of its records. Kept like page_id: a later sighting does not move it.
    warc_file: str = ""
    warc_offset: int | None = None
    warc_length: int | None = None
    # A forum post: when the post says it was written (common/posttime.py), if readable. The
    # store keeps it no later than first_seen: a post is not written after we saw it.
    posted_at: datetime | None = None

    _times = ("captured_at", "first_seen", "last_seen", "gone_at", "posted_at")


def dated_at(f: FindingRecord) -> datetime:
    """When a finding happened, for counting it over time (spikes, day and week counts): a
    post's posting time when known, else when it was first seen. An old post found on a first
    patrol is dated years back, not today."""
    seen = f.first_seen or f.captured_at
    return min(f.posted_at, seen) if f.posted_at else seen


@dataclass
class EvidenceFile(_Record):
    kind: str                # warc (a capture), screenshot; before WARC: body, rendered, metadata
    path: str                # relative to the data home, under evidence/
    sha256: str              # warc: of the decoded body; others: of the file
    bytes: int = 0


@dataclass
class PageRecord(_Record):
    """One URL as one patrol run fetched it (the id: page_id of run and URL)."""

    id: str
    url: str
    captured_at: datetime
    final_url: str = ""
    status: int = 0
    title: str = ""
    text: str = ""
    operator: str | None = None
    content_hash: str = ""
    domain: str = ""
    target: str = ""
    run_id: str | None = None
    rendered: bool = False
    evidence: list[dict[str, Any]] = field(default_factory=list)  # EvidenceFile.to_dict()s
    warc_file: str = ""              # the page's WARC capture: file, offset, length
    warc_offset: int | None = None
    warc_length: int | None = None

    _times = ("captured_at",)


@dataclass
class PatrolRun(_Record):
    id: str
    target: str
    started_at: datetime
    ended_at: datetime | None = None
    status: str = "running"
    trigger: str = "manual"  # manual, schedule, demo
    exit_code: int | None = None
    pages: int = 0
    findings: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)   # error kind -> count
    log_path: str | None = None

    _times = ("started_at", "ended_at")


@dataclass
class Decision(_Record):
    """An officer's review of a finding; the audit log is append-only."""

    finding_id: str
    decision: str            # confirmed, dismissed, forwarded, reopened
    by: str
    at: datetime
    note: str = ""
    to: str | None = None    # department, for forwarded

    _times = ("at",)


@dataclass
class AlertRecord(_Record):
    """A message to a department on one channel, held in the durable outbox."""

    id: str                  # alert_id(key)
    key: str                 # idempotency key: finding id + department + kind (+ channel)
    kind: str                # finding, digest, spike, support, test
    department: str
    channel: str
    subject: str
    body: str
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    finding_ids: list[str] = field(default_factory=list)
    status: str = "pending"  # pending, sent, dead
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    attempt_log: list[dict[str, Any]] = field(default_factory=list)

    _times = ("created_at", "next_attempt_at", "sent_at")
