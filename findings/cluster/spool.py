"""The local durable queue of writes that wait for the cluster, and the record of rejections.

A SQLite file under the data home (DATA_DIR/cluster-spool.sqlite3 by default). Writes wait here,
in order, while the cluster is unreachable, and are replayed when it is back. Every queued
operation is idempotent on the cluster (deterministic ids, create-or-update), so a replay that
is interrupted, or run by two processes sharing the file, produces no duplicates.
Documents the cluster refused (a mapping conflict) are kept in `rejected`, with their id, index,
error and body, for an operator to see (`patrol store stats`) and fix.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..sqlite.db import Database
from ..validate import scrub

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS queue (
        seq INTEGER PRIMARY KEY, op TEXT NOT NULL, payload TEXT NOT NULL, "key" TEXT,
        queued_at TEXT NOT NULL)""",
    'CREATE INDEX IF NOT EXISTS queue_key ON queue ("key")',
    """CREATE TABLE IF NOT EXISTS rejected (
        seq INTEGER PRIMARY KEY, index_name TEXT NOT NULL, doc_id TEXT, op TEXT NOT NULL,
        error TEXT NOT NULL, doc TEXT NOT NULL, at TEXT NOT NULL)""",
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _json(value: Any) -> str:
    return json.dumps(scrub(value), ensure_ascii=False, default=str, separators=(",", ":"))


class Spool:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = Database(self.path)

        def create(conn: sqlite3.Connection) -> None:
            for statement in SCHEMA:
                conn.execute(statement)

        self.db.write(create)

    def push(self, op: str, payload: Any, key: str | None = None) -> None:
        self.db.write(lambda conn: conn.execute(
            'INSERT INTO queue (op, payload, "key", queued_at) VALUES (?, ?, ?, ?)',
            (op, _json(payload), key, _now())))

    def head(self, limit: int = 100) -> list[tuple[int, str, Any]]:
        rows = self.db.read("SELECT seq, op, payload FROM queue ORDER BY seq LIMIT ?", (limit,))
        return [(r["seq"], r["op"], json.loads(r["payload"])) for r in rows]

    def remove(self, seq: int) -> None:
        self.db.write(lambda conn: conn.execute("DELETE FROM queue WHERE seq = ?", (seq,)))

    def count(self) -> int:
        row = self.db.read_one("SELECT COUNT(*) AS n FROM queue")
        return int(row["n"]) if row else 0

    def has_key(self, key: str) -> bool:
        return self.db.read_one('SELECT 1 FROM queue WHERE "key" = ?', (key,)) is not None

    def reject(self, index_name: str, doc_id: str | None, op: str, error: Any,
               doc: Any) -> None:
        self.db.write(lambda conn: conn.execute(
            "INSERT INTO rejected (index_name, doc_id, op, error, doc, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (index_name, doc_id, op, _json(error), _json(doc), _now())))

    def rejected(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.db.read("SELECT * FROM rejected ORDER BY seq DESC LIMIT ?", (limit,))
        out = []
        for r in rows:
            item = dict(r)
            item["error"] = json.loads(item["error"])
            item["doc"] = json.loads(item["doc"])
            out.append(item)
        return out

    def rejected_count(self) -> int:
        row = self.db.read_one("SELECT COUNT(*) AS n FROM rejected")
        return int(row["n"]) if row else 0

    def close(self) -> None:
        self.db.close()
