"""Bulk writes: chunks, per-item retry of what the cluster could not take yet, item outcomes.

A bulk request either fails as a whole (connection lost, 429 for the request: the adapter
retries it with backoff, then the caller spools it) or answers per item. Items refused with
429 or 5xx are sent again with backoff; a 409 (the document exists) is an answer the caller
wants; any other item error (a mapping conflict, a document too large) is a rejection: the
caller records it with the document's id and error, and the other items in the batch land.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson

from ..validate import scrub
from .clients import Adapter, ClusterUnavailable

log = logging.getLogger(__name__)

RETRY_ITEM_STATUSES = {429, 500, 502, 503, 504}
IN_FLIGHT = 2   # bulk requests a bulk load keeps open at once
# As the standard encoder did with default=str: times and dataclasses as their str().
_OPTIONS = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)


@dataclass
class Outcome:
    status: int
    error: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def conflict(self) -> bool:
        return self.status == 409

    @property
    def rejected(self) -> bool:
        return not self.ok and not self.conflict


# one operation: (action line, document or None for delete)
Operation = tuple[dict[str, Any], dict[str, Any] | None]


def encode(ops: list[Operation]) -> bytes:
    """The NDJSON body of a bulk request. Encoded by the caller, so that a pipelined sender
    only waits on the network (and the GIL is free for preparing the next chunk). orjson: the
    standard encoder was a quarter of the store's own work in a bulk load."""
    parts: list[bytes] = []
    try:
        for action, source in ops:
            parts.append(_dumps(action))
            if source is not None:
                parts.append(_dumps(source))
    except orjson.JSONEncodeError:  # a lone surrogate in crawled text: checked here, not per doc
        return encode([(action, scrub(source)) for action, source in ops])
    parts.append(b"")
    return b"\n".join(parts)


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=str, option=_OPTIONS)


def _send(client: Adapter, ops: list[Operation], body: bytes, params: dict[str, str] | None,
          retry_seconds: float | None) -> list[Outcome]:
    """One bulk request, and again for the items the cluster could not take yet."""
    outcomes: list[Outcome] = [Outcome(500, "no answer")] * len(ops)
    pending = list(range(len(ops)))
    budget = client.retry_seconds if retry_seconds is None else retry_seconds
    deadline = time.monotonic() + budget
    delay = 0.2
    while pending:
        response = client.bulk(body, params=params, retry_seconds=retry_seconds)
        retry: list[int] = []
        for i, item in zip(pending, response["items"], strict=True):
            result = next(iter(item.values()))
            status = int(result.get("status", 500))
            if status in RETRY_ITEM_STATUSES:
                retry.append(i)
            outcomes[i] = Outcome(status, result.get("error"))
        if retry and time.monotonic() + delay > deadline:
            raise ClusterUnavailable(f"cluster kept refusing {len(retry)} bulk items")
        if retry:
            log.info("cluster refused %d bulk items (busy), retrying in %.1fs", len(retry), delay)
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 5.0)
            body = encode([ops[i] for i in retry])
        pending = retry
    return outcomes


def run_bulk(client: Adapter, ops: list[Operation], chunk_size: int = 500,
             refresh: bool = False, retry_seconds: float | None = None) -> list[Outcome]:
    """Send `ops` in chunks; returns one Outcome per operation, in order."""
    params = {"refresh": "true"} if refresh else None
    outcomes: list[Outcome] = []
    for start in range(0, len(ops), max(1, chunk_size)):
        chunk = ops[start:start + chunk_size]
        outcomes.extend(_send(client, chunk, encode(chunk), params, retry_seconds))
    return outcomes


def pipelined_bulk(client: Adapter, items: list[Any],
                   make_ops: Callable[[list[Any]], list[Operation]],
                   chunk_size: int = 500, in_flight: int = IN_FLIGHT) -> list[Outcome]:
    """Like run_bulk, but builds and encodes each chunk's operations (jieba segmentation,
    JSON: Python CPU) while earlier chunks are being indexed (the cluster's CPU), with up to
    `in_flight` bulk requests open at once (streaming_bulk keeps one, parallel_bulk several):
    the cluster parses one while it indexes another. Outcomes come back in order."""
    chunks = [items[i:i + chunk_size] for i in range(0, len(items), max(1, chunk_size))]
    if len(chunks) <= 1:
        return run_bulk(client, make_ops(items), chunk_size) if items else []
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="bulk") as pool:
        sent: deque[Future[list[Outcome]]] = deque()
        for chunk in chunks:
            ops = make_ops(chunk)
            body = encode(ops)
            if len(sent) >= in_flight:
                outcomes.extend(sent.popleft().result())
            sent.append(pool.submit(_send, client, ops, body, None, None))
        while sent:
            outcomes.extend(sent.popleft().result())
    return outcomes
