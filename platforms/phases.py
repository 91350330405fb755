"""Phase reports of the campaign (plan 五): per phase, platforms found, classified (per class
and per lead department), rectified on time, overdue, and closed (取缔)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from common.timefmt import day_start
from settings import ConfigError

from .base import PlatformQuery, PlatformStore


@dataclass(frozen=True)
class Phase:
    name: str
    first: date
    last: date
    tz: tzinfo = UTC          # the days are days in this zone (the configured time zone)

    @property
    def start(self) -> datetime:
        return day_start(self.first, self.tz)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1), self.tz)

    def holds(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when < self.end


def parse_phases(items: list[str], tz: tzinfo, where: str = "ledger_phases") -> list[Phase]:
    phases = []
    for item in items:
        name, _, rest = item.partition(":")
        first, _, last = rest.partition(":")
        try:
            phase = Phase(name.strip(), date.fromisoformat(first.strip()),
                          date.fromisoformat(last.strip()), tz)
        except ValueError:
            raise ConfigError(where, "ledger_phases",
                              f"expected NAME:YYYY-MM-DD:YYYY-MM-DD, got {item!r}") from None
        if not phase.name or phase.last < phase.first:
            raise ConfigError(where, "ledger_phases", f"empty name or last day before first: {item!r}")
        phases.append(phase)
    return phases


@dataclass
class PhaseFigures:
    phase: Phase
    found: int = 0
    found_by_kind: Counter[str] = field(default_factory=Counter)
    classified: int = 0
    by_class: Counter[str] = field(default_factory=Counter)
    by_lead: dict[str, Counter[str]] = field(default_factory=dict)
    rectify_due: int = 0          # 整改 deadlines falling in the phase
    rectified_on_time: int = 0    # ... reclassified 合规 by their deadline
    overdue: int = 0              # ... not, deadline passed
    pending: int = 0              # ... deadline still ahead
    closed: int = 0               # 取缔 decisions in the phase


def phase_report(ledger: PlatformStore, phases: list[Phase],
                 now: datetime | None = None) -> list[PhaseFigures]:
    now = now or datetime.now(UTC)
    figures = [PhaseFigures(p) for p in phases]
    for platform in ledger.query(PlatformQuery(limit=100_000)):
        decisions = ledger.classifications(platform.id)
        for fig in figures:
            ph = fig.phase
            if ph.holds(platform.created_at):
                fig.found += 1
                fig.found_by_kind[platform.kind] += 1
            in_phase = [d for d in decisions if ph.holds(d.at)]
            if in_phase:
                last = in_phase[-1]
                fig.classified += 1
                fig.by_class[last.classification] += 1
                fig.by_lead.setdefault(platform.lead, Counter())[last.classification] += 1
            fig.closed += sum(1 for d in in_phase if d.classification == "取缔")
            for n, d in enumerate(decisions):
                if d.classification != "整改" or not ph.holds(d.deadline):
                    continue
                fig.rectify_due += 1
                later = decisions[n + 1:]
                if any(x.classification == "合规" and d.deadline and x.at <= d.deadline
                       for x in later):
                    fig.rectified_on_time += 1
                elif d.deadline and d.deadline > now:
                    fig.pending += 1
                else:
                    fig.overdue += 1
    return figures
