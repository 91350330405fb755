"""One worker's part in one distributed run: what the scheduler, the middlewares, the spider
and the pipelines of that worker share about the run (attached to PatrolContext.distributed).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from . import runs
from .connection import SharedRedis
from .frontier import Limits, RedisFrontier

# Stats that are not sums over workers (times, the process's own figures) stay local.
LOCAL_STATS = ("start_time", "finish_time", "elapsed_time_seconds", "memusage/", "log_count/",
               "scheduler/", "finish_reason")
TEXT_STATS = ("patrol/operator/",)
END_LEASE_SECONDS = 0.01   # an ended host lease waits this long at most for a frontier pop


class RunMember:
    def __init__(self, shared: SharedRedis, run_id: str, limits: Limits,
                 lease_seconds: int, worker: str, deadline: float) -> None:
        self.shared = shared
        self.run_id = run_id
        self.lease_seconds = lease_seconds
        self.worker = worker
        self.deadline = deadline        # epoch seconds: the run's time limit, the same for all
        self.frontier = RedisFrontier(shared, run_id, limits, lease_seconds)
        self.holds: Counter[str] = Counter()   # entry id -> requests of it still in this worker
        self._flushed: dict[str, Any] = {}
        self.findings: list[str] = []
        # host leases taken with entries that have not reached the downloader yet (token ->
        # lease key): given back if the crawl ends first; Scrapy's robots.txt fetch uses them
        self.reserved: dict[str, str] = {}
        self.ended: list[tuple[str, str]] = []   # host leases (key, token) to end
        self._end_call: Any = None

    def stats_delta(self, stats: dict[str, Any]) -> tuple[dict[str, float], dict[str, str]]:
        """What the stats gained since the last flush (numbers) and their text values."""
        numbers: dict[str, float] = {}
        texts: dict[str, str] = {}
        for key, value in stats.items():
            if key.startswith(LOCAL_STATS) or self._flushed.get(key) == value:
                continue
            if key.startswith(TEXT_STATS) and isinstance(value, str):
                texts[key] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                if key == "patrol/crawl_delay":
                    texts[key] = str(value)
                else:
                    numbers[key] = value - self._flushed.get(key, 0)
            else:
                continue
            self._flushed[key] = value
        return numbers, texts

    def commit(self, pushes: list[Any], stats: dict[str, Any], ack: str | None = None) -> None:
        """Queue new requests, add stats and findings, acknowledge an entry: one transaction."""
        findings, self.findings = self.findings, []
        self.frontier.commit(pushes, stats=self.stats_delta(stats), findings=findings,
                             progress=time.time(), ack=ack)

    def end_lease(self, key: str, token: str) -> None:
        """A download's host lease ends: with the next frontier pop of this worker (which
        comes at once when a download ends), or on its own within END_LEASE_SECONDS."""
        from twisted.internet import reactor

        self.ended.append((key, token))
        if self._end_call is None or not self._end_call.active():
            self._end_call = reactor.callLater(END_LEASE_SECONDS, self.end_leases)

    def take_ended(self) -> list[tuple[str, str]]:
        ended, self.ended = self.ended, []
        return ended

    def end_leases(self) -> None:
        """End waiting host leases now (the leases' time ends them if Redis is away)."""
        if self._end_call is not None and self._end_call.active():
            self._end_call.cancel()
        ended = self.take_ended()
        if ended:
            self.frontier.release_leases(ended)
            if not self.shared.available:
                self.ended[:0] = ended    # Redis away: they go with a later call

    def add_findings(self, ids: list[str]) -> None:
        """Findings stored for the entry being handled (committed with its acknowledgement)."""
        self.findings.extend(ids)

    def set_crawl_delay(self, slot: str, delay: float) -> None:
        runs.set_crawl_delay(self.shared, self.run_id, slot, delay)
