"""Every finding on a fixed sample stays what it was (pinned_findings.py says what the sample is
and how to rewrite the pin after a change that is meant to change findings)."""

from __future__ import annotations

import json

from pinned_findings import PINNED, collect, model_digest

from analyzers import Analyzer

SHOW = 8  # differing records shown in a failure


def test_findings_on_the_pinned_sample(analyzer: Analyzer) -> None:
    pinned = json.loads(PINNED.read_text("utf-8"))
    assert pinned["model"] == model_digest(), (
        "the opinion model changed since the findings were pinned: public_risk findings may "
        "change with it; rerun `python tests/analyzers/pinned_findings.py` and read the diff")
    now = collect(analyzer)
    assert sorted(now) == sorted(pinned["findings"]), "the sample changed: rerun the script"
    changed = []
    for key, expected in pinned["findings"].items():
        got = now[key]
        if got != expected:
            gone = [f"  - {x}" for x in expected if x not in got]
            new = [f"  + {x}" for x in got if x not in expected]
            changed.append("\n".join([key, *(gone + new or ["  (same findings, other order)"])]))
    assert not changed, (f"{len(changed)} records have other findings than pinned:\n"
                         + "\n".join(changed[:SHOW]))
