"""Patrol runs, the alert outbox and locks on the cluster (a mixin of ClusterStore).

The outbox and the locks must be atomic across processes and machines: an alert is written with
op_type=create (a second writer of the same key gets 409), and a lock is taken with create when
it is absent, or replaced with if_seq_no/if_primary_term when it is expired or ours, so of two
contenders exactly one write succeeds.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from ..model import AlertRecord, PatrolRun
from ..sqlite.schema import stamp
from ..validate import check_lock_args
from . import docs as D
from .clients import ClusterUnavailable, Conflict, NotFound
from .connection import quote

log = logging.getLogger(__name__)

ALERT_MUTABLE = ("status", "attempts", "next_attempt_at", "last_error", "sent_at", "attempt_log")


class RunsOutboxLocks:
    # provided by ClusterLink / ClusterStore
    client: Any
    spool: Any
    _submit: Any
    _search: Any
    _get: Any
    _write_docs: Any
    index: Any

    # -- patrol runs ---------------------------------------------------------------------------
    def save_run(self, run: PatrolRun) -> None:
        self._submit("save_run", D.stamped(run), offline=lambda: None, touches=("runs",))

    def _apply_run(self, doc: dict[str, Any]) -> None:
        self._write_docs("runs", [({"index": {"_index": self.index("runs"), "_id": doc["id"]}},
                                   doc)])

    def get_run(self, run_id: str) -> PatrolRun | None:
        doc = self._get("runs", run_id)
        return PatrolRun.from_dict(doc["_source"]) if doc else None

    def list_runs(self, target: str | None = None, limit: int = 50) -> list[PatrolRun]:
        query = {"term": {"target": target}} if target else {"match_all": {}}
        res = self._search("runs", {"size": limit, "query": query,
                                    "sort": [{"started_at": "desc"}, {"id": "desc"}]})
        return [PatrolRun.from_dict(h["_source"]) for h in res["hits"]["hits"]]

    # -- alert outbox --------------------------------------------------------------------------
    def enqueue_alert(self, alert: AlertRecord) -> bool:
        return self._submit("enqueue_alert", D.stamped(alert),
                            offline=lambda: not self.spool.has_key(alert.key),
                            key=alert.key, touches=("alerts",))

    def _apply_enqueue(self, doc: dict[str, Any]) -> bool:
        try:
            self.client.request("PUT", f"/{self.index('alerts')}/_create/{quote(doc['id'])}",
                                body=doc)
            return True
        except Conflict:
            return False

    def due_alerts(self, now: datetime, limit: int = 100) -> list[AlertRecord]:
        query = {"bool": {"filter": [{"term": {"status": "pending"}}], "should": [
            {"bool": {"must_not": [{"exists": {"field": "next_attempt_at"}}]}},
            {"range": {"next_attempt_at": {"lte": stamp(now)}}}], "minimum_should_match": 1}}
        res = self._search("alerts", {"size": limit, "query": query,
                                      "sort": [{"created_at": "asc"}, {"id": "asc"}]})
        return [AlertRecord.from_dict(h["_source"]) for h in res["hits"]["hits"]]

    def update_alert(self, alert: AlertRecord) -> None:
        change = {k: v for k, v in D.stamped(alert).items() if k in ALERT_MUTABLE}
        self._submit("update_alert", {"id": alert.id, "doc": change}, offline=lambda: None,
                     touches=("alerts",))

    def _apply_update_alert(self, p: dict[str, Any]) -> None:
        try:
            self.client.request("POST", f"/{self.index('alerts')}/_update/{quote(p['id'])}",
                                params={"retry_on_conflict": "5"}, body={"doc": p["doc"]})
        except NotFound as exc:
            raise KeyError(f"no alert {p['id']}") from exc

    def get_alert(self, alert_id: str) -> AlertRecord | None:
        doc = self._get("alerts", alert_id)
        return AlertRecord.from_dict(doc["_source"]) if doc else None

    def list_alerts(self, status: str | None = None, department: str | None = None,
                    kind: str | None = None, limit: int = 100) -> list[AlertRecord]:
        filters = [{"term": {field: value}} for field, value in
                   (("status", status), ("department", department), ("kind", kind)) if value]
        res = self._search("alerts", {"size": limit, "query": {"bool": {"filter": filters}},
                                      "sort": [{"created_at": "desc"}, {"id": "desc"}]})
        return [AlertRecord.from_dict(h["_source"]) for h in res["hits"]["hits"]]

    # -- locks ---------------------------------------------------------------------------------
    def acquire_lock(self, name: str, owner: str, ttl_seconds: int) -> bool:
        """Take the lock if free, expired or ours (then renewed). False while the cluster is
        away: a patrol that cannot be sure it is alone does not start."""
        check_lock_args(name, owner, ttl_seconds)
        path = f"/{self.index('locks')}"
        try:
            now = time.time()
            doc = {"name": name, "owner": owner, "expires_at": now + ttl_seconds}
            current = self._get("locks", name)
            if current is None:
                try:
                    self.client.request("PUT", f"{path}/_create/{quote(name)}", body=doc)
                    return True
                except Conflict:
                    return False
            held = current["_source"]
            if held["owner"] != owner and held["expires_at"] > now:
                return False
            try:
                self.client.request("PUT", f"{path}/_doc/{quote(name)}", body=doc, params={
                    "if_seq_no": current["_seq_no"],
                    "if_primary_term": current["_primary_term"]})
                return True
            except Conflict:
                return False
        except ClusterUnavailable as exc:
            log.warning("cannot take lock %s, cluster unreachable: %s", name, exc)
            return False

    def release_lock(self, name: str, owner: str) -> None:
        current = self._get("locks", name)
        if current is None or current["_source"]["owner"] != owner:
            return
        try:
            self.client.request("DELETE", f"/{self.index('locks')}/_doc/{quote(name)}", params={
                "if_seq_no": current["_seq_no"], "if_primary_term": current["_primary_term"]})
        except (Conflict, NotFound):
            pass  # taken over after expiry, or gone: not ours to delete any more

    def lock_holder(self, name: str) -> str | None:
        current = self._get("locks", name)
        if current is None:
            return None
        held = current["_source"]
        return held["owner"] if held["expires_at"] > time.time() else None
