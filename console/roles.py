"""Roles, what each may do, and which findings each department sees by default.

One table instead of permission checks scattered over the rooms: a room asks `allowed(role,
"patrols.run")` and answers 403 when it is not. The default scope of a role is a list of store
queries whose union is "my department's findings" (the store combines filters with AND, so an
OR across fields is several queries merged by `console.scope`).
"""

from __future__ import annotations

from findings import FindingQuery

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
    "ledger.read": REVIEWERS,             # 平台台账 (the lead-department check is per platform)
    "ledger.classify": frozenset({"commerce", "finance", "admin"}),
    "tips.review": REVIEWERS,             # the 举报 queue
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


def role_name(role: str) -> str:
    return ROLES.get(role, role)
