"""Politeness across workers: a host's concurrency and delay are leases in Redis.

Before a request of a distributed run is downloaded, its worker takes a lease on one of the
host's slots (`limit` slots, the target's concurrency) and the host's next start time (its
delay, or the robots.txt Crawl-delay shared by the run). A lease ends when the download does,
or by itself after the lease time if its worker died. The wait is asynchronous: the worker's
other downloads go on. While Redis is unreachable no lease is granted: downloads pause.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import NotConfigured

from ..context import context_of
from .frontier import NOW_MS, run_key

log = logging.getLogger(__name__)

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
        import redis.asyncio

        self.crawler = crawler
        self.member = member
        self.limit = max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        self.delay = float(crawler.settings.get("PATROL_HOST_DELAY") or 0.0)
        self.lease_ms = int(member.lease_seconds * 1000)
        # Its own asyncio client: waiting for Redis must not stall the worker's reactor.
        self.client = redis.asyncio.Redis.from_url(member.shared.url, socket_timeout=5,
                                                   socket_connect_timeout=2)
        self._lease = self.client.register_script(LEASE)
        self._delays: dict[str, float] = {}
        self._delays_at = 0.0
        self._warned = False
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostSlotMiddleware:
        ctx = context_of(crawler)
        if ctx is None or ctx.distributed is None:
            raise NotConfigured  # a single-process patrol: Scrapy's own slots do this
        return cls(crawler, ctx.distributed)

    async def _closed(self) -> None:
        await self.client.aclose()

    async def _delay_for(self, slot: str) -> float:
        if time.monotonic() - self._delays_at > DELAY_REFRESH_SECONDS:
            raw = await self.client.hgetall(run_key(self.member.run_id, "delays"))
            self._delays = {k.decode(): float(v) for k, v in raw.items()}
            self._delays_at = time.monotonic()
        return max(self.delay, self._delays.get(slot, 0.0))

    async def process_request(self, request: Any) -> None:
        slot = self.crawler.engine.downloader.get_slot_key(request)
        token = uuid.uuid4().hex
        keys = [HOST_PREFIX + slot, HOST_PREFIX + slot + ":next"]
        while True:
            try:
                delay_ms = int(await self._delay_for(slot) * 1000)
                wait = await self._lease(keys=keys,
                                         args=[token, self.limit, self.lease_ms, delay_ms])
            except redis.RedisError as exc:
                if not self._warned:
                    log.warning("Redis unreachable for host leases (%s): downloads pause", exc)
                    self._warned = True
                await asyncio.sleep(1.0)
                continue
            self._warned = False
            if wait == 0:
                break
            await asyncio.sleep(min(max(int(wait), 10), 1000) / 1000)
        request.meta["patrol_host_lease"] = (keys[0], token)

    def _release(self, request: Any) -> None:
        lease = request.meta.pop("patrol_host_lease", None)
        if lease is None:
            return
        key, token = lease

        async def release() -> None:
            try:
                await self.client.zrem(key, token)
            except redis.RedisError:
                pass   # the lease ends by itself after lease_ms

        asyncio.ensure_future(release())

    def process_response(self, request: Any, response: Any) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        self._release(request)
