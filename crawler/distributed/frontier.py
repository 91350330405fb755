"""One patrol run's frontier in Redis: a reliable priority queue shared by every worker.

Keys of run R (all under `patrol:run:R:`):
  queue   zset  entry id -> score (priority first, then arrival)   waiting requests
  data    hash  entry id -> serialized request, id + ":s" -> its score
  taken   zset  entry id -> lease deadline (ms, Redis clock)        requests being worked on
  seen/hosts/patterns/admitted   the page admission of crawler.frontier.Frontier, shared
  dupe    set   request fingerprints (scrapy-redis's duplicate filter, per run)

Reliable-queue pattern: `pop` moves an entry from queue to taken with a lease; the worker
renews the leases of what it holds and acknowledges an entry only after everything that came
of it (the page stored, the links pushed) is done; `reap` returns entries whose lease ran out
(a worker killed with SIGKILL) to the queue. Pushing admits and deduplicates in the same
script, so a crash can never leave a URL "seen" but not queued. The run is drained when queue
and taken are both empty. Times come from Redis's clock, so machines need not agree on theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis

from .connection import SharedRedis

PREFIX = "patrol:run:"
NOW_MS = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

# Admission mirrors crawler.frontier.Frontier.admit (same order of checks, same reasons); it is
# that rule on shared counters, so keep the two in step.
PUSH = """
local fp, canonical = ARGV[4], ARGV[5]
if fp ~= '' and redis.call('SISMEMBER', KEYS[8], fp) == 1 then return 'duplicate' end
if canonical ~= '' then
  if redis.call('SISMEMBER', KEYS[4], canonical) == 1 then return 'duplicate' end
  if tonumber(redis.call('GET', KEYS[7]) or '0') >= tonumber(ARGV[7]) then return 'page_limit' end
  if ARGV[6] ~= '1' then
    if tonumber(redis.call('HGET', KEYS[5], ARGV[10]) or '0') >= tonumber(ARGV[8]) then
      return 'host_cap' end
    if tonumber(redis.call('HGET', KEYS[6], ARGV[11]) or '0') >= tonumber(ARGV[9]) then
      return 'pattern_cap' end
  end
  redis.call('SADD', KEYS[4], canonical)
  redis.call('HINCRBY', KEYS[5], ARGV[10], 1)
  redis.call('HINCRBY', KEYS[6], ARGV[11], 1)
  redis.call('INCR', KEYS[7])
end
if fp ~= '' then redis.call('SADD', KEYS[8], fp) end
-- higher priority first, then first come first served
local score = -tonumber(ARGV[3]) * 1e12 + redis.call('INCR', KEYS[9])
redis.call('ZADD', KEYS[1], score, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2], ARGV[1] .. ':s', score)
return 'ok'
"""

POP = NOW_MS + """
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local payload = redis.call('HGET', KEYS[2], id)
  if payload then
    redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), id)
    table.insert(out, id)
    table.insert(out, payload)
  end
end
return out
"""

RENEW = NOW_MS + """
for _, id in ipairs(ARGV) do
  if _ > 1 then redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), id) end
end
return 1
"""

REAP = NOW_MS + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 500)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[3], id)
  local score = redis.call('HGET', KEYS[2], id .. ':s')
  if score then redis.call('ZADD', KEYS[1], score, id) end
end
return #ids
"""


@dataclass(frozen=True)
class Limits:
    max_pages: int
    max_per_host: int
    max_per_pattern: int


@dataclass(frozen=True)
class Admission:
    """What the shared admission needs of a page request (empty canonical: not a page)."""

    canonical: str = ""
    forced: bool = False
    host: str = ""
    pattern: str = ""
    fingerprint: str = ""


# (serialized request, priority, admission, callback hearing the admission's answer)
Push = tuple[bytes, int, Admission, Callable[[str], None] | None]


def run_key(run_id: str, name: str) -> str:
    return f"{PREFIX}{run_id}:{name}"


