"""Support's "send a test message" button: queue and send a test on a department's channels.

(Forwarding a finding is a review decision: decisions.service queues that alert.)
"""

from __future__ import annotations

import logging

from alerts import send_test

from .context import Services

log = logging.getLogger(__name__)


def send_test_message(services: Services, department: str) -> tuple[bool, str]:
    """Send a test message to `department` now (support checks a channel works)."""
    try:
        send_test(services.settings, services.store, department)
    except Exception as exc:  # noqa: BLE001 - shown to the user, logged in full
        log.exception("test message to %s failed", department)
        return False, f"{type(exc).__name__}"
    return True, department

