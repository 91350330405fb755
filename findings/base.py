"""The store interface: one contract, two backends (SQLite embedded, Elasticsearch/OpenSearch).

Callers (crawler pipelines, alerts, scheduler, console, commands) use only this interface and
`findings.open_store`. Both backends pass the same contract tests (tests/store/).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from common.timefmt import DEFAULT_TIME_ZONE

from .model import AlertRecord, Decision, FindingRecord, PageRecord, PatrolRun


@dataclass
class FindingQuery:
    """Filters of a findings listing; empty means no filter. All given filters must match."""

    rules: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)       # lead department
    domains: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    forwarded_to: list[str] = field(default_factory=list)  # department a finding was forwarded to
    source: str | None = None
    since: datetime | None = None                        # on last_seen
    until: datetime | None = None
    # on the finding's date (model.dated_at: a post's posting time, else first_seen): posts
    # written since then, not old posts still seen since then
    dated_since: datetime | None = None
    text: str | None = None                              # Chinese full-text search
    include_gone: bool = True
    sort: str = "newest"      # newest (last_seen desc) or severity (high first, then newest)
    limit: int = 50
    cursor: str | None = None  # opaque; from FindingPage.next_cursor


@dataclass
class FindingPage:
    items: list[FindingRecord]
    next_cursor: str | None
    total: int | None = None


class DecisionConflict(Exception):
    """The finding's status was no longer the one the decision was made on: someone else
    decided first (compare-and-set of `Store.review`)."""

    def __init__(self, finding_id: str, status: str) -> None:
        super().__init__(f"finding {finding_id} is already {status}")
        self.finding_id, self.status = finding_id, status


@dataclass
class PageHit:
    page: PageRecord
    snippet: str = ""


class Store(ABC):
    """Findings, pages, runs, decisions, the alert outbox and patrol locks."""

    url: str = ""
    # IANA zone whose days and weeks count_findings counts by (setting time_zone; open_store).
    time_zone: str = DEFAULT_TIME_ZONE

    # -- lifecycle -----------------------------------------------------------------------------
    @abstractmethod
    def migrate(self) -> None:
        """Create or upgrade the schema / index templates. Idempotent; called by open_store."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- pages and findings (crawler, analyze, enterprises) ------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Writes that belong together (a page, its findings, what is gone from it): where the
        backend has transactions they land all or none. The cluster backend writes each
        document on its own (with its spool), so there this groups nothing."""
        yield

    @abstractmethod
    def save_page(self, page: PageRecord) -> None:
        """Store a fetched page (text for full-text search, content hash, evidence files)."""

    @abstractmethod
    def previous_hash(self, url: str) -> str | None:
        """Content hash of the last stored capture of `url`, to tell what changed."""

    @abstractmethod
    def upsert_findings(self, findings: list[FindingRecord]) -> list[bool]:
        """Insert new findings, or update last_seen (and clear gone_at) of known ones.

        Returns, per finding, True when it was new. Review status and first_seen of a known
        finding are never overwritten.
        """

    @abstractmethod
    def mark_gone(self, source: str, present_ids: set[str], at: datetime) -> int:
        """Set gone_at on findings of `source` not in `present_ids` (the page was patrolled
        again and they are no longer there). Returns how many were marked."""

    @abstractmethod
    def get_finding(self, finding_id: str) -> FindingRecord | None: ...

    @abstractmethod
    def query_findings(self, query: FindingQuery) -> FindingPage: ...

    @abstractmethod
    def count_findings(self, query: FindingQuery, by: str) -> dict[str, int]:
        """Counts by one of: rule, severity, status, lead, domain, target, platform, day, week.

        A day or week (named by its Monday, YYYY-MM-DD) is that of the finding's date
        (model.dated_at: a post's posted_at when known, else first_seen) in the store's
        `time_zone`: a finding at 2026-01-01T17:00Z counts on 2026-01-02 in Asia/Shanghai."""

    @abstractmethod
    def get_page(self, page_id: str) -> PageRecord | None: ...

    @abstractmethod
    def search_pages(self, text: str, limit: int = 20) -> list[PageHit]:
        """Chinese full-text search over page text (jieba tokens)."""

    # -- review --------------------------------------------------------------------------------
    @abstractmethod
    def review(self, decision: Decision, expect_status: str | None = None) -> FindingRecord:
        """Append a decision to the audit log and set the finding's status (and forwarded_to;
        a reopened finding is new again and forwarded to nobody).

        With `expect_status`, atomically: the decision is recorded only if the finding's status
        is still `expect_status`, else DecisionConflict and nothing is written (of two
        reviewers deciding on the same status at once, exactly one wins).
        """

    @abstractmethod
    def decisions(self, finding_id: str) -> list[Decision]: ...

    # -- patrol runs ---------------------------------------------------------------------------
    @abstractmethod
    def save_run(self, run: PatrolRun) -> None:
        """Insert or replace a run record (called at start and at end)."""

    @abstractmethod
    def get_run(self, run_id: str) -> PatrolRun | None: ...

    @abstractmethod
    def list_runs(self, target: str | None = None, limit: int = 50) -> list[PatrolRun]:
        """Most recent first."""

    # -- alert outbox --------------------------------------------------------------------------
    @abstractmethod
    def enqueue_alert(self, alert: AlertRecord) -> bool:
        """Write an alert before it is sent. False (and nothing written) if its key exists."""

    @abstractmethod
    def due_alerts(self, now: datetime, limit: int = 100) -> list[AlertRecord]:
        """Pending alerts whose next_attempt_at is empty or not after `now`, oldest first."""

    @abstractmethod
    def update_alert(self, alert: AlertRecord) -> None:
        """Persist status, attempts, next_attempt_at, last_error, sent_at, attempt_log."""

    @abstractmethod
    def get_alert(self, alert_id: str) -> AlertRecord | None: ...

    @abstractmethod
    def list_alerts(self, status: str | None = None, department: str | None = None,
                    kind: str | None = None, limit: int = 100) -> list[AlertRecord]:
        """Newest first."""

    # -- locks (scheduler, manual crawl) -------------------------------------------------------
    @abstractmethod
    def acquire_lock(self, name: str, owner: str, ttl_seconds: int) -> bool:
        """Take the named lock if free or expired. Atomic across processes and machines."""

    @abstractmethod
    def release_lock(self, name: str, owner: str) -> None: ...

    @abstractmethod
    def lock_holder(self, name: str) -> str | None:
        """Owner of an unexpired lock, or None."""

    # -- administration (`patrol store stats|reindex`) ------------------------------------------
    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """What the store holds: backend, url, findings (total, live, by_status, by_rule),
        pages, runs, decisions, alerts by status, plus backend details."""

    @abstractmethod
    def rebuild_search_index(self) -> int:
        """Segment every finding and page again (after the segmentation words changed);
        returns how many records were re-indexed."""


def walk_findings(store: Store, query: FindingQuery, limit: int = 0,
                  info: dict[str, Any] | None = None) -> Iterator[FindingRecord]:
    """Every finding `query` matches, page after page with the cursor (500 a page); at most
    `limit` (0: all). `info["total"]`, when given, is set from the first page. The one walk
    for every reader that needs more than a page (exports, scores, retention, spikes)."""
    remaining = limit if limit > 0 else None
    query.limit = min(remaining or 500, 500)
    first = True
    while True:
        page = store.query_findings(query)
        if info is not None and first:
            info["total"] = page.total
        first = False
        for f in page.items:
            yield f
            if remaining is not None:
                remaining -= 1
                if remaining == 0:
                    return
        if not page.next_cursor or not page.items:
            return
        query.cursor = page.next_cursor
        if remaining is not None:
            query.limit = min(remaining, 500)
