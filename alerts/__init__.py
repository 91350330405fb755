"""Alerts: the right department hears of a finding once, in time, and nothing is lost.

Routing by department (departments.yaml), a durable outbox in the store, channels (email,
DingTalk, WeCom, Feishu, generic webhook, fake), digests of non-urgent findings and the
public-opinion spike alarm. This package imports the store, never the crawler.

The functions below are what the crawler, the demo, the scheduler and the console call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from findings import FindingRecord, Store
from settings import Settings

from .departments import Directory, load_directory
from .digest import run_digest
from .outbox import notify_support, queue_for_findings, queue_forward, queue_test
from .sender import Sender, SendReport
from .spikes import check_spikes

__all__ = [
    "Directory", "SendReport", "Sender", "check_spikes", "forward_finding", "load_directory",
    "notify_support", "queue_for_findings", "queued_by_department", "run_digest", "send_due",
    "send_test",
]


def send_due(store: Store, settings: Settings, now: datetime | None = None,
             echo: Callable[[str], None] | None = None, dry_run: bool | None = None) -> SendReport:
    """One sender pass over the due alerts (dry_run defaults to the alerts_dry_run setting)."""
    return Sender(store, settings, echo=echo, dry_run=dry_run).run(now)


def queued_by_department(store: Store, settings: Settings,
                         findings: list[FindingRecord] | None = None) -> dict[str, Counter[str]]:
    """Alerts in the outbox per department name and kind (for the demo's summary); limited to
    those about `findings` when given."""
    directory = load_directory(settings)
    wanted = {f.id for f in findings} if findings is not None else None
    out: dict[str, Counter[str]] = {}
    for alert in store.list_alerts(limit=10_000):
        if wanted is not None and not wanted.intersection(alert.finding_ids):
            continue
        out.setdefault(directory.name(alert.department), Counter())[alert.kind] += 1
    return out


def send_test(settings: Settings, store: Store, department: str,
              echo: Callable[[str], None] | None = None) -> SendReport:
    """Send a test message on every channel of `department` (id or Chinese name) now.
    (Console signature: settings first.) Raises KeyError for an unknown department."""
    ids = queue_test(store, settings, department)
    return Sender(store, settings, echo=echo).send_alerts(ids)


def forward_finding(settings: Settings, store: Store, finding: FindingRecord, department: str,
                    by: str = "", note: str = "") -> bool:
    """Queue the message telling `department` that an officer forwarded `finding` to it; it
    goes out with the next sender pass. False if it was queued before. (Console signature.)"""
    return queue_forward(store, settings, finding, department, by, note) > 0
