"""Politeness across workers: a host's concurrency and delay are leases in Redis.

Before a request of a distributed run is downloaded, its worker takes a lease on one of the
host's slots (`limit` slots, the target's concurrency) and the host's next start time (its
delay, or the robots.txt Crawl-delay shared by the run). A lease ends when the download does,
or by itself after the lease time if its worker died. The wait is asynchronous: the worker's
other downloads go on. While Redis is unreachable no lease is granted: downloads pause.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from scrapy.exceptions import NotConfigured

from ..context import context_of
from . import runs
from .frontier import NOW_MS

HOST_PREFIX = "patrol:host:"
DELAY_REFRESH_SECONDS = 2.0

# Returns 0 when the lease is granted, else milliseconds to wait before asking again.
LEASE = NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 25 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then return nxt - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local delay = tonumber(ARGV[4])
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
return 0
"""


class HostSlotMiddleware:
    def __init__(self, crawler: Any, member: Any) -> None:
        self.crawler = crawler
        self.member = member
        self.shared = member.shared
        self.limit = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.delay = float(crawler.settings.get("PATROL_HOST_DELAY") or 0.0)
        self.lease_ms = int(member.lease_seconds * 1000)
        self._lease = self.shared.client.register_script(LEASE)
        self._delays: dict[str, float] = {}
        self._delays_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostSlotMiddleware:
        ctx = context_of(crawler)
        if ctx is None or ctx.distributed is None:
            raise NotConfigured  # a single-process patrol: Scrapy's own slots do this
        return cls(crawler, ctx.distributed)

    def _delay_for(self, slot: str) -> float:
        if time.monotonic() - self._delays_at > DELAY_REFRESH_SECONDS:
            self._delays = runs.crawl_delays(self.shared, self.member.run_id) or self._delays
            self._delays_at = time.monotonic()
        return max(self.delay, self._delays.get(slot, 0.0))

    async def process_request(self, request: Any) -> None:
        slot = self.crawler.engine.downloader.get_slot_key(request)
        token = uuid.uuid4().hex
        keys = [HOST_PREFIX + slot, HOST_PREFIX + slot + ":next"]
        while True:
            args = [token, self.limit, self.lease_ms, int(self._delay_for(slot) * 1000)]
            wait = self.shared.read(
                lambda c, args=args: self._lease(keys=keys, args=args, client=c), None)
            if wait == 0:
                break
            # Redis unreachable (None): pause this download and ask again.
            await asyncio.sleep(1.0 if wait is None else min(max(int(wait), 10), 1000) / 1000)
        request.meta["patrol_host_lease"] = (keys[0], token)

    def _release(self, request: Any) -> None:
        lease = request.meta.pop("patrol_host_lease", None)
        if lease is not None:
            key, token = lease
            self.shared.write(lambda c: c.zrem(key, token))

    def process_response(self, request: Any, response: Any) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        self._release(request)
