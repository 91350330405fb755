"""The one way a review decision is made: confirm, dismiss (with a reason), forward (to a
department, which is told through the alerts outbox) or reopen.

Every caller (the console's review form, the JSON API, `patrol findings review`) comes here, so
that the same checks hold everywhere:

- who: a reviewer decides on findings whose lead department is one of theirs, or that were
  forwarded to one of theirs; an administrator decides on all (viewing may be wider);
- what: a decision must follow from the status the finding has (a confirmed or dismissed
  finding is only reopened; a new or forwarded one is confirmed, dismissed or forwarded);
- at once: the store records the decision only if the status is still the one it was checked
  on (compare-and-set), so of two reviewers deciding the same finding at once exactly one wins
  and the other gets AlreadyDecided;
- after: the audit entry is written by the store with the status change; a forward queues
  the message to the department (a failure to queue it is logged and reported, never undoes
  the decision).

The service sits above the store and the alerts; the store imports neither.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from alerts import forward_finding, load_directory
from findings import Decision, DecisionConflict, FindingRecord, Store, utcnow
from findings.model import DECISIONS
from settings import ConfigError, Settings

log = logging.getLogger(__name__)

MAX_NOTE = 2000

# decision -> the statuses it may be made on
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "confirmed": ("new", "forwarded"),
    "dismissed": ("new", "forwarded"),
    "forwarded": ("new", "forwarded"),
    "reopened": ("confirmed", "dismissed", "forwarded"),
}

STATUS_TEXT = {"new": "待审核", "confirmed": "已确认", "dismissed": "已排除", "forwarded": "已转交"}


class DecisionError(ValueError):
    """A decision that was not recorded; the message is for the officer (Chinese)."""


class NotFound(DecisionError):
    pass


class NotAllowed(DecisionError):
    """The reviewer's department may not decide on this finding."""


class BadDecision(DecisionError):
    """The request itself is wrong: unknown decision, no reason, unknown department."""


class AlreadyDecided(DecisionError):
    """Someone else decided first, or the finding's status does not allow the decision."""


@dataclass(frozen=True)
class Reviewer:
    """Who decides: the name written to the audit log, and the departments they act for."""

    name: str
    departments: frozenset[str]
    admin: bool = False

    @classmethod
    def of(cls, name: str, departments: Iterable[str], admin: bool = False) -> Reviewer:
        return cls(name=name, departments=frozenset(departments), admin=admin)


@dataclass
class DecisionOutcome:
    finding: FindingRecord
    decision: Decision
    alert_queued: bool = False
    alert_error: str = ""      # why the forward message could not be queued (decision stands)


def may_decide(reviewer: Reviewer, finding: FindingRecord) -> bool:
    """The department check (viewing is decided elsewhere and may be wider)."""
    if reviewer.admin:
        return True
    if finding.lead in reviewer.departments:
        return True
    return finding.status == "forwarded" and finding.forwarded_to in reviewer.departments


def department_name(settings: Settings, department: str) -> str | None:
    """The Chinese name of a department of departments.yaml (given by id or name), or None."""
    try:
        dept = load_directory(settings).get(department)
    except (ConfigError, OSError) as exc:
        raise BadDecision(f"部门配置无法读取：{exc}") from exc
    return dept.name if dept else None


def decide(settings: Settings, store: Store, reviewer: Reviewer, finding_id: str, decision: str,
           note: str = "", to: str | None = None, at: datetime | None = None
           ) -> DecisionOutcome:
    """Record one decision on one finding, or raise a DecisionError saying why not."""
    if decision not in DECISIONS:
        raise BadDecision(f"未知的处理决定：{decision}（可选：{'、'.join(DECISIONS)}）")
    note = (note or "").strip()[:MAX_NOTE]
    if not (reviewer.name or "").strip():
        raise BadDecision("须写明由谁作出决定")
    if decision == "dismissed" and not note:
        raise BadDecision("排除需要填写理由")
    target = None
    if decision == "forwarded":
        target = department_name(settings, (to or "").strip()) if to else None
        if target is None:
            raise BadDecision(f"请选择要转交的部门（未知部门：{to or '未填写'}）")
    finding = store.get_finding(finding_id)
    if finding is None:
        raise NotFound(f"没有编号为 {finding_id} 的发现")
    if not may_decide(reviewer, finding):
        raise NotAllowed(f"发现 {finding.id} 由{finding.lead}牵头，{reviewer.name} "
                         "所在部门无权处理（只能处理本部门牵头或转交本部门的发现）")
    if finding.status not in ALLOWED_FROM[decision]:
        raise AlreadyDecided(_already(finding.id, finding.status))
    made = Decision(finding_id=finding.id, decision=decision, by=reviewer.name,
                    at=at or utcnow(), note=note, to=target)
    try:
        updated = store.review(made, expect_status=finding.status)
    except DecisionConflict as exc:
        raise AlreadyDecided(_already(finding.id, exc.status, raced=True)) from exc
    except KeyError as exc:
        raise NotFound(f"没有编号为 {finding_id} 的发现") from exc
    outcome = DecisionOutcome(finding=updated, decision=made)
    if decision == "forwarded" and target:
        _queue_forward(settings, store, outcome, target)
    log.info("decision %s on %s by %s", decision, finding.id, reviewer.name)
    return outcome


def _already(finding_id: str, status: str, raced: bool = False) -> str:
    text = STATUS_TEXT.get(status, status)
    if raced:
        return f"发现 {finding_id} 已由他人处理（当前状态：{text}），本次决定未记录"
    return f"发现 {finding_id} 已处理（当前状态：{text}），如需改变请先重新打开"


def _queue_forward(settings: Settings, store: Store, outcome: DecisionOutcome,
                   department: str) -> None:
    try:
        outcome.alert_queued = forward_finding(settings, store, outcome.finding, department,
                                               by=outcome.decision.by,
                                               note=outcome.decision.note)
    except Exception as exc:  # noqa: BLE001 - the decision stands even if the message cannot be queued
        log.exception("could not queue the forward alert of %s to %s", outcome.finding.id,
                      department)
        outcome.alert_error = type(exc).__name__
