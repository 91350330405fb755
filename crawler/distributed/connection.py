"""The Redis client of the distributed patrol, made to outlive a Redis restart or outage.

A worker must pause, not crash, while Redis is unreachable, and lose nothing: a write that
fails waits in an ordered backlog and is replayed, in order, before anything else once Redis
answers again; a read that fails answers "nothing now" so the caller waits and asks again.
Retries are spaced (RETRY_SECONDS) so that a dead server is not hammered.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import redis

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_SECONDS = 1.0


def connect(url: str) -> redis.Redis:
    """A client with short timeouts: an unanswering server must not freeze the reactor long."""
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2,
                                health_check_interval=10)


class SharedRedis:
    def __init__(self, url: str, client: redis.Redis | None = None) -> None:
        self.url = url
        self.client = client or connect(url)
        self.backlog: deque[Callable[[redis.Redis], Any]] = deque()
        self.down_since: float | None = None
        self._next_try = 0.0

    @property
    def available(self) -> bool:
        return self.down_since is None

    def _usable(self) -> bool:
        if self.down_since is None:
            return True
        return time.monotonic() >= self._next_try

    def _failed(self, exc: Exception) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.warning("Redis %s unreachable (%s): pausing; writes wait locally", self.url, exc)
        self._next_try = time.monotonic() + RETRY_SECONDS

    def _recovered(self, replayed: int) -> None:
        if self.down_since is not None:
            log.warning("Redis %s answers again after %.0f s; %d waiting writes replayed",
                        self.url, time.monotonic() - self.down_since, replayed)
            self.down_since = None

    def _flush(self) -> None:
        while self.backlog:
            self.backlog[0](self.client)
            self.backlog.popleft()

    def write(self, op: Callable[[redis.Redis], Any]) -> None:
        """Run `op` now, or after the writes before it once Redis is back."""
        self.backlog.append(op)
        if not self._usable():
            return
        waiting = len(self.backlog) - 1
        try:
            self._flush()
        except redis.RedisError as exc:
            self._failed(exc)
            return
        self._recovered(waiting)

    def read(self, op: Callable[[redis.Redis], T], default: T) -> T:
        """The answer of `op`, or `default` while Redis is unreachable (pending writes first)."""
        if not self._usable():
            return default
        waiting = len(self.backlog)
        try:
            self._flush()
            result = op(self.client)
        except redis.RedisError as exc:
            self._failed(exc)
            return default
        self._recovered(waiting)
        return result

    def close(self) -> None:
        self.client.close()
