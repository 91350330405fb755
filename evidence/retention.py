"""Prune evidence older than `evidence_retention_days`, never what a case still needs.

Protected, whatever its age: the WARC file and every evidence file of each finding that is
open (new), confirmed or forwarded (only dismissed findings let their evidence go), and every
WARC file an exported case package was built from (`cases/*.json`). Case records themselves
are never pruned. If the store or a case record cannot be read, nothing is removed: pruning
that cannot tell what is protected must not guess. Each removal is logged, and appended to
DATA_DIR/logs/evidence-prune.log (JSON lines) as the audit trail.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from findings import FindingQuery, Store, walk_findings
from findings.model import to_iso
from settings import Settings

from .package import case_records
from .storage import EvidenceStorage, key_of

log = logging.getLogger(__name__)
PROTECTING = ("new", "confirmed", "forwarded")


@dataclass
class PruneResult:
    removed: list[str] = field(default_factory=list)
    kept_protected: int = 0
    kept_recent: int = 0
    protected: set[str] = field(default_factory=set)
    dry_run: bool = False


def protected_keys(store: Store, storage: EvidenceStorage) -> set[str]:
    keys: set[str] = set()
    query = FindingQuery(statuses=list(PROTECTING), sort="newest")
    pages_seen: set[str] = set()
    for f in walk_findings(store, query):
        if (key := key_of(f.warc_file)) is not None:
            keys.add(key)
        if f.page_id and f.page_id not in pages_seen:
            pages_seen.add(f.page_id)
            record = store.get_page(f.page_id)
            if record is None:
                continue
            if (key := key_of(record.warc_file)) is not None:
                keys.add(key)
            for item in record.evidence:
                if isinstance(item, dict) and (key := key_of(item.get("path", ""))):
                    keys.add(key)
    for case in case_records(storage):
        for path in case.get("warc_files") or []:
            if (key := key_of(path)) is not None:
                keys.add(key)
    return keys


def prune(store: Store, storage: EvidenceStorage, settings: Settings, now: datetime,
          dry_run: bool = False) -> PruneResult:
    result = PruneResult(dry_run=dry_run)
    days = int(settings["evidence_retention_days"])
    if days <= 0:
        return result
    cutoff = now.timestamp() - days * 86400
    result.protected = protected_keys(store, storage)
    audit = settings.data_path("logs", "evidence-prune.log")
    with open(audit, "a", encoding="utf-8") as trail:
        for obj in list(storage.list()):
            if obj.key.startswith("cases/"):
                continue
            if obj.modified >= cutoff:
                result.kept_recent += 1
                continue
            if obj.key in result.protected:
                result.kept_protected += 1
                continue
            if not dry_run:
                storage.delete(obj.key)
            result.removed.append(obj.key)
            log.info("evidence pruned%s: %s (%d bytes, from %s)", " (dry run)" if dry_run else "",
                     obj.key, obj.size, time.strftime("%Y-%m-%d", time.gmtime(obj.modified)))
            trail.write(json.dumps({"at": to_iso(now), "key": obj.key, "bytes": obj.size,
                                    "modified": obj.modified, "dry_run": dry_run}) + "\n")
    return result
