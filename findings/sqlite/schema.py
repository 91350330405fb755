"""The SQLite schema and its migrations, applied in order and recorded in `schema_version`.

A migration is a list of statements; each runs once, inside the writer's transaction, and the
version row is written in the same transaction, so a crash mid-migration leaves the old version
in place and `migrate()` simply runs it again. Never edit a released migration: add one.

Times are stored as UTC ISO-8601 strings with microseconds (`stamp()`), so that string order is
time order and indexes on them serve range filters and keyset pagination.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from ..model import from_iso


def stamp(value: datetime | str | None) -> str | None:
    """Canonical stored form of a time: fixed-width UTC ISO-8601, sortable as a string."""
    value = from_iso(value)
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# Higher weight sorts first; one index direction serves "severity" order and its cursor.
SEVERITY_WEIGHT = {"high": 3, "medium": 2, "low": 1}

MIGRATIONS: list[list[str]] = [
    # 1: findings, pages, runs, decisions, alerts, locks, full-text indexes
    [
        """CREATE TABLE findings (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            rule TEXT NOT NULL, severity TEXT NOT NULL, sev_weight INTEGER NOT NULL,
            evidence TEXT NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL,
            clause TEXT NOT NULL, lead TEXT NOT NULL, source TEXT NOT NULL,
            captured_at TEXT NOT NULL, rule_name TEXT NOT NULL DEFAULT '',
            annual_rate REAL, normalized TEXT NOT NULL DEFAULT '',
            context TEXT NOT NULL DEFAULT '', context_start INTEGER NOT NULL DEFAULT 0,
            content_hash TEXT NOT NULL DEFAULT '', domain TEXT NOT NULL DEFAULT '',
            target TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'page',
            page_id TEXT, run_id TEXT, platform TEXT, sentiment REAL, operator TEXT,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, gone_at TEXT,
            status TEXT NOT NULL DEFAULT 'new', forwarded_to TEXT,
            extra TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX findings_last_seen ON findings (last_seen, id)",
        "CREATE INDEX findings_severity ON findings (sev_weight, last_seen, id)",
        "CREATE INDEX findings_rule ON findings (rule, last_seen)",
        "CREATE INDEX findings_status ON findings (status, last_seen)",
        "CREATE INDEX findings_lead ON findings (lead, last_seen)",
        "CREATE INDEX findings_domain ON findings (domain, last_seen)",
        "CREATE INDEX findings_target ON findings (target, last_seen)",
        "CREATE INDEX findings_platform ON findings (platform, last_seen)",
        "CREATE INDEX findings_source ON findings (source, gone_at)",
        "CREATE INDEX findings_first_seen ON findings (first_seen)",
        "CREATE VIRTUAL TABLE findings_fts USING fts5(tokens, tokenize='unicode61')",
        """CREATE TABLE pages (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL, captured_at TEXT NOT NULL, final_url TEXT NOT NULL DEFAULT '',
            status INTEGER NOT NULL DEFAULT 0, title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '', operator TEXT, content_hash TEXT NOT NULL DEFAULT '',
            domain TEXT NOT NULL DEFAULT '', target TEXT NOT NULL DEFAULT '', run_id TEXT,
            rendered INTEGER NOT NULL DEFAULT 0, evidence TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX pages_url ON pages (url, captured_at)",
        "CREATE INDEX pages_run ON pages (run_id)",
        "CREATE VIRTUAL TABLE pages_fts USING fts5(tokens, tokenize='unicode61')",
        """CREATE TABLE decisions (
            seq INTEGER PRIMARY KEY,
            finding_id TEXT NOT NULL, decision TEXT NOT NULL, "by" TEXT NOT NULL,
            at TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', "to" TEXT
        )""",
        "CREATE INDEX decisions_finding ON decisions (finding_id, seq)",
        # The audit log is append-only, also for anyone with a SQL shell.
        """CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
           BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END""",
        """CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
           BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END""",
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY, target TEXT NOT NULL, started_at TEXT NOT NULL,
            status TEXT NOT NULL, doc TEXT NOT NULL
        )""",
        "CREATE INDEX runs_started ON runs (started_at)",
        "CREATE INDEX runs_target ON runs (target, started_at)",
        """CREATE TABLE alerts (
            id TEXT PRIMARY KEY, "key" TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            department TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL,
            created_at TEXT NOT NULL, next_attempt_at TEXT, doc TEXT NOT NULL
        )""",
        "CREATE INDEX alerts_due ON alerts (status, next_attempt_at, created_at)",
        "CREATE INDEX alerts_created ON alerts (created_at)",
        """CREATE TABLE locks (
            name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL
        )""",
    ],
    # 2: the review queue filters on status (and rule or kind) and sorts by severity, then
    # newest; without these, SQLite read every new finding and sorted it in a temporary table
    # (p95 1.4 s on 200,000 findings; 56 ms with them, benchmarks/console_speed.py).
    [
        "CREATE INDEX findings_queue ON findings (status, sev_weight, last_seen, id)",
        "CREATE INDEX findings_queue_rule ON findings (status, rule, sev_weight, last_seen, id)",
        "CREATE INDEX findings_queue_kind ON findings (status, kind, sev_weight, last_seen, id)",
        "ANALYZE",
    ],
    # 3: where a finding's and a page's WARC capture is (file, offset, length)
    [
        "ALTER TABLE findings ADD COLUMN warc_file TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE findings ADD COLUMN warc_offset INTEGER",
        "ALTER TABLE findings ADD COLUMN warc_length INTEGER",
        "ALTER TABLE pages ADD COLUMN warc_file TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE pages ADD COLUMN warc_offset INTEGER",
        "ALTER TABLE pages ADD COLUMN warc_length INTEGER",
        "CREATE INDEX findings_warc ON findings (warc_file)",
    ],
    # 4: when a post was written (posted_at) and the date counts go by (dated_at: posted_at,
    # else first_seen; rows.finding_row), so an old post found today is not counted as today's
    [
        "ALTER TABLE findings ADD COLUMN posted_at TEXT",
        "ALTER TABLE findings ADD COLUMN dated_at TEXT",
        "UPDATE findings SET dated_at = first_seen",
        "CREATE INDEX findings_dated ON findings (dated_at)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def apply_migrations(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION inside the caller's transaction; returns how many
    migrations ran. Refuses a file written by a newer version of the program."""
    conn.execute("""CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)""")
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"store schema version {version} is newer than this program's "
                           f"{SCHEMA_VERSION}; upgrade the program")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[number - 1]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                     (number, stamp(datetime.now(UTC))))
    return SCHEMA_VERSION - version
