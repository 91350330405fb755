"""Roles, what each may do, and which findings each department sees by default.

One table instead of permission checks scattered over the rooms: a room asks `allowed(role,
"patrols.run")` and answers 403 when it is not. The default scope of a role is a list of store
queries whose union is "my department's findings" (the store combines filters with AND, so an
OR across fields is several queries merged by `console.scope`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from findings import FindingQuery
from settings.rulecatalog import rules_led_by

ROLES: dict[str, str] = {
    "support": "技术支持",
    "commerce": "市工商局",
    "opinion": "舆情监测（市委宣传部、市网信办）",
    "finance": "金融监管（市金融局及驻清金融管理部门）",
    "admin": "系统管理员",
}

# Departments named by the plan (shared/spec/rules.md "lead"), in the order a forward list shows.
DEPARTMENTS: tuple[str, ...] = (
    "市金融局",
    "市工商局",
    "市住房和城乡建设管理局",
    "人民银行清远市中心支行",
    "清远银监分局",
    "市公安局",
    "市委宣传部",
    "市网信办",
    "市委维稳办",
)

FINANCE_DEPARTMENTS = ("市金融局", "人民银行清远市中心支行", "清远银监分局", "市住房和城乡建设管理局")

ROLE_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "support": (),
    "commerce": ("市工商局",),
    "finance": FINANCE_DEPARTMENTS,
    "opinion": ("市委宣传部", "市网信办"),
    "admin": DEPARTMENTS,
}

ALL = frozenset(ROLES)
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
    "runs.read": frozenset({"support", "finance", "commerce", "opinion", "admin"}),
}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def default_scopes(role: str, settings: Mapping[str, Any] | None = None) -> list[FindingQuery]:
    """The queries whose union is the role's own findings (one empty query = everything).

    Scopes go by rule and kind: a role owns the rules whose `lead` in the rules file is one of
    its departments (so a rule added to that file lands in the right queue), not by the
    finding's stored lead text.
    """
    if role not in ROLE_DEPARTMENTS or role == "admin" or not ROLE_DEPARTMENTS[role]:
        return [FindingQuery()]
    # the rules whose lead (rules file) is one of the role's departments
    own = rules_led_by(ROLE_DEPARTMENTS[role], settings)
    scopes = [FindingQuery(rules=own)] if own else []
    if role == "commerce":
        scopes.append(FindingQuery(kinds=["ad"]))  # 市工商局 also reviews every advertisement
    return scopes or [FindingQuery(rules=["-"])]  # no rule of its own: an empty queue


def role_name(role: str) -> str:
    return ROLES.get(role, role)
