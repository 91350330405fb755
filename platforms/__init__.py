"""The campaign's ledger (台账): platforms, their risk score with reasons, their class
(合规/整改/取缔/待定) with sign-off and history, and the blacklist exchange.

Imports settings, findings and the analyzers' licensed-name key only: no Scrapy, no Flask.
Storage sits behind `base.PlatformStore`; `open_ledger` gives the SQLite file under the data home.
"""

from __future__ import annotations

from typing import Any

from .base import PlatformQuery, PlatformStore
from .model import CLASSES, KINDS, Classification, Event, Platform, Score

LEDGER_FILE = "platforms.sqlite3"

__all__ = ["CLASSES", "KINDS", "LEDGER_FILE", "Classification", "Event", "Platform",
           "PlatformQuery", "PlatformStore", "Score", "open_ledger"]


def open_ledger(settings: Any) -> PlatformStore:
    """Open (and migrate) the ledger of the data home the settings name."""
    from .sqlite_store import SQLitePlatformStore

    store = SQLitePlatformStore(settings.data_path(LEDGER_FILE))
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store
