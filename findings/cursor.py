"""Opaque keyset cursors: the sort key of the last item of a page, shared by both backends.

A cursor never encodes an offset, so page 2,000 costs what page 1 costs: the next page starts
strictly after the last item's (severity rank, last_seen, id).
"""

from __future__ import annotations

import base64
import json
from typing import Any

SORTS = ("newest", "severity")


class BadCursor(ValueError):
    """A cursor that this store did not make, or made for another sort."""


def encode(sort: str, key: list[Any]) -> str:
    raw = json.dumps([sort, *key], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(sort: str, cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise BadCursor(f"invalid cursor: {cursor[:40]!r}") from exc
    if not isinstance(data, list) or not data or data[0] != sort:
        raise BadCursor("cursor belongs to another sort order")
    return data[1:]


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    return sort
