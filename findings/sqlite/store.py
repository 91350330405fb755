"""The embedded store: one SQLite file under the data home (DATA_DIR/patrol.sqlite3)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from ..base import DecisionConflict, FindingPage, FindingQuery, PageHit, Store
from ..model import AlertRecord, Decision, FindingRecord, PageRecord, PatrolRun, status_after
from ..textindex import finding_tokens, index_tokens, snippet
from ..validate import check_decision, scrub
from . import rows as R
from .db import Database
from .outbox import RunsOutboxLocks
from .schema import apply_migrations, stamp

# Page text beyond this many characters is stored but not indexed (jieba costs ~2 s per MB).
INDEX_TEXT_CHARS = 300_000
MAX_LIMIT = 1000


class SQLiteStore(RunsOutboxLocks, Store):
    """Store on one SQLite file: WAL, one writer, FTS5 over jieba tokens."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0,
                 write_timeout: float = 120.0, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.db = Database(self.path, busy_timeout=busy_timeout, write_timeout=write_timeout,
                           synchronous=synchronous)

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # -- lifecycle -----------------------------------------------------------------------------
    def migrate(self) -> None:
        # A store whose schema is current needs no write lock to open: a process stopped in the
        # middle of a write (SIGSTOP, a paused VM, a debugger) must not keep every other process
        # from starting. Migrations re-read the version inside their write transaction.
        from .schema import SCHEMA_VERSION

        if self.schema_version() == SCHEMA_VERSION:
            return
        self.db.write(apply_migrations)

    def schema_version(self) -> int:
        from .schema import current_version

        with self.db.reader() as conn:
            return current_version(conn)

    def close(self) -> None:
        self.db.close()

    def batch(self):  # noqa: ANN201 - a context manager, as Store.batch
        """One IMMEDIATE transaction around every write made inside it (Database.batch)."""
        return self.db.batch()

    # -- pages ---------------------------------------------------------------------------------
    def save_page(self, page: PageRecord) -> None:
        values = R.page_values(page)
        tokens = index_tokens(page.title, (page.text or "")[:INDEX_TEXT_CHARS])

        def work(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT seq FROM pages WHERE id = ?", (page.id,)).fetchone()
            if row is None:
                cur = conn.execute(R.INSERT_PAGE, [values[c] for c in R.PAGE_FIELDS])
                conn.execute("INSERT INTO pages_fts (rowid, tokens) VALUES (?, ?)",
                             (cur.lastrowid, tokens))
            else:
                conn.execute(R.UPDATE_PAGE,
                             [values[c] for c in R.PAGE_FIELDS if c != "id"] + [page.id])
                conn.execute("DELETE FROM pages_fts WHERE rowid = ?", (row["seq"],))
                conn.execute("INSERT INTO pages_fts (rowid, tokens) VALUES (?, ?)",
                             (row["seq"], tokens))

        self.db.write(work)

    def previous_hash(self, url: str) -> str | None:
        row = self.db.read_one(
            "SELECT content_hash FROM pages WHERE url = ? ORDER BY captured_at DESC LIMIT 1",
            (url,))
        return row["content_hash"] if row else None

    def get_page(self, page_id: str) -> PageRecord | None:
        row = self.db.read_one("SELECT * FROM pages WHERE id = ?", (page_id,))
        return R.page_from_row(row) if row else None

    def search_pages(self, text: str, limit: int = 20) -> list[PageHit]:
        match = R.fts_match(text or "")
        if not match:
            return []
        rows = self.db.read(
            "SELECT p.* FROM pages_fts JOIN pages p ON p.seq = pages_fts.rowid "
            "WHERE pages_fts MATCH ? ORDER BY pages_fts.rank, p.captured_at DESC LIMIT ?",
            (match, max(1, min(limit, MAX_LIMIT))))
        return [PageHit(page=R.page_from_row(r), snippet=snippet(r["text"], text)) for r in rows]

    # -- findings ------------------------------------------------------------------------------
    def _known_ids(self, ids: list[str]) -> set[str]:
        rows = self.db.read("SELECT id FROM findings WHERE id IN (SELECT value FROM json_each(?))",
                            (R.dumps(ids),))
        return {r["id"] for r in rows}

    def upsert_findings(self, findings: list[FindingRecord]) -> list[bool]:
        if not findings:
            return []
        # Segment likely-new findings before taking the write lock: jieba is the slow part.
        known_before = self._known_ids([f.id for f in findings])
        tokens = {f.id: finding_tokens(f) for f in findings if f.id not in known_before}

        def work(conn: sqlite3.Connection) -> list[bool]:
            known = {r["id"]: r["seq"] for r in conn.execute(
                "SELECT id, seq FROM findings WHERE id IN (SELECT value FROM json_each(?))",
                (R.dumps([f.id for f in findings]),))}
            result: list[bool] = []
            updates: list[tuple[str | None, str]] = []
            for f in findings:
                if f.id in known:
                    updates.append((stamp(f.last_seen or f.captured_at), f.id))
                    result.append(False)
                    continue
                cur = conn.execute(R.INSERT_FINDING, R.finding_row(f))
                known[f.id] = cur.lastrowid
                text = tokens.get(f.id)
                if text is None:
                    text = finding_tokens(f)
                conn.execute("INSERT INTO findings_fts (rowid, tokens) VALUES (?, ?)",
                             (cur.lastrowid, text))
                result.append(True)
            if updates:
                conn.executemany(
                    "UPDATE findings SET last_seen = max(last_seen, ?), gone_at = NULL "
                    "WHERE id = ?", updates)
            return result

        return self.db.write(work)

    def mark_gone(self, source: str, present_ids: set[str], at: datetime) -> int:
        def work(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "UPDATE findings SET gone_at = ? WHERE source = ? AND gone_at IS NULL "
                "AND id NOT IN (SELECT value FROM json_each(?))",
                (stamp(at), source, R.dumps(sorted(present_ids))))
            return cur.rowcount

        return self.db.write(work)

    def get_finding(self, finding_id: str) -> FindingRecord | None:
        row = self.db.read_one("SELECT * FROM findings WHERE id = ?", (finding_id,))
        return R.finding_from_row(row) if row else None

    def query_findings(self, query: FindingQuery) -> FindingPage:
        conds, params = R.where_clause(query)
        order, after, after_params = R.order_and_cursor(query)
        limit = max(1, min(int(query.limit or 50), MAX_LIMIT))
        page_conds = [*conds, after] if after else conds
        where = f"WHERE {' AND '.join(page_conds)}" if page_conds else ""
        sql = f"SELECT * FROM findings {where} ORDER BY {order} LIMIT ?"
        with self.db.snapshot() as conn:
            rows = conn.execute(sql, [*params, *after_params, limit + 1]).fetchall()
            total = None
            if query.cursor is None:
                count_where = f"WHERE {' AND '.join(conds)}" if conds else ""
                total = conn.execute(f"SELECT COUNT(*) FROM findings {count_where}",
                                     params).fetchone()[0]
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = R.cursor_after(query, rows[-1]) if more and rows else None
        return FindingPage(items=[R.finding_from_row(r) for r in rows], next_cursor=next_cursor,
                           total=total)

    def count_findings(self, query: FindingQuery, by: str) -> dict[str, int]:
        if by not in R.GROUPS:
            raise ValueError(f"cannot count by {by!r}; expected one of {', '.join(R.GROUPS)}")
        expr = R.group_expression(by, self.time_zone)
        conds, params = R.where_clause(query)
        conds = [*conds, f"{expr} IS NOT NULL"]
        order = "k" if by in ("day", "week") else "n DESC, k"
        rows = self.db.read(
            f"SELECT {expr} AS k, COUNT(*) AS n FROM findings WHERE {' AND '.join(conds)} "
            f"GROUP BY k ORDER BY {order}", params)
        return {r["k"]: r["n"] for r in rows}

    # -- review --------------------------------------------------------------------------------
    def review(self, decision: Decision, expect_status: str | None = None) -> FindingRecord:
        check_decision(decision)

        def work(conn: sqlite3.Connection) -> None:
            # Inside the IMMEDIATE transaction: no other writer between this read and the
            # update, so the status check is a compare-and-set.
            found = conn.execute("SELECT status FROM findings WHERE id = ?",
                                 (decision.finding_id,)).fetchone()
            if not found:
                raise KeyError(f"no finding {decision.finding_id}")
            if expect_status is not None and found[0] != expect_status:
                raise DecisionConflict(decision.finding_id, found[0])
            conn.execute(
                'INSERT INTO decisions (finding_id, decision, "by", at, note, "to") '
                "VALUES (?, ?, ?, ?, ?, ?)",
                scrub([decision.finding_id, decision.decision, decision.by, stamp(decision.at),
                       decision.note or "", decision.to]))
            if decision.decision in ("forwarded", "reopened"):
                conn.execute("UPDATE findings SET status = ?, forwarded_to = ? WHERE id = ?",
                             (status_after(decision.decision), decision.to,
                              decision.finding_id))
            else:
                conn.execute("UPDATE findings SET status = ? WHERE id = ?",
                             (decision.decision, decision.finding_id))

        self.db.write(work)
        record = self.get_finding(decision.finding_id)
        assert record is not None
        return record

    def decisions(self, finding_id: str) -> list[Decision]:
        rows = self.db.read(
            'SELECT finding_id, decision, "by", at, note, "to" FROM decisions '
            "WHERE finding_id = ? ORDER BY seq", (finding_id,))
        return [Decision.from_dict(dict(r)) for r in rows]


    # -- administration (patrol store stats / sync) --------------------------------------------
    def stats(self) -> dict:
        def count(sql: str) -> int:
            return int(self.db.read_one(sql)[0])

        def grouped(sql: str) -> dict[str, int]:
            return {r[0]: r[1] for r in self.db.read(sql)}

        return {
            "backend": "sqlite", "url": self.url,
            "findings": count("SELECT COUNT(*) FROM findings"),
            "by_status": grouped("SELECT status, COUNT(*) FROM findings GROUP BY status "
                                 "ORDER BY 2 DESC"),
            "by_rule": grouped("SELECT rule, COUNT(*) FROM findings GROUP BY rule "
                               "ORDER BY 2 DESC"),
            "live": count("SELECT COUNT(*) FROM findings WHERE gone_at IS NULL"),
            "pages": count("SELECT COUNT(*) FROM pages"),
            "runs": count("SELECT COUNT(*) FROM runs"),
            "decisions": count("SELECT COUNT(*) FROM decisions"),
            "alerts": grouped("SELECT status, COUNT(*) FROM alerts GROUP BY status "
                              "ORDER BY 2 DESC"),
            "schema_version": self.schema_version(),
            "file_bytes": self.path.stat().st_size if self.path.exists() else 0,
        }

    def export_records(self, kind: str, batch: int = 500):
        """Every record of one kind (findings, pages, decisions, runs, alerts), in batches of
        records, oldest first, for copying the file to a cluster (`patrol store sync`)."""
        table, convert = {
            "findings": ("findings", R.finding_from_row),
            "pages": ("pages", R.page_from_row),
            "decisions": ("decisions", lambda r: (Decision.from_dict(dict(r)), r["seq"])),
            "runs": ("runs", lambda r: PatrolRun.from_dict(json.loads(r["doc"]))),
            "alerts": ("alerts", lambda r: AlertRecord.from_dict(json.loads(r["doc"]))),
        }[kind]
        key = "id" if kind in ("runs", "alerts") else "seq"
        last = None
        while True:
            where = f"WHERE {key} > ?" if last is not None else ""
            rows = self.db.read(f"SELECT * FROM {table} {where} ORDER BY {key} LIMIT ?",
                                [last, batch] if last is not None else [batch])
            if not rows:
                return
            yield [convert(r) for r in rows]
            last = rows[-1][key]

    def rebuild_search_index(self, batch: int = 2000) -> int:
        """Segment every finding and page again (after the segmentation changed, e.g. new
        domain words). Batch by batch, so searches keep working meanwhile."""
        done = 0
        for table, fts, tokens_of in (
                ("findings", "findings_fts", lambda r: finding_tokens(R.finding_from_row(r))),
                ("pages", "pages_fts",
                 lambda r: index_tokens(r["title"], (r["text"] or "")[:INDEX_TEXT_CHARS]))):
            last = 0
            while True:
                rows = self.db.read(f"SELECT * FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?",
                                    (last, batch))
                if not rows:
                    break
                entries = [(r["seq"], tokens_of(r)) for r in rows]

                def work(conn: sqlite3.Connection, entries=entries, fts=fts) -> None:
                    conn.executemany(f"DELETE FROM {fts} WHERE rowid = ?",
                                     [(seq,) for seq, _ in entries])
                    conn.executemany(f"INSERT INTO {fts} (rowid, tokens) VALUES (?, ?)",
                                     entries)

                self.db.write(work)
                done += len(rows)
                last = rows[-1]["seq"]
        return done
