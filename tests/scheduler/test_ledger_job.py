"""The scheduler's ledger job runs `patrol platforms recheck` in its own process, with the
scheduler's settings, and the overdue platform's lead department is alerted."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import scheduler
from findings import FindingRecord, finding_id, utcnow
from findings.open import store_from_settings
from platforms import open_ledger
from platforms.ledger import classify, register
from scheduling.runner import passthrough_args


def test_fire_ledger_recheck_alerts_overdue_platform(make_settings) -> None:
    settings = make_settings(targets_file="config/targets.yaml")
    past = utcnow() - timedelta(days=40)
    with store_from_settings(settings) as store:
        # A target that is no longer configured: nothing to patrol, the findings it left count.
        seen = utcnow() - timedelta(hours=2)
        store.upsert_findings([FindingRecord(
            id=finding_id("http://127.0.0.1:9/x", "promised_return", "保证年化18%"),
            rule="promised_return", severity="high", evidence="保证年化18%", start=0, end=7,
            clause="二(一)1", lead="市金融局", source="http://127.0.0.1:9/x", captured_at=seen,
            normalized="保证年化18%", domain="127.0.0.1", target="gone-target",
            first_seen=seen, last_seen=seen, annual_rate=18.0)])
    with open_ledger(settings) as ledger:
        p, _ = register(ledger, name="旧平台", by="t", source="manual", kind="P2P网贷",
                        targets=["gone-target"], now=past)
        classify(ledger, p.id, "整改", by="f", departments=None, reason="限期整改",
                 deadline=past + timedelta(days=10), now=past)
    scheduler._service = SimpleNamespace(settings=settings,  # the parts the job reads
                                         runner=SimpleNamespace(passthrough=passthrough_args(settings)))
    try:
        assert scheduler.fire_ledger_recheck() == 0
    finally:
        scheduler._service = None
    with store_from_settings(settings) as store:
        [alert] = store.list_alerts(kind="rectification")
        assert alert.subject.startswith("【整改逾期】旧平台") and alert.department == "cbrc_qingyuan"
