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
}


def allowed(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


# Rules whose lead is a financial regulator (rules.md "lead"): 市金融局, 市住房和城乡建设管理局,
# 人民银行清远市中心支行; 清远银监分局 co-leads P2P lending within them.
FINANCE_RULES = ("promised_return", "guaranteed_principal", "real_estate_finance",
                 "margin_financing", "unlicensed_payment", "fundraising_signal", "improper_subsidy")


def default_scopes(role: str) -> list[FindingQuery]:
    """The queries whose union is the role's own findings (one empty query = everything).

    Scopes go by rule and kind, not by the finding's `lead` text, which carries the rule's
    whole lead description ("市金融局; ads also 市工商局").
    """
    if role == "commerce":
        # 市工商局 leads restricted_name and also reviews every advertisement.
        return [FindingQuery(rules=["restricted_name"]), FindingQuery(kinds=["ad"])]
    if role == "finance":
        return [FindingQuery(rules=list(FINANCE_RULES))]
    if role == "opinion":
        return [FindingQuery(rules=["public_risk"])]
    return [FindingQuery()]


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
