"""A distributed patrol run's life in Redis, from enqueue to its one finish.

`patrol crawl --distributed` (also the scheduler and the console's run-now, which start it)
writes the run once: its record, the resolved target, and the seed requests on its frontier,
then lists it under ACTIVE. Idle workers join any active run. Whoever sees the frontier
drained (or the run over its time limit, or stalled) claims the finish with SET NX; the claim
has a time to live, so a finisher that dies is replaced, and every finishing step is
idempotent (records are upserts, alerts are keyed), which makes the finish happen once.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

import redis

from findings.model import PatrolRun

from ..targets import Target
from .connection import SharedRedis
from .frontier import run_key

ACTIVE = "patrol:runs:active"
WORKERS = "patrol:workers"
FINISH_CLAIM_SECONDS = 300
KEEP_SECONDS = 7 * 86400     # a finished run's meta stays readable this long

# Run states in Redis (the store's PatrolRun.status is written at the end).
RUNNING, DONE = "running", "done"


def meta_key(run_id: str) -> str:
    return run_key(run_id, "meta")


def enqueue_run(shared: SharedRedis, run: PatrolRun, target: Target, limits: dict[str, int],
                time_limit: int, lock_owner: str, seeds: list[tuple[bytes, int, Any]],
                frontier: Any) -> None:
    """Write the run and its seed requests, then make it visible to workers (in that order)."""
    client = shared.client
    client.hset(meta_key(run.id), mapping={
        "run": json.dumps(run.to_dict(), ensure_ascii=False, default=str),
        "target": json.dumps(asdict(target), ensure_ascii=False),
        "limits": json.dumps(limits), "lock_owner": lock_owner, "state": RUNNING,
        "deadline": run.started_at.timestamp() + time_limit,
        "started": time.time(), "progress": time.time(),
    })
    for payload, priority, admission in seeds:
        frontier.push(payload, priority, admission)
    if shared.backlog:
        raise redis.ConnectionError("Redis went away while the run was enqueued")
    client.sadd(ACTIVE, run.id)


def active_runs(shared: SharedRedis) -> list[str]:
    members = shared.read(lambda c: c.smembers(ACTIVE), set())
    return sorted(m.decode() for m in members)


def run_meta(shared: SharedRedis, run_id: str) -> dict[str, str] | None:
    raw = shared.read(lambda c: c.hgetall(meta_key(run_id)), None)
    if raw is None:
        return None
    return {k.decode(): v.decode() for k, v in raw.items()}


def load_run(meta: dict[str, str]) -> tuple[PatrolRun, Target]:
    return PatrolRun.from_dict(json.loads(meta["run"])), Target(**json.loads(meta["target"]))


def deadline(meta: dict[str, str]) -> float:
    """When the run must end (epoch seconds): its start plus the time limit it was given."""
    return float(meta["deadline"])


def claim_finish(shared: SharedRedis, run_id: str, owner: str) -> bool:
    return bool(shared.read(lambda c: c.set(run_key(run_id, "finish"), owner, nx=True,
                                            ex=FINISH_CLAIM_SECONDS), False))


def finishing(shared: SharedRedis, run_id: str) -> bool:
    """Someone claimed the run's finish (nothing is left to crawl)."""
    return bool(shared.read(lambda c: c.exists(run_key(run_id, "finish")), True))


def mark_done(shared: SharedRedis, run_id: str, status: str) -> None:
    def op(client: redis.Redis) -> None:
        pipe = client.pipeline(transaction=True)
        pipe.hset(meta_key(run_id), mapping={"state": DONE, "status": status})
        pipe.srem(ACTIVE, run_id)
        for name in ("meta", "finish", "stats", "stattext", "findings", "delays"):
            pipe.expire(run_key(run_id, name), KEEP_SECONDS)
        pipe.execute()

    shared.write(op)


def run_stats(shared: SharedRedis, run_id: str) -> dict[str, Any]:
    def op(client: redis.Redis) -> dict[str, Any]:
        numbers = client.hgetall(run_key(run_id, "stats"))
        texts = client.hgetall(run_key(run_id, "stattext"))
        out: dict[str, Any] = {}
        for k, v in numbers.items():
            value = float(v)
            out[k.decode()] = int(value) if value.is_integer() else value
        out.update({k.decode(): v.decode() for k, v in texts.items()})
        return out

    return shared.read(op, {})


def run_findings(shared: SharedRedis, run_id: str) -> set[str]:
    return {m.decode() for m in shared.read(
        lambda c: c.smembers(run_key(run_id, "findings")), set())}


def set_crawl_delay(shared: SharedRedis, run_id: str, slot: str, delay: float) -> None:
    shared.write(lambda c: c.hset(run_key(run_id, "delays"), slot, delay))
