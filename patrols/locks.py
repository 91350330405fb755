"""The locks of a patrol, named and owned one way for every process that takes them.

- "patrol:<target>" is held by the process that crawls the target (`patrol crawl`, the demo,
  later each distributed run), from before its run record is written until after it is
  completed: a second patrol of the target is refused with exit status 75 (LOCKED).
- "schedule:<target>" is held by a scheduler around its whole run of the target (check, spawn,
  wait, record), so that two schedulers on one store never patrol a target twice.

An owner is "<role>:<host>:<pid>:<token>": who holds a lock can be told from it, and a
scheduler can free the lock of a child it had to kill (same host, that pid).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

from settings import Settings

# A lock outlives the time limit and the kill grace by this much, so that it expires only
# after its holder is certainly gone, and no later.
LOCK_MARGIN_SECONDS = 120


class PatrolLocked(Exception):
    """Another process holds the target's lock."""

    def __init__(self, target: str, holder: str | None) -> None:
        super().__init__(f"target {target!r} is being patrolled by {holder or 'another process'}")
        self.target, self.holder = target, holder


def patrol_lock(target: str) -> str:
    return "patrol:" + target


def schedule_lock(target: str) -> str:
    return "schedule:" + target


def lock_ttl(settings: Settings, time_limit: int | None = None) -> int:
    """Seconds a patrol's lock is taken for: its time limit, the kill grace, the margin."""
    limit = settings["patrol_time_limit"] if time_limit is None else time_limit
    return int(limit) + int(settings["patrol_kill_grace_seconds"]) + LOCK_MARGIN_SECONDS


def new_owner(role: str, token: str | None = None) -> str:
    return f"{role}:{socket.gethostname()}:{os.getpid()}:{token or uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class LockOwner:
    role: str
    host: str
    pid: int | None
    token: str

    def is_process(self, pid: int) -> bool:
        """The owner is process `pid` on this machine."""
        return self.pid == pid and self.host == socket.gethostname()


def parse_owner(owner: str | None) -> LockOwner | None:
    """The parts of an owner string, or None when it is not one of ours."""
    parts = (owner or "").split(":", 3)
    if len(parts) != 4:
        return None
    role, host, pid, token = parts
    return LockOwner(role, host, int(pid) if pid.isdigit() else None, token)
