"""What an analyzer reports: one rule hit in one text (shared/spec/rules.md, "What a finding carries")."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Finding:
    rule: str                 # rule id from rules.md
    severity: str             # high, medium, low
    evidence: str             # exact words of the text as given: text[start:end]
    start: int
    end: int
    clause: str               # the plan's clause, e.g. "二(一)1"
    lead: str                 # lead department
    rule_name: str = ""       # Chinese name of the rule, e.g. 承诺/夸大收益
    annual_rate: float | None = None   # promised_return: percent per year, when a rate was stated
    normalized: str = ""      # normalized evidence; with source and rule it makes the finding id
    platform: str | None = None        # public_risk: the platform or company named
    sentiment: float | None = None     # public_risk: in [-1, 1]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON Lines form of `patrol analyze` (annual_rate and empty fields left out)."""
        # a shallow walk: dataclasses.asdict deep-copies and was a tenth of `patrol analyze`
        data = {}
        for f in _FIELDS:
            v = getattr(self, f)
            if v is None or v == "" or v == {}:
                continue
            data[f] = dict(v) if f == "extra" else v
        return data


_FIELDS = tuple(f.name for f in fields(Finding))
