"""Writing alerts into the durable outbox (the store), before anything is sent.

Every alert is one message to one department on one channel, with an idempotency key that
names what it is about. The store refuses a second alert with the same key, so re-patrolling a
known violation, re-running a digest or a spike check, or a repeated failure report never
queues the same message twice. The sender (sender.py) delivers what is queued here.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from findings import AlertRecord, FindingRecord, Store, alert_id, utcnow
from settings import Settings

from .departments import ChannelSpec, Department, Directory, load_directory
from .messages import (
    Message,
    as_text,
    clean,
    digest_item,
    finding_message,
    support_message,
    test_message,
)
from .routing import route_finding

log = logging.getLogger("alerts.outbox")

# A department with no channel still gets its alerts queued on this placeholder channel: the
# sender marks them dead (and support hears of it), so a missing address is seen, not silent.
NO_CHANNEL = ChannelSpec(id="none", type="none")
# Digest items wait in the outbox until the digest job collects them; they are never due.
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def key_part(text: str) -> str:
    """A part of an idempotency key: kept if short ASCII, else a stable hash."""
    if re.fullmatch(r"[A-Za-z0-9_.:@/+=-]{1,80}", text):
        return text
    return "h" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def channels_of(dept: Department) -> tuple[ChannelSpec, ...]:
    return dept.channels or (NO_CHANNEL,)


def make_alert(key: str, kind: str, dept: Department, channel: ChannelSpec, message: Message,
               now: datetime, payload: dict[str, Any] | None = None,
               finding_ids: Iterable[str] = ()) -> AlertRecord:
    data = {"message": message.to_payload(), "department_name": dept.name, **(payload or {})}
    return AlertRecord(
        id=alert_id(key), key=key, kind=kind, department=dept.id, channel=channel.id,
        subject=message.subject, body=as_text(message, key), created_at=now, payload=data,
        finding_ids=list(finding_ids),
    )


def enqueue_for_department(store: Store, kind: str, key_prefix: str, dept: Department,
                           message: Message, now: datetime, payload: dict[str, Any] | None = None,
                           finding_ids: Iterable[str] = ()) -> int:
    """One alert per channel of `dept`; returns how many were new."""
    written = 0
    ids = list(finding_ids)
    for channel in channels_of(dept):
        key = f"{key_prefix}:{channel.id}"
        if store.enqueue_alert(make_alert(key, kind, dept, channel, message, now, payload, ids)):
            written += 1
    return written


def queue_for_findings(store: Store, settings: Settings, findings: list[FindingRecord],
                       new_flags: list[bool] | None = None, target_kind: str | None = None,
                       tags: Iterable[str] = (), now: datetime | None = None) -> int:
    """Queue alerts for the new findings among `findings` (new_flags from upsert_findings).

    High severity: an immediate alert per routed department and channel. Medium and low: a
    digest item per department, collected by the next digest. Returns alerts written.
    """
    directory = load_directory(settings)
    now = now or utcnow()
    tags = list(tags)
    flags = new_flags if new_flags is not None else [True] * len(findings)
    written = 0
    for finding, is_new in zip(findings, flags, strict=True):
        if not is_new:
            continue
        depts = route_finding(directory, finding, target_kind, tags)
        for dept_id in depts:
            dept = directory.departments[dept_id]
            if finding.severity == "high":
                others = directory.names(d for d in depts if d != dept_id)
                msg = finding_message(finding, dept.name, others, settings["console_base_url"],
                                      settings["time_zone"])
                payload = {"severity": "high", "rule": finding.rule, "finding_id": finding.id,
                           "source": finding.source, "routed_to": depts}
                written += enqueue_for_department(store, "finding", f"finding:{finding.id}:"
                                                  f"{dept_id}", dept, msg, now, payload,
                                                  [finding.id])
            else:
                written += int(queue_digest_item(store, settings, directory, finding, dept, now))
    return written


def queue_digest_item(store: Store, settings: Settings, directory: Directory,
                      finding: FindingRecord, dept: Department, now: datetime) -> bool:
    key = f"digest-item:{finding.id}:{dept.id}"
    item = digest_item(finding, settings["console_base_url"])
    msg = Message(f"待汇总：{item['rule_name']}")
    alert = AlertRecord(
        id=alert_id(key), key=key, kind="digest_item", department=dept.id, channel="digest",
        subject=msg.subject, body=f"{item['rule_name']}：{item['evidence']} — {item['source']}",
        created_at=now, payload={"item": item, "severity": finding.severity,
                                 "department_name": dept.name},
        finding_ids=[finding.id], next_attempt_at=NEVER,
    )
    return store.enqueue_alert(alert)


def notify_support(store: Store, settings: Settings, subject: str, body: str, key: str,
                   now: datetime | None = None) -> bool:
    """Tell the technical support team (failed patrol, dead letter...). Idempotent by `key`:
    True if this call queued the message, False if it was queued before."""
    directory = load_directory(settings)
    dept = directory.departments[directory.support]
    msg = support_message(subject, body)
    written = enqueue_for_department(store, "support", f"support:{key_part(key)}", dept, msg,
                                     now or utcnow(), {"severity": "high", "support_key": key})
    if written:
        log.warning("support told: %s", subject)
    return written > 0


def queue_forward(store: Store, settings: Settings, finding: FindingRecord, department: str,
                  by: str, note: str = "", now: datetime | None = None) -> int:
    """An officer forwarded `finding` to `department` (id or Chinese name): tell it now.
    Once per finding and department; returns alerts written."""
    directory = load_directory(settings)
    dept = directory.get(department)
    if dept is None:
        raise KeyError(f"unknown department {department!r}")
    msg = finding_message(finding, dept.name, [], settings["console_base_url"],
                          settings["time_zone"])
    msg.subject = f"【转办】{msg.subject}"
    msg.lines.insert(0, ("转办人", clean(by, 60), ""))
    if note.strip():
        msg.lines.insert(1, ("转办说明", clean(note, 500), ""))
    payload = {"severity": finding.severity, "rule": finding.rule, "finding_id": finding.id,
               "source": finding.source, "forwarded_by": by}
    return enqueue_for_department(store, "forward", f"forward:{finding.id}:{dept.id}", dept, msg,
                                  now or utcnow(), payload, [finding.id])


def queue_test(store: Store, settings: Settings, department: str,
               now: datetime | None = None) -> list[str]:
    """A test message on every channel of `department` (id or name); returns the alert ids."""
    directory = load_directory(settings)
    dept = directory.get(department)
    if dept is None:
        raise KeyError(f"unknown department {department!r}")
    now = now or utcnow()
    ids = []
    for channel in channels_of(dept):
        msg = test_message(dept.name, channel.id, now, settings["time_zone"])
        key = f"test:{dept.id}:{now.strftime('%Y%m%dT%H%M%S%f')}:{channel.id}"
        alert = make_alert(key, "test", dept, channel, msg, now, {"severity": "high"})
        if store.enqueue_alert(alert):
            ids.append(alert.id)
    return ids
