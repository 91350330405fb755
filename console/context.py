"""What the rooms share: the settings, the store, the accounts and the run-now launcher.

Held in `app.extensions["patrol"]`, so that a room reads `services().store` instead of module
globals, and a test builds an app around its own store and data home.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g

from evidence.storage import EvidenceStorage
from findings import Store
from settings import Settings

from .roles import allowed
from .users import User, UserStore


@dataclass
class Services:
    settings: Settings
    store: Store
    users: UserStore
    launch: Callable[[Settings, str], Any]          # starts a patrol of a target now
    ledger: Any = None                              # platforms.PlatformStore, opened on first use
    launch_tip_patrol: Callable[[Settings, str], Any] | None = None   # a tipped URL, once
    evidence: EvidenceStorage | None = None         # opened on first use (evidence_url)


def services() -> Services:
    return current_app.extensions["patrol"]


def current_user() -> User | None:
    return g.get("user")


def can(permission: str) -> bool:
    user = current_user()
    return user is not None and allowed(user.role, permission)


def template_context() -> dict[str, Any]:
    """What every template may use: who is asking and what that role may do."""
    from .roles import role_name

    settings = services().settings
    return {"user": current_user(), "can": can,
            "role_name": lambda role: role_name(settings, role)}
