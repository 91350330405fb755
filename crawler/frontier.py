"""Which discovered URLs become requests: duplicates out, and caps on pages per target, per
host and per path pattern, so that an endless calendar or a session-id URL space cannot eat a
patrol run's page budget."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .urls import host_of, path_pattern

# Reasons, also skip kinds in the crawl summary ("duplicate" is not counted as a skip).
DUPLICATE = "duplicate"
PAGE_LIMIT = "page_limit"
HOST_CAP = "host_cap"
PATTERN_CAP = "pattern_cap"


@dataclass
class Frontier:
    max_pages: int
    max_per_host: int
    max_per_pattern: int
    seen: set[str] = field(default_factory=set)
    per_host: Counter[str] = field(default_factory=Counter)
    per_pattern: Counter[str] = field(default_factory=Counter)
    admitted: int = 0

    def admit(self, canonical: str, *, forced: bool = False) -> str | None:
        """Admit a canonical URL as a page to fetch, or say why not.

        `forced` (start URLs) bypasses the pattern and host caps but not the page limit.
        """
        if canonical in self.seen:
            return DUPLICATE
        if self.admitted >= self.max_pages:
            return PAGE_LIMIT
        host, pattern = host_of(canonical), path_pattern(canonical)
        if not forced:
            if self.per_host[host] >= self.max_per_host:
                return HOST_CAP
            if self.per_pattern[pattern] >= self.max_per_pattern:
                return PATTERN_CAP
        self.seen.add(canonical)
        self.per_host[host] += 1
        self.per_pattern[pattern] += 1
        self.admitted += 1
        return None

    def mark_seen(self, canonical: str) -> None:
        """Remember a URL reached another way (a redirect's target) so links to it are dups."""
        self.seen.add(canonical)