class RedisFrontier:
    def __init__(self, shared: SharedRedis, run_id: str, limits: Limits,
                 lease_seconds: int) -> None:
        self.shared = shared
        self.run_id = run_id
        self.limits = limits
        self.lease_ms = int(lease_seconds * 1000)
        self.keys = {n: run_key(run_id, n) for n in
                     ("queue", "data", "taken", "seen", "hosts", "patterns", "admitted", "dupe",
                      "seq")}
        client = shared.client
        self._pop = client.register_script(POP)
        self._renew = client.register_script(RENEW)
        self._reap = client.register_script(REAP)

    def _k(self, *names: str) -> list[str]:
        return [self.keys[n] for n in names]

    def push(self, payload: bytes, priority: int, admission: Admission,
             on_result: Callable[[str], None] | None = None) -> None:
        """Admit and queue one request (the run's seeds)."""
        self.commit([(payload, priority, admission, on_result)])

    def commit(self, pushes: list[Push], before: Iterable[Callable[[Any], Any]] = (),
               ack: str | None = None) -> None:
        """One transaction: queue `pushes` (admitted in Redis; each `on_result(reason)` hears
        'ok' or why not), run the `before` pipeline calls (stats, findings), and acknowledge
        `ack`. So what came of an entry is queued before, and in the same step as, the entry is
        acknowledged. While Redis is down it waits in the backlog and is replayed in order.
        """
        keys = self._k("queue", "data", "taken", "seen", "hosts", "patterns", "admitted", "dupe",
                       "seq")
        lim = self.limits
        # EVAL with the script's text, not EVALSHA: Redis restarted from its AOF has no script
        # cache, and a NOSCRIPT inside MULTI would leave the rest of the transaction applied.
        calls = [([uuid.uuid4().hex, payload, priority, adm.fingerprint, adm.canonical,
                   "1" if adm.forced else "0", lim.max_pages, lim.max_per_host,
                   lim.max_per_pattern, adm.host, adm.pattern], on_result)
                 for payload, priority, adm, on_result in pushes]
        extra = list(before)
        if not calls and not extra and ack is None:
            return

        def op(client: redis.Redis) -> None:
            pipe = client.pipeline(transaction=True)
            for args, _ in calls:
                pipe.eval(PUSH, len(keys), *keys, *args)
            for call in extra:
                call(pipe)
            if ack is not None:
                pipe.zrem(self.keys["taken"], ack)
                pipe.hdel(self.keys["data"], ack, ack + ":s")
            results = pipe.execute()
            for (_, on_result), result in zip(calls, results, strict=False):
                if on_result is not None:
                    on_result(result.decode() if isinstance(result, bytes) else str(result))

        self.shared.write(op)

    def pop(self, count: int = 1) -> list[tuple[str, bytes]]:
        """Take up to `count` requests under lease; [] when none (or Redis unreachable)."""
        raw = self.shared.read(lambda c: self._pop(keys=self._k("queue", "data", "taken"),
                                                   args=[self.lease_ms, count], client=c), [])
        return [(raw[i].decode(), raw[i + 1]) for i in range(0, len(raw), 2)]

    def renew(self, entries: Iterable[str]) -> None:
        ids = list(entries)
        if ids:
            self.shared.read(lambda c: self._renew(keys=[self.keys["taken"]],
                                                   args=[self.lease_ms, *ids], client=c), None)

    def reap(self) -> int:
        """Return requests whose lease ran out (their worker died) to the queue."""
        return int(self.shared.read(
            lambda c: self._reap(keys=self._k("queue", "data", "taken"), client=c), 0))

    def release(self, entries: list[str]) -> None:
        """Give entries back to the queue now (a worker stopping without finishing them)."""
        if entries:
            self.shared.write(lambda c: c.zadd(self.keys["taken"], dict.fromkeys(entries, 0),
                                               xx=True))
            self.reap()

    def counts(self) -> tuple[int, int] | None:
        """(waiting, taken), or None while Redis is unreachable."""
        def op(client: redis.Redis) -> tuple[int, int]:
            pipe = client.pipeline(transaction=True)
            pipe.zcard(self.keys["queue"])
            pipe.zcard(self.keys["taken"])
            waiting, taken = pipe.execute()
            return int(waiting), int(taken)

        return self.shared.read(op, None)

    def drop(self) -> None:
        """Delete the queue and its bookkeeping (the run is over)."""
        self.shared.write(lambda c: c.delete(*self.keys.values()))
