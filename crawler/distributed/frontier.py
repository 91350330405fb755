"""One patrol run's frontier in Redis: a reliable priority queue shared by every worker.

Keys of run R (all under `patrol:run:R:`):
  queue   zset  entry id -> score (priority first, then arrival)   waiting requests
  data    hash  entry id -> serialized request, id + ":s" -> its score
  taken   zset  entry id -> lease deadline (ms, Redis clock)        requests being worked on
  seen/hosts/patterns/admitted   the page admission of crawler.frontier.Frontier, shared
  dupe    set   request fingerprints (scrapy-redis's duplicate filter, per run)
  finish  str   the finish claim (crawler.distributed.runs): once it is set, nothing is queued

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

# What came of one handled entry, in one script (atomic, one round trip, and sent as EVALSHA:
# a Redis restarted from its AOF has no script cache, and redis-py then loads the script and
# calls it again, which is safe because a NOSCRIPT script did nothing):
#   queue each new request (admitted here), add the worker's stats and findings, note the run's
#   progress, and acknowledge the entry.
# Admission mirrors crawler.frontier.Frontier.admit (same order of checks, same reasons); it is
# that rule on shared counters, so keep the two in step.
# ARGV: ack ('' none), progress ('' none), max pages, per host, per pattern; then counted
# groups: pushes (9 fields each), integer stats, float stats, text stats (pairs), findings.
# Returns each push's answer: 'ok' or why it was refused ('run_over' once the run's finish is
# claimed: a worker stopped past its lease and back after the end would otherwise recreate the
# dropped queue keys, with no expiry and nobody to read them).
COMMIT = """
local over = redis.call('EXISTS', KEYS[14]) == 1
local function push(id, payload, priority, fp, canonical, forced, host, pattern, slot,
                    max_pages, max_host, max_pattern)
  if over then return 'run_over' end
  if fp ~= '' and redis.call('SISMEMBER', KEYS[8], fp) == 1 then return 'duplicate' end
  if canonical ~= '' then
    if redis.call('SISMEMBER', KEYS[4], canonical) == 1 then return 'duplicate' end
    if tonumber(redis.call('GET', KEYS[7]) or '0') >= max_pages then return 'page_limit' end
    if forced ~= '1' then
      if tonumber(redis.call('HGET', KEYS[5], host) or '0') >= max_host then
        return 'host_cap' end
      if tonumber(redis.call('HGET', KEYS[6], pattern) or '0') >= max_pattern then
        return 'pattern_cap' end
    end
    redis.call('SADD', KEYS[4], canonical)
    redis.call('HINCRBY', KEYS[5], host, 1)
    redis.call('HINCRBY', KEYS[6], pattern, 1)
    redis.call('INCR', KEYS[7])
  end
  if fp ~= '' then redis.call('SADD', KEYS[8], fp) end
  -- higher priority first, then first come first served
  local score = -tonumber(priority) * 1e12 + redis.call('INCR', KEYS[9])
  redis.call('ZADD', KEYS[1], score, id)
  redis.call('HSET', KEYS[2], id, payload, id .. ':s', score)
  if slot ~= '' then redis.call('HSET', KEYS[2], id .. ':h', slot) end
  return 'ok'
end

local max_pages, max_host, max_pattern = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local i = 7
local results = {}
for _ = 1, tonumber(ARGV[6]) do
  table.insert(results, push(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4],
                             ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8],
                             max_pages, max_host, max_pattern))
  i = i + 9
