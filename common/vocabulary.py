"""The words of the patrol, each defined once, with the Chinese label people read.

Codes (severity `high`, run status `ok`, ...) are what the store, the API and the files hold;
labels are what the console, alerts, exports and the command line show. A caller that needs a
list or a label imports it from here. Rule ids and names are declared by the rules
(`settings.spec`, re-exported below); departments and roles come from `departments.yaml`
through the config model (`settings.models`), see `departments()` and `roles()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from settings.spec import RULE_IDS, RULE_NAMES

__all__ = [
    "ALERT_KINDS", "ALERT_KIND_LABELS", "ALERT_OUTCOME_LABELS", "ALERT_STATUSES",
    "ALERT_STATUS_LABELS", "DECISIONS", "DECISION_LABELS", "FINDING_KINDS", "FINDING_STATUSES",
    "FINDING_STATUS_LABELS", "KIND_LABELS", "ROLE_IDS", "ROUTE_KINDS", "RULE_IDS", "RULE_NAMES",
    "RUN_STATUSES", "RUN_STATUS_LABELS", "SEVERITIES", "SEVERITY_LABELS", "SEVERITY_ORDER",
    "TARGET_ANALYSIS_KIND", "TARGET_KINDS", "TEXT_KINDS", "label", "rule_label",
]

# -- severity of a finding ----------------------------------------------------------------------
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
SEVERITY_LABELS: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}
SEVERITY_ORDER: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}  # most severe first

# -- review status of a finding, and the decisions that set it ----------------------------------
FINDING_STATUSES: tuple[str, ...] = ("new", "confirmed", "dismissed", "forwarded")
FINDING_STATUS_LABELS: dict[str, str] = {
    "new": "待审核", "confirmed": "已确认", "dismissed": "已排除", "forwarded": "已转交"}
# Decisions the store records; "reopened" sets the finding back to new (findings.status_after).
DECISIONS: tuple[str, ...] = ("confirmed", "dismissed", "forwarded", "reopened")
DECISION_LABELS: dict[str, str] = {
    "confirmed": "确认", "dismissed": "排除", "forwarded": "转交", "reopened": "重新打开"}

# -- patrol runs --------------------------------------------------------------------------------
RUN_STATUSES: tuple[str, ...] = ("running", "ok", "degraded", "failed", "timeout", "interrupted")
RUN_STATUS_LABELS: dict[str, str] = {
    "running": "运行中", "ok": "成功", "degraded": "降级（异常）", "failed": "失败",
    "timeout": "超时", "interrupted": "中断"}

# -- alerts in the outbox -----------------------------------------------------------------------
ALERT_STATUSES: tuple[str, ...] = ("pending", "sent", "dead")
ALERT_STATUS_LABELS: dict[str, str] = {"pending": "待发送", "sent": "已发送", "dead": "发送失败"}
ALERT_KINDS: tuple[str, ...] = ("finding", "digest", "digest_item", "spike", "support", "test",
                                "forward", "rectification")
ALERT_KIND_LABELS: dict[str, str] = {
    "finding": "线索", "digest": "汇总", "digest_item": "待汇总", "spike": "舆情突增",
    "support": "运维", "test": "测试", "forward": "转办", "rectification": "整改逾期"}
# What one delivery attempt came to (the sender's log of attempts).
ALERT_OUTCOME_LABELS: dict[str, str] = {
    "sent": "已发送", "retry": "待重试", "dead": "发送失败", "deferred": "延后", "skipped": "演练"}

# -- kinds --------------------------------------------------------------------------------------
# How the analyzers read a text (analyzers.engine.KINDS must be the same).
TEXT_KINDS: tuple[str, ...] = ("ad", "page", "post", "news", "notice")
# FindingRecord.kind: a text kind, or what a finding about a whole thing is about.
FINDING_KINDS: tuple[str, ...] = (*TEXT_KINDS, "enterprise", "site", "app", "image")
# Kinds of patrol target (targets.yaml `kind`) and how the analyzers read their pages.
TARGET_ANALYSIS_KIND: dict[str, str] = {"p2p": "page", "ads": "ad", "forum": "post",
                                        "news": "news"}
TARGET_KINDS: tuple[str, ...] = tuple(TARGET_ANALYSIS_KIND)
# Targets where the public talks about platforms: their pages are not a platform's own site.
OPINION_TARGET_KINDS: tuple[str, ...] = ("forum", "news")
# What an alert route may name: a finding's kind or its target's kind.
ROUTE_KINDS: tuple[str, ...] = tuple(dict.fromkeys((*FINDING_KINDS, *TARGET_KINDS)))
KIND_LABELS: dict[str, str] = {
    "ad": "广告", "page": "网页", "post": "帖子/评论", "news": "新闻", "notice": "公告",
    "enterprise": "企业登记信息", "site": "网站", "app": "移动应用", "image": "图片",
    "p2p": "网贷平台", "ads": "广告页", "forum": "论坛"}

# -- departments and console roles --------------------------------------------------------------
# Role ids: what each may do is code (console.roles); names and departments: departments.yaml.
ROLE_IDS: tuple[str, ...] = ("support", "commerce", "opinion", "finance", "admin")


def departments(settings: Any) -> dict[str, str]:
    """Department id -> Chinese name, in the order of departments.yaml (settings'
    departments_file, through the config model). ConfigError when the file is broken."""
    from settings.models import load_directory_file  # the model imports the codes above

    directory = load_directory_file(settings.path("departments_file"))
    return {dept_id: dept.name for dept_id, dept in directory.departments.items()}


def roles(settings: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Role id -> (Chinese name, names of its departments) from departments.yaml; a role the
    file leaves out is named by its id and has no departments."""
    from settings.models import load_directory_file

    directory = load_directory_file(settings.path("departments_file"))
    return {role_id: (directory.role(role_id).name,
                      tuple(directory.names(directory.role(role_id).departments)))
            for role_id in ROLE_IDS}


def label(labels: Mapping[str, str], code: Any) -> str:
    """The label of `code` in `labels`, or the code itself (an unknown value stays visible)."""
    return labels.get(code, "" if code is None else str(code))


def rule_label(rule: str) -> str:
    return RULE_NAMES.get(rule, rule)
