"""Patrol runs, the alert outbox and patrol locks on SQLite (a mixin of SQLiteStore)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime

from ..model import AlertRecord, PatrolRun
from ..validate import check_lock_args
from .db import Database
from .rows import dumps
from .schema import stamp

# Fields of an alert that update_alert persists; everything else is fixed at enqueue time.
ALERT_MUTABLE = ("status", "attempts", "next_attempt_at", "last_error", "sent_at", "attempt_log")


class RunsOutboxLocks:
    db: Database

    # -- patrol runs ---------------------------------------------------------------------------
    def save_run(self, run: PatrolRun) -> None:
        self.db.write(lambda conn: conn.execute(
            "INSERT OR REPLACE INTO runs (id, target, started_at, status, doc) "
            "VALUES (?, ?, ?, ?, ?)",
            (run.id, run.target, stamp(run.started_at), run.status, dumps(run.to_dict()))))

    def get_run(self, run_id: str) -> PatrolRun | None:
        row = self.db.read_one("SELECT doc FROM runs WHERE id = ?", (run_id,))
        return PatrolRun.from_dict(json.loads(row["doc"])) if row else None

    def list_runs(self, target: str | None = None, limit: int = 50) -> list[PatrolRun]:
        if target:
            rows = self.db.read("SELECT doc FROM runs WHERE target = ? "
                                "ORDER BY started_at DESC, id DESC LIMIT ?", (target, limit))
        else:
            rows = self.db.read("SELECT doc FROM runs ORDER BY started_at DESC, id DESC LIMIT ?",
                                (limit,))
        return [PatrolRun.from_dict(json.loads(r["doc"])) for r in rows]

    # -- alert outbox --------------------------------------------------------------------------
    def enqueue_alert(self, alert: AlertRecord) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                'INSERT OR IGNORE INTO alerts (id, "key", kind, department, channel, status, '
                "created_at, next_attempt_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (alert.id, alert.key, alert.kind, alert.department, alert.channel, alert.status,
                 stamp(alert.created_at), stamp(alert.next_attempt_at),
                 dumps(alert.to_dict())))
            return cur.rowcount == 1

        return self.db.write(work)

    def due_alerts(self, now: datetime, limit: int = 100) -> list[AlertRecord]:
        rows = self.db.read(
            "SELECT doc FROM alerts WHERE status = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
            "ORDER BY created_at, id LIMIT ?", (stamp(now), limit))
        return [AlertRecord.from_dict(json.loads(r["doc"])) for r in rows]

    def update_alert(self, alert: AlertRecord) -> None:
        changes = {k: v for k, v in alert.to_dict().items() if k in ALERT_MUTABLE}

        def work(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT doc FROM alerts WHERE id = ?", (alert.id,)).fetchone()
            if row is None:
                raise KeyError(f"no alert {alert.id}")
            doc = {**json.loads(row["doc"]), **changes}
            conn.execute("UPDATE alerts SET status = ?, next_attempt_at = ?, doc = ? "
                         "WHERE id = ?",
                         (alert.status, stamp(alert.next_attempt_at), dumps(doc), alert.id))

        self.db.write(work)

    def get_alert(self, alert_id: str) -> AlertRecord | None:
        row = self.db.read_one("SELECT doc FROM alerts WHERE id = ?", (alert_id,))
        return AlertRecord.from_dict(json.loads(row["doc"])) if row else None

    def list_alerts(self, status: str | None = None, department: str | None = None,
                    kind: str | None = None, limit: int = 100) -> list[AlertRecord]:
        conds, params = [], []
        for column, value in (("status", status), ("department", department), ("kind", kind)):
            if value:
                conds.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        rows = self.db.read(f"SELECT doc FROM alerts {where} "
                            "ORDER BY created_at DESC, id DESC LIMIT ?", [*params, limit])
        return [AlertRecord.from_dict(json.loads(r["doc"])) for r in rows]

    # -- locks ---------------------------------------------------------------------------------
    def acquire_lock(self, name: str, owner: str, ttl_seconds: int) -> bool:
        """Take the lock if it is free, expired, or already ours (then its expiry is renewed).
        Expiry is wall-clock time, shared by every process on the machine."""
        check_lock_args(name, owner, ttl_seconds)

        def work(conn: sqlite3.Connection) -> bool:
            now = time.time()
            cur = conn.execute(
                "INSERT INTO locks (name, owner, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
                "expires_at = excluded.expires_at "
                "WHERE locks.expires_at <= ? OR locks.owner = excluded.owner",
                (name, owner, now + ttl_seconds, now))
            return cur.rowcount == 1

        return self.db.write(work)

    def release_lock(self, name: str, owner: str) -> None:
        self.db.write(lambda conn: conn.execute(
            "DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner)))

    def lock_holder(self, name: str) -> str | None:
        row = self.db.read_one("SELECT owner FROM locks WHERE name = ? AND expires_at > ?",
                               (name, time.time()))
        return row["owner"] if row else None
