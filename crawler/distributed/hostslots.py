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
from scrapy.utils.httpobj import urlparse_cached

from ..context import context_of
from .frontier import LEASE_HOST, NOW_MS, run_key

log = logging.getLogger(__name__)

HOST_PREFIX = "patrol:host:"

# The lease of frontier.LEASE_HOST for one request: 0 when granted, else ms to wait.
LEASE = NOW_MS + LEASE_HOST + """
return lease_host(KEYS[1], KEYS[2], KEYS[3], ARGV[5], ARGV[1], tonumber(ARGV[2]),
                  tonumber(ARGV[3]), tonumber(ARGV[4]), now)
"""
LEASE_META = "patrol_host_lease"    # (lease key, token) of the lease a request holds


def slot_of(request: Any) -> str:
    """The download slot of `request` as Scrapy's downloader names it (get_slot_key without
    per-IP concurrency, which patrols do not use): known before a downloader exists, so the
    frontier can tell which host's lease a waiting request needs."""
    slot = request.meta.get("download_slot")
    return slot if slot is not None else (urlparse_cached(request).hostname or "")


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
        key = HOST_PREFIX + slot
        taken = request.meta.get(LEASE_META)
        if taken is not None:
            self.member.reserved.pop(taken[1], None)
            if taken[0] == key:
                return              # leased with the request when it left the frontier
            self._release(request)  # made for another host on its way here
        elif request.meta.get("dont_obey_robotstxt") and key in self.member.reserved.values():
            # Scrapy's robots.txt middleware fetches the host's robots.txt while a request of
            # this worker that holds a lease on the host waits for it: the fetch uses that
            # idle lease (waiting for another would deadlock a host of one slot).
            return
        token = uuid.uuid4().hex
        keys = [key, key + ":next", run_key(self.member.run_id, "delays")]
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
            self.crawler.stats.inc_value("distributed/host_lease_waits")
            await asyncio.sleep(min(max(int(wait), 10), 1000) / 1000)
        request.meta[LEASE_META] = (key, token)

    def _release(self, request: Any) -> None:
        lease = request.meta.pop(LEASE_META, None)
        if lease is None:
            return
        key, token = lease
        self.member.reserved.pop(token, None)
        # Ended with this worker's next frontier pop, in order on its own connection: that pop
        # must see the slot free (the host's next request is most often this worker's).
        self.member.end_lease(key, token)

    def process_response(self, request: Any, response: Any) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Any, exception: Exception) -> None:
        self._release(request)
