"""Roles, what each may do, and which findings each department sees by default.

One table instead of permission checks scattered over the rooms: a room asks `allowed(role,
"patrols.run")` and answers 403 when it is not. The default scope of a role is a list of store
queries whose union is "my department's findings" (the store combines filters with AND, so an
OR across fields is several queries merged by `console.scope`).

Role ids are the vocabulary's; a role's name and its departments come from departments.yaml
(`roles:`), like every department the console lists.
"""

from __future__ import annotations

import logging

from common.vocabulary import ROLE_IDS
from common.vocabulary import roles as configured_roles
from decisions import Reviewer
from findings import FindingQuery
from settings import ConfigError, Settings
from settings.rulecatalog import rules_led_by

log = logging.getLogger(__name__)

ALL = frozenset(ROLE_IDS)
REVIEWERS = frozenset({"commerce", "finance", "opinion", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "findings.read": ALL,                 # finding detail, stored pages, evidence files
    "review": REVIEWERS,                  # the review queue and decisions
    "opinion": frozenset({"opinion", "finance", "admin"}),
    "patrols.read": frozenset({"support", "admin"}),
    "patrols.run": frozenset({"support", "admin"}),
    "alerts.test": frozenset({"support", "admin"}),
    "search": ALL,
    "reports": ALL,
    "ledger.read": REVIEWERS,             # 平台台账 (the lead-department check is per platform)
    "ledger.classify": frozenset({"commerce", "finance", "admin"}),
    "tips.review": REVIEWERS,             # the 举报 queue
}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def default_scopes(role: str, settings: Settings) -> list[FindingQuery]:
    """The queries whose union is the role's own findings (one empty query = everything).

    Scopes go by rule and kind: a role owns the rules whose `lead` in the rules file is one of
    its departments (departments.yaml `roles:`), so a rule added to that file lands in the
    right queue; not by the finding's stored lead text.
    """
    departments = role_departments(settings, role)
    if role == "admin" or not departments:
        return [FindingQuery()]
    own = rules_led_by(departments, settings)
    scopes = [FindingQuery(rules=own)] if own else []
    if role == "commerce":
        scopes.append(FindingQuery(kinds=["ad"]))  # 市工商局 also reviews every advertisement
    return scopes or [FindingQuery(rules=["-"])]  # no rule of its own: an empty queue


def _role(settings: Settings, role: str) -> tuple[str, tuple[str, ...]]:
    try:
        return configured_roles(settings).get(role, (role, ()))
    except ConfigError as exc:   # a broken departments file must not break every page
        log.warning("departments file not read: %s", exc)
        return role, ()


def role_name(settings: Settings, role: str) -> str:
    """The Chinese name of a role (departments.yaml `roles:`), or its id."""
    return _role(settings, role)[0]


def role_departments(settings: Settings, role: str) -> tuple[str, ...]:
    """The names of the departments whose findings are the role's own."""
    return _role(settings, role)[1]


def reviewer(settings: Settings, name: str, role: str) -> Reviewer:
    """An account as the decision service sees it: the departments its role acts for."""
    return Reviewer.of(name, role_departments(settings, role), admin=role == "admin")
