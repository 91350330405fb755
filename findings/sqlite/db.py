"""Connections to the SQLite file: one writer, many readers, no `database is locked` escaping.

In one process every write goes through one connection guarded by a lock. Across processes
(the scheduler, several `patrol crawl` runs, the console) WAL lets readers go on while one writer
writes; a writer waits for another with the busy timeout, and a transaction that still meets a
busy database is retried with backoff until `write_timeout` has passed. Write transactions start
with BEGIN IMMEDIATE so that a read-then-write transaction never has to upgrade its lock (the
one case where SQLite reports busy without waiting).
"""

from __future__ import annotations

import errno
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from common.timefmt import local_day, local_week, zone

from ..model import from_iso

log = logging.getLogger(__name__)
T = TypeVar("T")

_BUSY_MARKERS = ("database is locked", "database is busy", "database table is locked")


def _local_day(stamp: str | None, tz_name: str) -> str | None:
    """SQL patrol_day(first_seen, zone): the stored UTC instant's local day, YYYY-MM-DD."""
    return local_day(from_iso(stamp), zone(tz_name)) if stamp else None


def _local_week(stamp: str | None, tz_name: str) -> str | None:
    """SQL patrol_week(first_seen, zone): the Monday of the instant's local week."""
    return local_week(from_iso(stamp), zone(tz_name)) if stamp else None


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(
        m in str(exc).lower() for m in _BUSY_MARKERS)


class Database:
    """The SQLite file with its writer connection and per-thread reader connections."""

    def __init__(self, path: Path, busy_timeout: float = 10.0, write_timeout: float = 120.0,
                 synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.write_timeout = write_timeout
        self.synchronous = synchronous
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.RLock()
        self._batch_depth = 0        # > 0 while a batch's transaction is open (writer thread)
        self.pool_size = 8
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False

    # -- connections ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.create_function("patrol_day", 2, _local_day, deterministic=True)
            conn.create_function("patrol_week", 2, _local_week, deterministic=True)
            self._retry(lambda: conn.execute("PRAGMA journal_mode=WAL"))
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
            raise self._why_unopenable(exc) from exc
        conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA cache_size=-32000")
        conn.execute("PRAGMA mmap_size=268435456")
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _why_unopenable(self, exc: sqlite3.OperationalError) -> Exception:
        """SQLite says only "unable to open database file" when the folder cannot be written (a
        WAL database needs its -wal and -shm files beside it): name the real cause, so that the
        patrol stops as on a full disk (exit 74) or an unwritable folder (73)."""
        if "unable to open" not in str(exc):
            return exc
        folder = self.path.parent
        try:
            read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            return exc
        if read_only:
            return OSError(errno.EROFS, f"the store's file system is read-only: {folder}")
        if not os.access(folder, os.W_OK):
            return PermissionError(errno.EACCES, f"the store's folder cannot be written: {folder}")
        return exc

    def _check_process(self) -> None:
        """After a fork, the parent's connections must not be used: open fresh ones."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._all = []
            self._all_lock = threading.Lock()
            self._write_lock = threading.RLock()
            self._batch_depth = 0
            self._idle = []
            self._writer = None
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """Borrow a reader connection from the pool (threads come and go, connections stay)."""
        self._check_process()
        with self._all_lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._all_lock:
                keep = len(self._idle) < self.pool_size and not self._closed
                if keep:
                    self._idle.append(conn)
                elif conn in self._all:
                    self._all.remove(conn)
            if not keep:
                conn.close()

    def _writer_conn(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = self._connect()
        return self._writer

    # -- transactions --------------------------------------------------------------------------
    def _retry(self, action: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.write_timeout
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() > deadline:
                    raise
                log.debug("sqlite busy, retrying: %s", exc)
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` in one IMMEDIATE transaction on the writer connection, retried
        as a whole while the database is busy. `work` must be safe to run again."""
        self._check_process()
        with self._write_lock:
            conn = self._writer_conn()
            if self._batch_depth:   # inside batch(): its transaction holds this write too
                return work(conn)

            def attempt() -> T:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                    conn.execute("COMMIT")
                    return result
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise

            return self._retry(attempt)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write() inside runs in one IMMEDIATE transaction: all committed, or (on any
        exception, a full disk included) all rolled back. Nested batches join the outer one.
        Other threads' writes wait for it (the writer lock is held throughout)."""
        self._check_process()
        with self._write_lock:
            if self._batch_depth:
                self._batch_depth += 1
                try:
                    yield
                finally:
                    self._batch_depth -= 1
                return
            conn = self._writer_conn()
            self._retry(lambda: conn.execute("BEGIN IMMEDIATE"))
            self._batch_depth = 1
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._batch_depth = 0

    def read(self, sql: str, params: tuple | list | dict = ()) -> list[sqlite3.Row]:
        with self.reader() as conn:
            return self._retry(lambda: conn.execute(sql, params).fetchall())

    def read_one(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Row | None:
        rows = self.read(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one consistent state of the file."""
        with self.reader() as conn:
            self._retry(lambda: conn.execute("BEGIN"))
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def close(self) -> None:
        if os.getpid() != self._pid:
            return
        with self._all_lock:
            conns, self._all = self._all, []
            self._idle = []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:  # noqa: PERF203 - closing is best effort
                pass
        self._writer = None
        self._closed = True
