"""OCR results by the image's SHA-256: in memory for the run, and in SQLite under the data home
so that an unchanged banner is never read again, in this run or the next."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from .result import OcrResult

CACHE_VERSION = "rapidocr-1.4/2"   # results of another engine or format are not reused
# (/2: no spaces between Chinese characters)


class OcrCache:
    def __init__(self, path: Path | None) -> None:
        self._memory: dict[str, OcrResult] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS ocr (sha256 TEXT PRIMARY KEY, "
                             "version TEXT NOT NULL, result TEXT NOT NULL)")
            self._db.commit()

    def get(self, sha256: str) -> OcrResult | None:
        with self._lock:
            hit = self._memory.get(sha256)
            if hit is not None or self._db is None:
                return hit
            row = self._db.execute("SELECT result FROM ocr WHERE sha256 = ? AND version = ?",
                                   (sha256, CACHE_VERSION)).fetchone()
            if row is None:
                return None
            try:
                result = OcrResult.from_dict(json.loads(row[0]))
            except (ValueError, KeyError, TypeError):
                return None   # a damaged row is read again
            self._memory[sha256] = result
            return result

    def put(self, sha256: str, result: OcrResult) -> None:
        with self._lock:
            self._memory[sha256] = result
            if self._db is not None:
                self._db.execute("INSERT OR REPLACE INTO ocr VALUES (?, ?, ?)",
                                 (sha256, CACHE_VERSION, json.dumps(result.to_dict(),
                                                                    ensure_ascii=False)))
                self._db.commit()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
