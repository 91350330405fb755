"""The scheduler's calls into `alerts/`, in one place, each one unable to break a patrol.

A patrol that failed must still be recorded, and the next one must still run, whatever the
alerting does; so every call here logs its failure and returns.
"""

from __future__ import annotations

import logging
from typing import Any

from findings import Store
from settings import Settings

log = logging.getLogger("patrol.scheduler")


def _call(name: str, *args: Any) -> Any:
    try:
        import alerts

        func = getattr(alerts, name)
    except (ImportError, AttributeError) as exc:
        log.error("alerts.%s is not available (%s); skipped", name, exc)
        return None
    try:
        return func(*args)
    except Exception:  # noqa: BLE001 - alerting must never stop the scheduler
        log.exception("alerts.%s failed", name)
        return None


def notify_support(store: Store, settings: Settings, subject: str, body: str, key: str) -> None:
    """Tell the technical support team (failed or timed-out patrol). `key` makes it once-only."""
    _call("notify_support", store, settings, subject, body, key)


def send_due(store: Store, settings: Settings) -> None:
    """Deliver what is due in the alert outbox (new findings, support messages, retries)."""
    _call("send_due", store, settings)


def run_digest(store: Store, settings: Settings) -> None:
    _call("run_digest", store, settings)


def check_spikes(store: Store, settings: Settings) -> None:
    _call("check_spikes", store, settings)
