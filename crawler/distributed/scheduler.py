"""The Scrapy scheduler of a worker in a distributed run: scrapy-redis's Scheduler (queue
serialization, fingerprints) on the run's reliable frontier (crawler.distributed.frontier).

- New requests are admitted and queued in Redis; the page admission (page budget, per-host and
  per-pattern caps) happens there, once for all workers, and refusals are counted here.
- A request taken from Redis carries its entry id. What the downloader makes of it (a redirect,
  a retry, the Chromium render of a page) stays in this worker under the same entry, whose
  lease this worker renews; the entry is acknowledged when the last of them has been fully
  handled by the spider and the item pipelines (the page stored, its links queued). A worker
  that dies acknowledges nothing, so its entries return to the queue when their lease ends.
- The spider stays open while the run has work anywhere; when the frontier is drained, one
  worker finishes the run (crawler.distributed.finish) and every worker's spider closes.
"""

from __future__ import annotations

import inspect
import logging
import time
from types import SimpleNamespace
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from ..context import PatrolContext, context_of
from ..skips import count_skip
from ..urls import host_of, path_pattern
from . import runs
from .frontier import Admission, HostRoom, run_key
from .hostslots import HOST_PREFIX, LEASE_META, slot_of

log = logging.getLogger(__name__)
ENTRY = "patrol_frontier_entry"
POLL_SECONDS = 0.2          # how often an idle worker asks the frontier for work
BUSY_POLL_SECONDS = 0.02    # ... while the work waiting is for hosts busy with other workers
REFUSALS = ("page_limit", "host_cap", "pattern_cap")
RUN_OVER = "run_over"       # the frontier's answer to a push once the run's finish is claimed


def admission_of(request: Any, dupefilter: RFPDupeFilter) -> Admission:
    """Pages are admitted by canonical URL (budget and caps), other requests by fingerprint."""
    meta = request.meta
    slot = slot_of(request)
    if meta.get("patrol_kind") == "page" and meta.get("patrol_url"):
        canonical = meta["patrol_url"]
        return Admission(canonical=canonical, forced=meta.get("patrol_depth", 0) == 0,
                         host=host_of(canonical), pattern=path_pattern(canonical), slot=slot)
    if request.dont_filter:
        return Admission(slot=slot)
    return Admission(fingerprint=dupefilter.request_fingerprint(request), slot=slot)


