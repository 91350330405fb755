"""The findings store: one interface (base.Store), SQLite by default, a search-engine cluster at scale."""

from .base import DecisionConflict, FindingPage, FindingQuery, PageHit, Store, walk_findings
from .model import (
    AlertRecord,
    Decision,
    EvidenceFile,
    FindingRecord,
    PageRecord,
    PatrolRun,
    alert_id,
    dated_at,
    finding_id,
    page_id,
    utcnow,
)

__all__ = [
    "AlertRecord", "Decision", "DecisionConflict", "EvidenceFile", "FindingPage", "FindingQuery", "FindingRecord",
    "PageHit", "PageRecord", "PatrolRun", "Store", "alert_id", "dated_at", "finding_id", "open_store",
    "page_id", "utcnow", "walk_findings",
]


def open_store(url: str, data_dir: "object | None" = None, **options: object) -> Store:
    """Open (and migrate) the store at `url`: '' -> DATA_DIR/patrol.sqlite3, sqlite:///PATH,
    or http(s)://HOST:PORT for Elasticsearch/OpenSearch (detected). Implemented by the store
    backends; see findings/open.py."""
    from .open import open_store as _open

    return _open(url, data_dir=data_dir, **options)
