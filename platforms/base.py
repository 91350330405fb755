"""The ledger's storage contract. One backend today (SQLite, `platforms/sqlite_store.py`); a
cluster backend can implement the same methods later, as the findings store does."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .model import Classification, Event, Platform, Score
from .tips import Tip


@dataclass
class PlatformQuery:
    classification: str = ""
    kind: str = ""
    lead: str = ""
    min_score: int | None = None
    text: str = ""                 # substring of name, operator or a domain
    include_merged: bool = False
    limit: int = 500


class PlatformStore(ABC):
    """Platforms with their domains, history, classifications and scores."""

    @abstractmethod
    def migrate(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> PlatformStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def get(self, platform_id: str) -> Platform | None: ...

    @abstractmethod
    def by_domain(self, domain: str) -> Platform | None:
        """The live (not merged) platform that owns `domain` (exact host, lower case)."""

    @abstractmethod
    def by_credit_code(self, code: str) -> Platform | None: ...

    @abstractmethod
    def by_name(self, name: str) -> Platform | None:
        """The live platform with this name, operator name or alias."""

    @abstractmethod
    def query(self, query: PlatformQuery) -> list[Platform]:
        """Highest score first, then name."""

    @abstractmethod
    def save(self, platform: Platform, event: Event) -> None:
        """Insert or replace a platform (and its domain index) with one history line, atomically.
        Raises ValueError when one of its domains belongs to another live platform."""

    @abstractmethod
    def save_pair(self, first: Platform, second: Platform, event: Event) -> None:
        """Save two records that exchange domains (a merge or a split) atomically, with the
        event on both histories (`event.platform_id` is the first's)."""

    @abstractmethod
    def events(self, platform_id: str) -> list[Event]:
        """Oldest first."""

    @abstractmethod
    def classify(self, decision: Classification) -> Platform:
        """Append a classification and set the platform's class and deadline."""

    @abstractmethod
    def classifications(self, platform_id: str) -> list[Classification]:
        """Oldest first."""

    @abstractmethod
    def record_score(self, score: Score) -> bool:
        """Keep a score if it differs from the last one (score, proposal or reasons); always
        set the platform's current score and proposal. True when a history line was added."""

    @abstractmethod
    def scores(self, platform_id: str, limit: int = 50) -> list[Score]:
        """Newest first."""

    @abstractmethod
    def due_rectifications(self, now: datetime) -> list[Platform]:
        """Platforms classified 整改 whose deadline has passed."""

    # -- products --------------------------------------------------------------------------------
    @abstractmethod
    def save_products(self, platform_id: str, products: list[Any]) -> None:
        """Upsert products (platforms.products.Product): first_seen kept, last_seen advanced,
        a rate observation appended when the rate changed."""

    @abstractmethod
    def products(self, platform_id: str) -> list[Any]:
        """The platform's products, highest rate first."""

    # -- tips (举报) ----------------------------------------------------------------------------
    @abstractmethod
    def add_tip(self, tip: Tip) -> None: ...

    @abstractmethod
    def get_tip(self, receipt: str) -> Tip | None: ...

    @abstractmethod
    def update_tip(self, tip: Tip) -> None: ...

    @abstractmethod
    def list_tips(self, status: str = "", limit: int = 200) -> list[Tip]:
        """Newest first."""

    @abstractmethod
    def count_tips(self, since: datetime, addr_key: str = "") -> int:
        """Tips received since `since` (from one address key when given)."""
