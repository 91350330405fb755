"""Checks both backends apply before writing, so that both refuse the same things."""

from __future__ import annotations

import json
from typing import Any

from .model import DECISIONS, Decision


def check_decision(decision: Decision) -> None:
    """Reject a decision the audit log must never hold."""
    if decision.decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision.decision!r}; "
                         f"expected one of {', '.join(DECISIONS)}")
    if decision.decision == "forwarded" and not decision.to:
        raise ValueError("a forwarded decision needs the department it goes to")
    if not (decision.by or "").strip():
        raise ValueError("a decision needs the name of who made it")
    if not decision.finding_id:
        raise ValueError("a decision needs a finding id")


def check_lock_args(name: str, owner: str, ttl_seconds: float) -> None:
    if not name or not owner:
        raise ValueError("a lock needs a name and an owner")
    if ttl_seconds <= 0:
        raise ValueError("a lock's ttl must be positive")


def scrub(value: Any) -> Any:
    """The value with lone surrogates (left by a lenient decoder in crawled text) replaced by
    '?': neither SQLite nor a JSON body can carry them, and one bad character must not stop a
    patrol. Recurses into dicts and lists; returns the value itself when nothing needs it."""
    try:  # the common case, checked at C speed
        if isinstance(value, str):
            value.encode("utf-8")
        elif isinstance(value, dict | list | tuple):
            json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return [scrub(v) for v in value]
