"""The ledger in a small SQLite file under the data home (`platforms.sqlite3`): WAL, one writer
connection per process, busy retries, through the findings store's `Database`."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from findings.model import to_iso
from findings.sqlite.db import Database

from .base import PlatformQuery, PlatformStore
from .model import Classification, Event, Platform, Score
from .products import Product
from .tips import Tip

SCHEMA = """
CREATE TABLE IF NOT EXISTS platforms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    operator TEXT NOT NULL DEFAULT '',
    credit_code TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    lead TEXT NOT NULL,
    classification TEXT NOT NULL,
    deadline TEXT,
    score INTEGER NOT NULL DEFAULT 0,
    merged_into TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS platforms_class ON platforms(classification);
CREATE INDEX IF NOT EXISTS platforms_credit ON platforms(credit_code);
CREATE TABLE IF NOT EXISTS platform_domains (
    domain TEXT PRIMARY KEY,
    platform_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS platform_names (
    name TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    PRIMARY KEY (name, platform_id)
);
CREATE TABLE IF NOT EXISTS platform_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS platform_events_pid ON platform_events(platform_id, seq);
CREATE TABLE IF NOT EXISTS platform_classes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS platform_classes_pid ON platform_classes(platform_id, seq);
CREATE TABLE IF NOT EXISTS platform_scores (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS platform_scores_pid ON platform_scores(platform_id, seq);
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY,
    platform_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS products_pid ON products(platform_id);
CREATE TABLE IF NOT EXISTS tips (
    receipt TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    addr_key TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tips_at ON tips(at);
CREATE INDEX IF NOT EXISTS tips_addr ON tips(addr_key, at);
"""


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class SQLitePlatformStore(PlatformStore):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.db = Database(self.path)

    def migrate(self) -> None:
        def work(conn: sqlite3.Connection) -> None:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)

        self.db.write(work)

    def close(self) -> None:
        self.db.close()

    # -- reading -------------------------------------------------------------------------------
    @staticmethod
    def _platform(row: sqlite3.Row | None) -> Platform | None:
        return Platform.from_dict(json.loads(row["data"])) if row else None

    def get(self, platform_id: str) -> Platform | None:
        return self._platform(self.db.read_one("SELECT data FROM platforms WHERE id=?",
                                               (platform_id,)))

    def by_domain(self, domain: str) -> Platform | None:
        row = self.db.read_one(
            "SELECT p.data FROM platform_domains d JOIN platforms p ON p.id=d.platform_id "
            "WHERE d.domain=? AND p.merged_into IS NULL", (domain.lower().rstrip("."),))
        return self._platform(row)

    def by_credit_code(self, code: str) -> Platform | None:
        return self._platform(self.db.read_one(
            "SELECT data FROM platforms WHERE credit_code=? AND credit_code!='' "
            "AND merged_into IS NULL", (code,)))

    def by_name(self, name: str) -> Platform | None:
        return self._platform(self.db.read_one(
            "SELECT p.data FROM platform_names n JOIN platforms p ON p.id=n.platform_id "
            "WHERE n.name=? AND p.merged_into IS NULL ORDER BY p.id LIMIT 1", (name.strip(),)))

    def query(self, query: PlatformQuery) -> list[Platform]:
        where, params = [], []
        if not query.include_merged:
            where.append("merged_into IS NULL")
        for column, value in (("classification", query.classification), ("kind", query.kind),
                              ("lead", query.lead)):
            if value:
                where.append(f"{column}=?")
                params.append(value)
        if query.min_score is not None:
            where.append("score>=?")
            params.append(query.min_score)
        if query.text:
            where.append("(instr(name, ?)>0 OR instr(operator, ?)>0 OR id IN "
                         "(SELECT platform_id FROM platform_domains WHERE instr(domain, ?)>0))")
            params += [query.text] * 3
        sql = "SELECT data FROM platforms"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY score DESC, name LIMIT ?"
        params.append(max(1, min(query.limit, 10000)))
        return [p for p in (self._platform(r) for r in self.db.read(sql, params)) if p]

    def events(self, platform_id: str) -> list[Event]:
        rows = self.db.read("SELECT data FROM platform_events WHERE platform_id=? ORDER BY seq",
                            (platform_id,))
        return [Event.from_dict(json.loads(r["data"])) for r in rows]

    def classifications(self, platform_id: str) -> list[Classification]:
        rows = self.db.read("SELECT data FROM platform_classes WHERE platform_id=? ORDER BY seq",
                            (platform_id,))
        return [Classification.from_dict(json.loads(r["data"])) for r in rows]

    def scores(self, platform_id: str, limit: int = 50) -> list[Score]:
        rows = self.db.read("SELECT data FROM platform_scores WHERE platform_id=? "
                            "ORDER BY seq DESC LIMIT ?", (platform_id, limit))
        return [Score.from_dict(json.loads(r["data"])) for r in rows]

    def due_rectifications(self, now: datetime) -> list[Platform]:
        rows = self.db.read("SELECT data FROM platforms WHERE classification='整改' AND "
                            "merged_into IS NULL AND deadline IS NOT NULL AND deadline<=?",
                            (to_iso(now),))
        return [p for p in (self._platform(r) for r in rows) if p]

    # -- writing -------------------------------------------------------------------------------
    @staticmethod
    def _put(conn: sqlite3.Connection, *platforms: Platform) -> None:
        """Write platform rows, names and domains; the domains of all given platforms are
        released first, so records that exchange domains (merge, split) are written together."""
        for p in platforms:
            conn.execute(
                "INSERT OR REPLACE INTO platforms (id, name, operator, credit_code, kind, lead, "
                "classification, deadline, score, merged_into, data) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (p.id, p.name, p.operator, p.credit_code, p.kind, p.lead, p.classification,
                 to_iso(p.deadline), p.score, p.merged_into, _dump(p.to_dict())))
            conn.execute("DELETE FROM platform_names WHERE platform_id=?", (p.id,))
            names = {n.strip() for n in (*p.names, p.operator) if n and n.strip()}
            conn.executemany("INSERT OR IGNORE INTO platform_names (name, platform_id) "
                             "VALUES (?,?)", [(n, p.id) for n in names])
            conn.execute("DELETE FROM platform_domains WHERE platform_id=?", (p.id,))
        for p in platforms:
            if p.merged_into:
                continue
            for domain in p.domains:
                owner = conn.execute("SELECT platform_id FROM platform_domains WHERE domain=?",
                                     (domain,)).fetchone()
                if owner and owner[0] != p.id:
                    raise ValueError(f"域名 {domain} 已属于平台 {owner[0]}")
                conn.execute("INSERT OR REPLACE INTO platform_domains (domain, platform_id) "
                             "VALUES (?,?)", (domain, p.id))

    @staticmethod
    def _event(conn: sqlite3.Connection, event: Event) -> None:
        conn.execute("INSERT INTO platform_events (platform_id, at, data) VALUES (?,?,?)",
                     (event.platform_id, to_iso(event.at), _dump(event.to_dict())))

    def save(self, platform: Platform, event: Event) -> None:
        def work(conn: sqlite3.Connection) -> None:
            self._put(conn, platform)
            self._event(conn, event)

        self.db.write(work)

    def save_pair(self, first: Platform, second: Platform, event: Event) -> None:
        def work(conn: sqlite3.Connection) -> None:
            self._put(conn, first, second)
            self._event(conn, event)
            self._event(conn, Event.from_dict({**event.to_dict(), "platform_id": second.id}))

        self.db.write(work)

    def classify(self, decision: Classification) -> Platform:
        def work(conn: sqlite3.Connection) -> Platform:
            row = conn.execute("SELECT data FROM platforms WHERE id=?",
                               (decision.platform_id,)).fetchone()
            if row is None:
                raise KeyError(decision.platform_id)
            platform = Platform.from_dict(json.loads(row["data"]))
            platform.classification = decision.classification
            platform.deadline = decision.deadline
            platform.updated_at = decision.at
            self._put(conn, platform)
            conn.execute("INSERT INTO platform_classes (platform_id, data) VALUES (?,?)",
                         (platform.id, _dump(decision.to_dict())))
            return platform

        return self.db.write(work)

    def record_score(self, score: Score) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT data FROM platforms WHERE id=?",
                               (score.platform_id,)).fetchone()
            if row is None:
                raise KeyError(score.platform_id)
            platform = Platform.from_dict(json.loads(row["data"]))
            platform.score, platform.proposed = score.score, score.proposed
            self._put(conn, platform)
            last = conn.execute("SELECT data FROM platform_scores WHERE platform_id=? "
                                "ORDER BY seq DESC LIMIT 1", (score.platform_id,)).fetchone()
            if last:
                old = json.loads(last["data"])
                if (old["score"], old["proposed"], old["reasons"]) == (
                        score.score, score.proposed, score.reasons):
                    return False
            conn.execute("INSERT INTO platform_scores (platform_id, data) VALUES (?,?)",
                         (score.platform_id, _dump(score.to_dict())))
            return True

        return self.db.write(work)

    # -- products ------------------------------------------------------------------------------
    def save_products(self, platform_id: str, products: list[Product]) -> None:
        def work(conn: sqlite3.Connection) -> None:
            for new in products:
                row = conn.execute("SELECT data FROM products WHERE id=?", (new.id,)).fetchone()
                merged = new
                if row:
                    old = Product.from_dict(json.loads(row["data"]))
                    merged.first_seen = min(x for x in (old.first_seen, new.first_seen) if x) \
                        if old.first_seen or new.first_seen else None
                    merged.rates = old.rates
                if not merged.rates or merged.rates[-1][1] != merged.annual_rate:
                    merged.rates = [*merged.rates, [to_iso(merged.last_seen), merged.annual_rate]]
                conn.execute("INSERT OR REPLACE INTO products (id, platform_id, data) "
                             "VALUES (?,?,?)", (merged.id, platform_id, _dump(merged.to_dict())))

        self.db.write(work)

    def products(self, platform_id: str) -> list[Product]:
        rows = self.db.read("SELECT data FROM products WHERE platform_id=?", (platform_id,))
        items = [Product.from_dict(json.loads(r["data"])) for r in rows]
        return sorted(items, key=lambda p: -p.annual_rate)

    # -- tips ----------------------------------------------------------------------------------
    def _put_tip(self, tip: Tip, insert: bool) -> None:
        verb = "INSERT" if insert else "REPLACE"
        self.db.write(lambda conn: conn.execute(
            f"{verb} INTO tips (receipt, at, addr_key, status, data) VALUES (?,?,?,?,?)",
            (tip.receipt, to_iso(tip.at), tip.addr_key, tip.status, _dump(tip.to_dict())))
            and None)

    def add_tip(self, tip: Tip) -> None:
        self._put_tip(tip, insert=True)

    def update_tip(self, tip: Tip) -> None:
        self._put_tip(tip, insert=False)

    def get_tip(self, receipt: str) -> Tip | None:
        row = self.db.read_one("SELECT data FROM tips WHERE receipt=?", (receipt,))
        return Tip.from_dict(json.loads(row["data"])) if row else None

    def list_tips(self, status: str = "", limit: int = 200) -> list[Tip]:
        sql, params = "SELECT data FROM tips", []
        if status:
            sql += " WHERE status=?"
            params.append(status)
        sql += " ORDER BY at DESC LIMIT ?"
        params.append(max(1, min(limit, 10000)))
        return [Tip.from_dict(json.loads(r["data"])) for r in self.db.read(sql, params)]

    def count_tips(self, since: datetime, addr_key: str = "") -> int:
        if addr_key:
            row = self.db.read_one("SELECT COUNT(*) AS n FROM tips WHERE addr_key=? AND at>=?",
                                   (addr_key, to_iso(since)))
        else:
            row = self.db.read_one("SELECT COUNT(*) AS n FROM tips WHERE at>=?", (to_iso(since),))
        return int(row["n"]) if row else 0
