"""The scheduler's calls into `alerts/`, in one place, each one unable to break a patrol.
(What support is told about a run is the patrol service's: patrols.service.tell_support.)

A patrol that failed must still be recorded, and the next one must still run, whatever the
alerting does; so every call here logs its failure and returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import alerts
from findings import Store
from settings import Settings

log = logging.getLogger("patrol.scheduler")


def _call(func: Callable[..., Any], *args: Any) -> Any:
    try:
        return func(*args)
    except Exception:  # noqa: BLE001 - alerting must never stop the scheduler
        log.exception("alerts.%s failed", func.__name__)
        return None


def send_due(store: Store, settings: Settings) -> None:
    """Deliver what is due in the alert outbox (new findings, support messages, retries)."""
    _call(alerts.send_due, store, settings)


def run_digest(store: Store, settings: Settings) -> None:
    _call(alerts.run_digest, store, settings)


def check_spikes(store: Store, settings: Settings) -> None:
    _call(alerts.check_spikes, store, settings)
