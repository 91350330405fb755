"""A findings listing over the union of several store queries, with one opaque cursor.

The store combines filters with AND; a department's scope is often an OR across fields
(市工商局: lead 市工商局, or rule restricted_name, or kind ad). `scoped_page` runs one query per
scope part, merges the results in the store's own order, drops duplicates, and keeps one store
cursor per part. Where a part's page was only partly used, the same query is repeated with the
used count as limit to obtain the store's cursor after exactly those items (store cursors are
opaque, so this is the only honest way to resume inside a page).
"""

from __future__ import annotations

import base64
import json
from dataclasses import fields, replace

from findings import FindingPage, FindingQuery, FindingRecord, Store

_LIST_FIELDS = [f.name for f in fields(FindingQuery)
                if f.name in ("rules", "severities", "statuses", "leads", "domains", "targets",
                              "kinds", "platforms")]
_RANK = {"high": 0, "medium": 1, "low": 2}
_EXHAUSTED = 0  # in a merged cursor: this part has nothing more


class BadScopeCursor(ValueError):
    pass


def narrow(base: FindingQuery, part: FindingQuery) -> FindingQuery | None:
    """`base` with the scope part's list filters added; None if the two cannot both match."""
    query = replace(base)
    for name in _LIST_FIELDS:
        mine, theirs = getattr(base, name), getattr(part, name)
        if not theirs:
            continue
        combined = [v for v in mine if v in theirs] if mine else list(theirs)
        if not combined:
            return None
        setattr(query, name, combined)
    return query


def _sort_key(sort: str, item: FindingRecord) -> tuple:
    seen = item.last_seen.timestamp() if item.last_seen else 0.0
    if sort == "severity":
        return (_RANK.get(item.severity, 3), -seen, item.id)
    return (-seen, item.id)


def _encode(states: list[str | int | None]) -> str:
    raw = json.dumps(["m", *states], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, parts: int) -> list[str | int | None]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeError) as exc:
        raise BadScopeCursor("invalid cursor") from exc
    if not isinstance(data, list) or len(data) != parts + 1 or data[0] != "m":
        raise BadScopeCursor("cursor of another listing")
    return data[1:]


def scoped_page(store: Store, base: FindingQuery, scope: list[FindingQuery]) -> FindingPage:
    """One page of findings matching `base` and any part of `scope` (empty scope: all)."""
    queries = [q for q in (narrow(base, part) for part in (scope or [FindingQuery()]))
               if q is not None]
    if not queries:
        return FindingPage(items=[], next_cursor=None, total=0)
    if len(queries) == 1:
        return store.query_findings(queries[0])
    states: list[str | int | None] = ([None] * len(queries) if not base.cursor
                                      else _decode(base.cursor, len(queries)))
    pages: list[list[FindingRecord]] = []
    nexts: list[str | None] = []
    for query, state in zip(queries, states, strict=True):
        if state == _EXHAUSTED:
            pages.append([])
            nexts.append(None)
            continue
        page = store.query_findings(replace(query, cursor=state))
        pages.append(page.items)
        nexts.append(page.next_cursor)
    used = [0] * len(queries)
    out: list[FindingRecord] = []
    seen: set[str] = set()
    while len(out) < base.limit:
        heads = [(i, items[used[i]]) for i, items in enumerate(pages) if used[i] < len(items)]
        if not heads:
            break
        _, best = min(heads, key=lambda h: _sort_key(base.sort, h[1]))
        for i, item in heads:
            if item.id == best.id:
                used[i] += 1
        if best.id not in seen:
            seen.add(best.id)
            out.append(best)
    new_states: list[str | int | None] = []
    for i, query in enumerate(queries):
        if states[i] == _EXHAUSTED:
            new_states.append(_EXHAUSTED)
        elif used[i] == len(pages[i]):
            new_states.append(nexts[i] if nexts[i] else _EXHAUSTED)
        elif used[i] == 0:
            new_states.append(states[i])
        else:
            resumed = store.query_findings(replace(query, cursor=states[i], limit=used[i]))
            new_states.append(resumed.next_cursor or _EXHAUSTED)
    more = any(s != _EXHAUSTED for s in new_states)
    return FindingPage(items=out, next_cursor=_encode(new_states) if more else None, total=None)
