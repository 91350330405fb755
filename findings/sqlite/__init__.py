"""The embedded SQLite backend of the store."""

from .store import SQLiteStore

__all__ = ["SQLiteStore"]
