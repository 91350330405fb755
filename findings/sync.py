"""Copy an SQLite store to a cluster store (`patrol store sync`): idempotent, resumable.

Every record keeps its id on the cluster (findings, pages, runs and alerts by their own ids,
decisions by a hash of their content), so running the copy again overwrites instead of
doubling; the SQLite file stays the source of truth for what it holds.
"""

from __future__ import annotations

from collections.abc import Callable

from .cluster import ClusterStore
from .sqlite import SQLiteStore

KINDS = ("findings", "pages", "decisions", "runs", "alerts")


def sync(source: SQLiteStore, dest: ClusterStore, batch: int = 5000,
         progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every record; returns how many of each kind were written."""
    copied = {}
    for kind in KINDS:
        n = 0
        for records in source.export_records(kind, batch):
            dest.load(kind, records)
            n += len(records)
            if progress:
                progress(kind, n)
        copied[kind] = n
    return copied
