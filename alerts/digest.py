"""Digests: the non-urgent findings of each department, grouped into one message.

queue_for_findings leaves a "digest_item" per (finding, department) in the outbox, never due
on its own. run_digest collects them: per department, at most once per alerts_digest_minutes
(buckets aligned to the clock, so an hourly cron run a second early still counts), one digest
per channel with counts per rule and the top items; then the items are marked collected. A
digest's key is the hash of the items it carries, so a crash between writing the digest and
marking the items cannot queue the same digest twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime

from findings import AlertRecord, Store, utcnow
from findings.model import to_iso
from settings import Settings

from .departments import load_directory
from .messages import digest_message
from .outbox import enqueue_for_department

log = logging.getLogger("alerts.digest")

BATCH = 5000


def _bucket(when: datetime, minutes: int) -> int:
    return int(when.timestamp() // (max(1, minutes) * 60))


def pending_items(store: Store) -> dict[str, list[AlertRecord]]:
    """Digest items not yet collected, per department."""
    out: dict[str, list[AlertRecord]] = defaultdict(list)
    for alert in store.list_alerts(status="pending", kind="digest_item", limit=BATCH):
        out[alert.department].append(alert)
    return out


def last_digest_at(store: Store, department: str) -> datetime | None:
    last = store.list_alerts(department=department, kind="digest", limit=1)
    return last[0].created_at if last else None


def run_digest(store: Store, settings: Settings, now: datetime | None = None,
               force: bool = False) -> int:
    """Queue the digests that are due; returns how many digest alerts were written."""
    directory = load_directory(settings)
    now = now or utcnow()
    minutes = settings["alerts_digest_minutes"]
    written = 0
    for dept_id, items in pending_items(store).items():
        dept = directory.departments.get(dept_id)
        if dept is None:
            log.warning("digest items for unknown department %s left pending", dept_id)
            continue
        since = last_digest_at(store, dept_id)
        if not force and since is not None and _bucket(since, minutes) >= _bucket(now, minutes):
            continue
        items.sort(key=lambda a: a.created_at)
        ids = sorted(a.id for a in items)
        digest_id = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
        data = [a.payload.get("item", {}) for a in items]
        data = [d for d in data if isinstance(d, dict) and d.get("rule")]
        msg = digest_message(dept.name, data, since, now, settings["time_zone"])
        finding_ids = [fid for a in items for fid in a.finding_ids]
        written += enqueue_for_department(
            store, "digest", f"digest:{dept_id}:{digest_id}", dept, msg, now,
            {"severity": "medium", "items": len(items), "digest_id": digest_id}, finding_ids)
        for alert in items:
            alert.status, alert.sent_at, alert.next_attempt_at = "sent", now, None
            alert.attempt_log.append({"at": to_iso(now), "outcome": "digested",
                                      "detail": f"digest {digest_id}"})
            store.update_alert(alert)
        log.info("digest for %s: %d items", dept_id, len(items))
    return written
