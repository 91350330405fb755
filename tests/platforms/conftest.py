"""Fixtures of the ledger tests: a real ledger file and a real findings store on a temporary
data home."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from findings import FindingRecord, Store, finding_id, utcnow
from findings.open import store_from_settings
from platforms import PlatformStore, open_ledger
from settings import Settings

# Valid codes made with the GB 32100-2015 check digit (fictional enterprises).
CODE_A = "91441800MA4UKJ1X0Y"
CODE_B = "91441800MA4UKJ1Y26"


def with_check(first17: str) -> str:
    from platforms.codes import credit_check_char

    return first17 + credit_check_char(first17)


@pytest.fixture
def ledger(settings: Settings) -> Iterator[PlatformStore]:
    store = open_ledger(settings)
    yield store
    store.close()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = store_from_settings(settings)
    yield s
    s.close()


def make_finding(rule: str = "promised_return", severity: str = "high", evidence: str = "保证年化18%",
                 source: str = "http://jucai.example.test/p/1", target: str = "",
                 domain: str = "jucai.example.test", seen: datetime | None = None,
                 **kw: Any) -> FindingRecord:
    seen = seen or utcnow() - timedelta(hours=1)
    kw.setdefault("context", evidence)
    return FindingRecord(
        id=finding_id(source, rule, evidence), rule=rule, severity=severity, evidence=evidence,
        start=0, end=len(evidence), clause="二(一)1", lead="市金融局", source=source,
        captured_at=seen, normalized=evidence, domain=domain, target=target, first_seen=seen,
        last_seen=seen, **kw)


@pytest.fixture
def add_findings(store: Store) -> Callable[..., list[FindingRecord]]:
    def add(*records: FindingRecord) -> list[FindingRecord]:
        store.upsert_findings(list(records))
        return list(records)

    return add
