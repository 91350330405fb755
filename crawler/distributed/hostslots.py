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
import uuid
from typing import Any

import redis
from scrapy import signals
from scrapy.exceptions import NotConfigured

from ..context import context_of
from .frontier import NOW_MS, run_key

log = logging.getLogger(__name__)

HOST_PREFIX = "patrol:host:"

# Returns 0 when the lease is granted, else milliseconds to wait before asking again. The delay
# is the larger of the target's and the run's robots.txt Crawl-delay for the host (KEYS[3]),
# read here so that every worker honours it from the moment one worker read robots.txt.
LEASE = NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 25 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then return nxt - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local delay = math.floor(math.max(tonumber(ARGV[4]),
  1000 * tonumber(redis.call('HGET', KEYS[3], ARGV[5]) or '0')))
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

    async def process_request(self, request: Any) -> None:
        slot = self.crawler.engine.downloader.get_slot_key(request)
        token = uuid.uuid4().hex
        keys = [HOST_PREFIX + slot, HOST_PREFIX + slot + ":next",
                run_key(self.member.run_id, "delays")]
        args = [token, self.limit, self.lease_ms, int(self.delay * 1000), slot]
        while True:
            try:
                wait = await self._lease(keys=keys, args=args)
            except (redis.RedisError, OSError, asyncio.IncompleteReadError) as exc:
                # Any failure to talk to Redis pauses this download; it must never fail the
                # request (a failed request is acknowledged: its page would be lost).
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