end
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HINCRBY', KEYS[10], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HINCRBYFLOAT', KEYS[10], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[11], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('SADD', KEYS[12], ARGV[i]); i = i + 1 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[13], 'progress', ARGV[2]) end
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1], ARGV[1] .. ':s', ARGV[1] .. ':h')
end
return results
"""

# A lease on one of a host's `limit` download slots (politeness across workers): 0 when granted,
# else milliseconds to wait before asking again. Leases are members of the host's zset scored
# by when they end, so a dead worker's lease ends by itself. The delay is the larger of the
# target's and the run's robots.txt Crawl-delay for the host (`delays`, field `host`), read
# here so that every worker honours it from the moment one worker read robots.txt. Used by
# POP below and by crawler.distributed.hostslots.
LEASE_HOST = """
local function lease_host(key, next_key, delays, host, token, limit, lease_ms, delay_ms, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= limit then return 25 end
  local nxt = tonumber(redis.call('GET', next_key) or '0')
  if now < nxt then return nxt - now end
  redis.call('ZADD', key, now + lease_ms, token)
  redis.call('PEXPIRE', key, lease_ms)
  local delay = math.floor(math.max(delay_ms,
    1000 * tonumber(redis.call('HGET', delays, host) or '0')))
  if delay > 0 then redis.call('SET', next_key, now + delay, 'PX', delay + 1000) end
  return 0
end
"""

# Takes the first `count` waiting entries whose host can be leased now, scanning at most
# `scan` entries from the head, and takes that lease with the entry (its token: the entry id
# and the time, so that a worker that comes back after its entry was taken again cannot end
# the new holder's lease).
# An entry taken first and leased later leaves the worker's download slot waiting whenever
# another worker got the host's last slot in between, while other hosts stay idle; taken
# together, a worker holds only what it can fetch at once. Entries without a host (or with
# `limit` 0) are taken without a lease. Host keys are made here, not passed in KEYS: the
# frontier lives on one Redis server, not a cluster. Returns the number of entries passed
# over for busy hosts, then id, payload, lease key and token ('' without) of each entry.
# The host leases of this worker's downloads that ended come with the pop (ended first), so
# its own next request sees the slots free, without a round trip of their own.
POP = NOW_MS + LEASE_HOST + """
local lease_ms, count, scan, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local prefix, delay_ms, host_lease_ms = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
-- first end the leases of downloads that ended since (key, token pairs from ARGV[8])
for j = 8, #ARGV, 2 do redis.call('ZREM', ARGV[j], ARGV[j + 1]) end
local ids = redis.call('ZRANGE', KEYS[1], 0, scan - 1)
local out = {0}
local busy = {}
local taken = 0
for _, id in ipairs(ids) do
  if taken >= count then break end
  local payload = redis.call('HGET', KEYS[2], id)
  if not payload then
    redis.call('ZREM', KEYS[1], id)
  else
    local host = redis.call('HGET', KEYS[2], id .. ':h')
    local key, token = '', ''
    if host and limit > 0 then
      key, token = prefix .. host, id .. ':' .. now
      if busy[host] or lease_host(key, key .. ':next', KEYS[4], host, token, limit,
                                  host_lease_ms, delay_ms, now) ~= 0 then
        busy[host] = true
        key = nil
      end
    end
    if key then
      redis.call('ZREM', KEYS[1], id)
      redis.call('ZADD', KEYS[3], now + lease_ms, id)
      table.insert(out, id)
      table.insert(out, payload)
      table.insert(out, key)
      table.insert(out, token)
      taken = taken + 1
    else
      out[1] = out[1] + 1
    end
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
    slot: str = ""           # the download slot (host) whose politeness lease it will need


@dataclass(frozen=True)
class HostRoom:
    """How the pop judges a host's room: its lease keys' prefix, the slots per host (0: not
    judged) and the delay between requests (ms; the run's Crawl-delay may raise it)."""

    prefix: str
    limit: int
    delay_ms: int
    scan: int = 64          # waiting entries looked at per pop, from the head of the queue


@dataclass(frozen=True)
class Taken:
    """An entry taken from the frontier, with the host lease taken with it (key and token;
    empty when it needs none)."""

    entry: str
    payload: bytes
    lease_key: str = ""
    lease_token: str = ""


@dataclass
class Popped:
    """Entries taken, and how many were passed over because their host had no room (the
    worker then asks again soon rather than at its idle pace)."""

    entries: list[Taken]
    busy: int = 0


# a worker's stats deltas: numbers (summed over workers) and texts (the last one stays)
Stats = tuple[dict[str, float], dict[str, str]]

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
        self._commit = client.register_script(COMMIT)
        self._pop = client.register_script(POP)
        self._renew = client.register_script(RENEW)
        self._reap = client.register_script(REAP)

    def _k(self, *names: str) -> list[str]:
        return [self.keys[n] for n in names]

    def push(self, payload: bytes, priority: int, admission: Admission,
             on_result: Callable[[str], None] | None = None) -> None:
        """Admit and queue one request (the run's seeds)."""
        self.commit([(payload, priority, admission, on_result)])

    def commit(self, pushes: list[Push], *, stats: Stats | None = None,
               findings: Iterable[str] = (), progress: float | None = None,
               ack: str | None = None) -> None:
        """One step, atomic: queue `pushes` (admitted in Redis; each `on_result(reason)` hears
        'ok' or why not), add a worker's stats deltas (numbers, texts) and findings to the
        run's, note its progress (epoch seconds), and acknowledge `ack`. So what came of an
        entry is queued before, and in the same step as, the entry is acknowledged. While Redis
        is down it waits in the backlog and is replayed in order.
        """
        numbers, texts = stats or ({}, {})
        found = list(findings)
        if not pushes and not numbers and not texts and not found and progress is None \
                and ack is None:
            return
        lim = self.limits
        args: list[Any] = [ack or "", "" if progress is None else repr(progress),
                           lim.max_pages, lim.max_per_host, lim.max_per_pattern, len(pushes)]
        for payload, priority, adm, _ in pushes:
            args += [uuid.uuid4().hex, payload, priority, adm.fingerprint, adm.canonical,
                     "1" if adm.forced else "0", adm.host, adm.pattern, adm.slot]
        ints = [(k, v) for k, v in numbers.items() if isinstance(v, int)]
        floats = [(k, repr(float(v))) for k, v in numbers.items() if not isinstance(v, int)]
        for group in (ints, floats, list(texts.items())):
            args.append(len(group))
            for key, value in group:
                args += [key, value]
        args += [len(found), *found]
        keys = [*self._k("queue", "data", "taken", "seen", "hosts", "patterns", "admitted",
                         "dupe", "seq"),
                *(run_key(self.run_id, n) for n in ("stats", "stattext", "findings", "meta",
                                                     "finish"))]
        callbacks = [on_result for *_, on_result in pushes]

        def op(client: redis.Redis) -> None:
            results = self._commit(keys=keys, args=args, client=client)
            for on_result, result in zip(callbacks, results, strict=True):
                if on_result is not None:
                    on_result(result.decode() if isinstance(result, bytes) else str(result))

        self.shared.write(op)

    def pop(self, count: int = 1, hosts: HostRoom | None = None,
            ended: Iterable[tuple[str, str]] = ()) -> Popped:
        """Take up to `count` requests under lease, with `hosts`: only of hosts with room now,
        each with its host lease; nothing when none (or Redis unreachable). `ended`: host
        leases (key, token) to end first."""
        room = hosts or HostRoom("", 0, 0)
        ends = [part for lease in ended for part in lease]
        raw = self.shared.read(lambda c: self._pop(
            keys=[*self._k("queue", "data", "taken"), run_key(self.run_id, "delays")],
            args=[self.lease_ms, count, room.scan, room.limit, room.prefix, room.delay_ms,
                  self.lease_ms, *ends], client=c), [0])
        entries = [Taken(raw[i].decode(), raw[i + 1], raw[i + 2].decode(), raw[i + 3].decode())
                   for i in range(1, len(raw), 4)]
        return Popped(entries, busy=int(raw[0]))

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

    def release_leases(self, leases: list[tuple[str, str]]) -> None:
        """End host leases (key, token) now."""
        def op(client: redis.Redis) -> None:
            pipe = client.pipeline(transaction=False)
            for key, token in leases:
                pipe.zrem(key, token)
            pipe.execute()

        self.shared.read(op, None)   # unreachable: they end by themselves

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
