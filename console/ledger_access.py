"""Who may classify a platform: an officer of its lead department, or an administrator. The one
place the console, the API and `patrol platforms classify` turn a role into departments."""

from __future__ import annotations

from typing import Any


def officer_departments(settings: Any, role: str) -> tuple[str, ...] | None:
    """The departments a role acts for; None for an administrator (every department)."""
    if role == "admin":
        return None
    from .roles import role_departments

    return role_departments(settings, role)