class FrontierScheduler(Scheduler):
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        member = ctx.distributed
        server = member.shared.client
        super().__init__(server, persist=True, queue_key=run_key(member.run_id, "queue"),
                         dupefilter=RFPDupeFilter(server, run_key(member.run_id, "dupe")))
        self.crawler = crawler
        self.ctx = ctx
        self.member = member
        self.stats = crawler.stats
        self.local: list[Any] = []      # follow-ups of entries this worker holds
        self._pushes: list[Any] = []
        self.prefetched: list[Any] = []  # taken from Redis, not yet handed to the engine
        self.prefetch = max(1, crawler.settings.getint("CONCURRENT_REQUESTS") // 2)
        self.hosts = HostRoom(
            HOST_PREFIX, max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")),
            int(float(crawler.settings.get("PATROL_HOST_DELAY") or 0.0) * 1000))
        self._busy_retry: Any = None
        self._callbacks: dict[str, Any] = {}
        self.finished = False
        self._loops: list[Any] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        ctx = context_of(crawler)
        if ctx is None or ctx.distributed is None:
            raise ValueError("FrontierScheduler needs a distributed patrol context")
        return cls(crawler, ctx)

    # -- Scrapy's scheduler interface -------------------------------------------------------
    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = Base(self.server, spider, self.queue_key)   # scrapy-redis serialization
        # Request.to_dict names a request's callback by scanning every attribute of the spider
        # (inspect.getmembers), once per request queued; its methods alone, taken once, name it
        # the same way at a sixth of the cost (and give the same bound methods back).
        self.queue.spider = SimpleNamespace(**dict(inspect.getmembers(spider, inspect.ismethod)))
        engine = self.crawler.engine
        handle = engine._handle_downloader_output

        # Scrapy has no signal for "the spider and the pipelines are done with a request";
        # the engine's handler of downloader output completes exactly then.
        def handled(result: Any, request: Any) -> Any:
            d = handle(result, request)
            d.addBoth(self._handled, request)
            return d

        engine._handle_downloader_output = handled
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)
        beat = max(1.0, min(10.0, self.member.lease_seconds / 4))
        for interval, func in ((beat, self._heartbeat), (POLL_SECONDS, self._poll)):
            loop = task.LoopingCall(func)
            loop.start(interval, now=False).addErrback(
                lambda f: log.error("frontier loop failed: %s", f.getErrorMessage()))
            self._loops.append(loop)

    def close(self, reason: str) -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        if self._busy_retry is not None and self._busy_retry.active():
            self._busy_retry.cancel()
        self._commit()
        held = list(self.member.holds)
        if held:   # give back at once what this worker will not finish (shutdown, timeout)
            self.member.frontier.release(held)
        # and the host leases taken with entries it never downloaded, and those ended
        reserved, self.member.reserved = self.member.reserved, {}
        self.member.ended += [(key, token) for token, key in reserved.items()]
        self.member.end_leases()

    def enqueue_request(self, request: Any) -> bool:
        entry = request.meta.get(ENTRY)
        if entry is not None:
            self.member.holds[entry] += 1
            self.local.append(request)
            return True
        # Queued with the acknowledgement of the entry being handled (one round trip).
        self._pushes.append((self.queue._encode_request(request), request.priority,
                             admission_of(request, self.df),
                             lambda r, request=request: self._pushed(r, request)))
        return True

    def next_request(self) -> Any:
        if self.local:
            best = max(range(len(self.local)), key=lambda i: self.local[i].priority)
            return self.local.pop(best)
        if self.finished:
            return None
        if not self.prefetched:
            if self._pushes:
                self._commit()     # this worker's new links compete for the next pop
            ended = self.member.take_ended()
            popped = self.member.frontier.pop(self.prefetch, self.hosts, ended)
            if ended and not self.member.shared.available:
                self.member.ended[:0] = ended    # Redis away: they go with a later call
            for taken in popped.entries:
                entry = taken.entry
                request = self._same_callbacks(self.queue._decode_request(taken.payload))
                request.meta[ENTRY] = entry
                if taken.lease_key:
                    request.meta[LEASE_META] = (taken.lease_key, taken.lease_token)
                    self.member.reserved[taken.lease_token] = taken.lease_key
                self.member.holds[entry] += 1
                self.prefetched.append(request)
            if popped.busy and not popped.entries:
                self.stats.inc_value("distributed/pops_hosts_busy")
                self._ask_again_soon()
        if not self.prefetched:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        return self.prefetched.pop(0)

    def has_pending_requests(self) -> bool:
        return bool(self.local or self.prefetched)

    def __len__(self) -> int:
        return len(self.local) + len(self.prefetched)

    # -- the reliable queue ---------------------------------------------------------------------
    def _pushed(self, result: str, request: Any) -> None:
        if result == "ok":
            self.stats.inc_value("scheduler/enqueued/redis")
        elif result in REFUSALS:
            count_skip(self.stats, result, request.url, "shared frontier")
        elif result == RUN_OVER:    # back after the run ended: its links are not wanted
            self.stats.inc_value("distributed/pushes_after_run_end")

    def _same_callbacks(self, request: Any) -> Any:
        # One bound method per callback name: Scrapy caches its per-callback source check by
        # the callable, which a freshly decoded request would otherwise miss every time.
        for attr in ("callback", "errback"):
            method = getattr(request, attr)
            if method is not None:
                setattr(request, attr, self._callbacks.setdefault(method.__name__, method))
        return request

    def _handled(self, result: Any, request: Any) -> Any:
        entry = request.meta.get(ENTRY)
        if entry is not None:
            self.member.holds[entry] -= 1
            if self.member.holds[entry] <= 0:
                del self.member.holds[entry]
                self._commit(ack=entry)
        return result

    def _commit(self, ack: str | None = None) -> None:
        pushes, self._pushes = self._pushes, []
        self.member.commit(pushes, self.stats.get_stats(), ack=ack)

    def _ask_again_soon(self) -> None:
        """Work waits for hosts that other workers are fetching from: a slot frees within one
        page's latency, so look again well before the idle poll would."""
        if self._busy_retry is not None and self._busy_retry.active():
            return
        from twisted.internet import reactor

        self._busy_retry = reactor.callLater(BUSY_POLL_SECONDS, self._poll)

    def _heartbeat(self) -> None:
        self.member.frontier.renew(list(self.member.holds))
        self.member.frontier.reap()

    def _poll(self) -> None:
        if self.finished:
            return
        if time.time() > self.member.deadline:
            log.warning("patrol run %s reached its time limit", self.member.run_id)
            self._finish("closespider_timeout")
            return
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    # -- the end of the run ---------------------------------------------------------------------
    def _idle(self, spider: Any) -> None:
        if self.finished:
            return
        if self.local or self.prefetched or self.member.holds or self.member.shared.backlog \
                or self._pushes:
            raise DontCloseSpider
        meta = runs.run_meta(self.member.shared, self.member.run_id)
        if meta is None:                    # Redis unreachable: wait for it
            raise DontCloseSpider
        if meta.get("state") == runs.DONE:  # finished by another worker or the watch
            self.finished = True
            return
        counts = self.member.frontier.counts()
        if counts == (0, 0):
            self._finish("finished")
            return
        raise DontCloseSpider

    def _finish(self, reason: str) -> None:
        from .finish import finish_run

        self._commit()
        if runs.claim_finish(self.member.shared, self.member.run_id, self.member.worker):
            finish_run(self.member.shared, self.ctx.store, self.ctx.settings,
                       self.member.run_id, close_reason=reason)
        self.finished = True
        if reason != "finished":
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))
