"""The cluster store's link to the cluster: lazy connection, spooling while it is away, replay.

Writes go through `_submit(op, payload)`: with the cluster up they are applied at once; when
the cluster cannot be reached (after the adapter's retries) they are queued in the local spool
and the store stays "down" for `probe_seconds`, during which writes go straight to the spool
without waiting. The next write after that probes the cluster; when it answers, the store
migrates if it never could, replays the spool in order, and goes on. Reads need the cluster
and raise ClusterUnavailable while it is away.

Searches see writes after a refresh; the store refreshes an index before searching it only if
this store wrote to it since, or has not searched it yet (read-your-writes in one process, no
refresh cost otherwise; other writers' documents show within the 1 s refresh interval).
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import indices
from .clients import Adapter, ClusterUnavailable, NotFound, connect
from .mappings import alias
from .spool import Spool

log = logging.getLogger(__name__)


def quote(doc_id: str) -> str:
    return urllib.parse.quote(doc_id, safe="")


class ClusterLink:
    url: str

    def _init_link(self, url: str, spool_path: Path, index_prefix: str = "patrol",
                   username: str | None = None, password: str | None = None,
                   verify_certs: bool = True, bulk_size: int = 500,
                   request_timeout: float = 30.0, retry_seconds: float = 30.0,
                   probe_seconds: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.prefix = index_prefix
        self.bulk_size = bulk_size
        self.probe_seconds = probe_seconds
        self._connect_args = dict(username=username, password=password,
                                  verify_certs=verify_certs, request_timeout=request_timeout,
                                  retry_seconds=retry_seconds)
        self._adapter: Adapter | None = None
        self._migrated = False
        self._down_until = 0.0
        # A new store first refreshes what it searches, so it sees everything written before
        # it was opened (e.g. `patrol findings` right after a patrol), then only after its own
        # writes.
        self._dirty: set[str] = {"findings", "pages", "decisions", "runs", "alerts"}
        self._lock = threading.RLock()
        self.spool = Spool(spool_path)
        self._pending = self.spool.count()
        self._appliers: dict[str, Callable[[Any], Any]] = {}

    # -- connection ----------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.client.kind

    @property
    def client(self) -> Adapter:
        if self._adapter is None:
            self._adapter = connect(self.url, **self._connect_args)
        return self._adapter

    def index(self, name: str) -> str:
        return alias(self.prefix, name)

    def migrate(self) -> None:
        """Create or migrate the indexes. With the cluster away, the store starts anyway: its
        writes are spooled and it migrates when the cluster answers."""
        try:
            with self._lock:
                indices.ensure_all(self.client, self.prefix)
                self._migrated = True
        except ClusterUnavailable as exc:
            log.warning("cluster %s unreachable (%s); writes are spooled until it is back",
                        self.url, exc)
            self._down_until = time.monotonic() + self.probe_seconds
        if self._migrated and self._pending:
            self.replay()

    def available(self) -> bool:
        """Probe the cluster (one quick attempt) and bring the store up to date if it answers."""
        try:
            self.client.info(retry_seconds=0)
            if not self._migrated:
                indices.ensure_all(self.client, self.prefix)
                self._migrated = True
        except ClusterUnavailable:
            self._down_until = time.monotonic() + self.probe_seconds
            return False
        self._down_until = 0.0
        return True

    # -- writes --------------------------------------------------------------------------------
    def _submit(self, op: str, payload: Any, offline: Callable[[], Any], key: str | None = None,
                touches: tuple[str, ...] = ()) -> Any:
        """Apply a write now, or queue it; `offline()` gives the answer for a queued write."""
        with self._lock:
            if self._pending or time.monotonic() < self._down_until or not self._migrated:
                if time.monotonic() < self._down_until or not self.available() or not \
                        self.replay():
                    return self._queue(op, payload, key, offline)
            try:
                result = self._appliers[op](payload)
            except ClusterUnavailable as exc:
                log.warning("cluster %s unreachable (%s); spooling %s", self.url, exc, op)
                self._down_until = time.monotonic() + self.probe_seconds
                return self._queue(op, payload, key, offline)
            self._dirty.update(touches)
            return result

    def _queue(self, op: str, payload: Any, key: str | None, offline: Callable[[], Any]) -> Any:
        answer = offline()
        if op == "upsert_findings":  # records -> documents (without tokens: made on replay)
            from .docs import finding_source

            payload = [finding_source(f) if not isinstance(f, dict) else f for f in payload]
        self.spool.push(op, payload, key)
        self._pending += 1
        return answer

    def replay(self) -> bool:
        """Apply queued writes in order; True when the spool is empty afterwards."""
        with self._lock:
            while True:
                batch = self.spool.head(100)
                if not batch:
                    self._pending = 0
                    return True
                for seq, op, payload in batch:
                    try:
                        self._appliers[op](payload)
                    except ClusterUnavailable as exc:
                        log.warning("replay stopped, cluster unreachable again: %s", exc)
                        self._down_until = time.monotonic() + self.probe_seconds
                        self._pending = self.spool.count()
                        return False
                    except Exception as exc:  # noqa: BLE001 - one bad write must not block the rest
                        log.error("queued %s failed on replay, kept as rejected: %s", op, exc)
                        self.spool.reject(self.index(op), None, op, repr(exc), payload)
                    self.spool.remove(seq)
                self._dirty.update(("findings", "pages", "decisions", "runs", "alerts"))
                log.info("replayed %d queued writes to %s", len(batch), self.url)

    def pending(self) -> int:
        """Writes waiting in the spool for the cluster."""
        return self.spool.count()

    def rejected(self, limit: int = 100) -> list[dict[str, Any]]:
        """Documents the cluster refused, newest first: index, id, op, error, document."""
        return self.spool.rejected(limit)

    # -- reads ---------------------------------------------------------------------------------
    def _fresh(self, *names: str) -> None:
        stale = [n for n in names if n in self._dirty]
        if stale:
            indices.refresh(self.client, self.prefix, stale)
            self._dirty.difference_update(stale)

    def _require_up(self) -> None:
        if time.monotonic() < self._down_until:
            raise ClusterUnavailable(f"cluster {self.url} is unreachable (retrying shortly)")

    def _search(self, name: str, body: dict[str, Any],
                params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._require_up()
        self._fresh(name)
        return self.client.request("POST", f"/{self.index(name)}/_search", params=params,
                                   body=body)

    def _get(self, name: str, doc_id: str,
             params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        self._require_up()
        try:
            return self.client.request("GET", f"/{self.index(name)}/_doc/{quote(doc_id)}",
                                       params=params)
        except NotFound:
            return None

    def close_link(self) -> None:
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None
        self.spool.close()

    def drop_indexes(self) -> None:
        """Delete this store's indexes and templates (tests and benchmarks only)."""
        indices.delete_all(self.client, self.prefix)
        self._migrated = False
