"""Tell a department that a finding was forwarded to it, through the alerts outbox.

The decision itself is already in the audit log when this runs; a failure to queue the alert
is logged and shown in the console, never undoes the decision.
"""

from __future__ import annotations

import logging

import alerts
from findings import FindingRecord

from .context import Services

log = logging.getLogger(__name__)


def notify_forward(services: Services, finding: FindingRecord, department: str, by: str,
                   note: str) -> bool:
    """Queue a message to `department` about `finding`; True when an alert was queued."""
    try:
        return bool(alerts.forward_finding(services.settings, services.store, finding,
                                           department, by=by, note=note))
    except Exception:  # noqa: BLE001 - the decision stands even if the message cannot be queued
        log.exception("could not queue the forward alert of %s to %s", finding.id, department)
        return False


def send_test_message(services: Services, department: str) -> tuple[bool, str]:
    """Queue a test message to `department` (support checks a channel works)."""
    try:
        alerts.send_test(services.settings, services.store, department)
    except Exception as exc:  # noqa: BLE001 - shown to the user, logged in full
        log.exception("test message to %s failed", department)
        return False, f"{type(exc).__name__}"
    return True, department
