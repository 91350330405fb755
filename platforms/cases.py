"""What a platform's or a tip's case package holds: one selection for the command line and
the console, handed to the one package builder (`evidence.package.build_case`).

- A platform's case is the findings its ledger page shows (`score.platform_findings`: its
  domains, its patrol targets, public-risk posts naming it), gone ones included: evidence of
  what a page said matters most once the page is gone. A name the ledger does not know falls
  back to the findings that carry that platform name.
- A tip's case is the tip itself (what was reported, when, through which channel, who handled
  it) and the findings of the platform it is linked to and of its URL's host. The tipster's
  contact and address key stay out: the package is handed to other offices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from findings import FindingQuery, Store, walk_findings
from findings.model import to_iso

from .base import PlatformStore
from .ledger import lookup, resolve
from .model import Platform
from .score import platform_findings
from .tips import TIP_STATUS_LABELS, Tip

MAX_CASE_FINDINGS = 1000


@dataclass
class CaseSelection:
    """The findings of a case and what the manifest says about how they were chosen."""

    finding_ids: list[str]
    title: str
    selection: dict[str, Any]
    tip: dict[str, Any] | None = None
    platform: Platform | None = None
    notes: list[str] = field(default_factory=list)


def _capped(ids: list[str], limit: int, notes: list[str]) -> list[str]:
    ids = list(dict.fromkeys(ids))
    if len(ids) > limit:
        notes.append(f"only the newest {limit} of {len(ids)} findings were selected")
    return ids[:limit]


def platform_case(store: Store, ledger: PlatformStore, key: str,
                  limit: int = MAX_CASE_FINDINGS) -> CaseSelection:
    """The case of the platform `key` (id, name, alias, operator or domain)."""
    notes: list[str] = []
    platform = lookup(ledger, key)
    if platform is not None:
        ids = [f.id for f in platform_findings(store, platform, live=False)]
        return CaseSelection(_capped(ids, limit, notes), f"平台：{platform.name}",
                             {"platform": platform.name, "platform_id": platform.id},
                             platform=platform, notes=notes)
    name = key.strip()
    query = FindingQuery(platforms=[name], sort="newest")
    query.include_gone = True
    ids = [f.id for f in walk_findings(store, query, limit)] if name else []
    return CaseSelection(_capped(ids, limit, notes), f"平台：{name}", {"platform": name},
                         notes=notes)


def tip_entry(tip: Tip, platform: Platform | None) -> dict[str, Any]:
    """The tip as the manifest and index.html show it (no contact, no address key)."""
    return {
        "receipt": tip.receipt, "at": to_iso(tip.at), "source": tip.source,
        "text": tip.text, "url": tip.url, "platform_name": tip.platform_name,
        "status": tip.status, "status_label": TIP_STATUS_LABELS.get(tip.status, tip.status),
        "handled_by": tip.handled_by, "handled_at": to_iso(tip.handled_at), "note": tip.note,
        "linked_platform": ({"id": platform.id, "name": platform.name} if platform else None),
        "contact": "举报人联系方式不随证据包导出" if tip.contact else "",
    }


def tip_case(store: Store, ledger: PlatformStore, tip: Tip,
             limit: int = MAX_CASE_FINDINGS) -> CaseSelection:
    """The case of a tip: the tip, and the findings of its platform and of its URL's host."""
    notes: list[str] = []
    platform = resolve(ledger, tip.platform_id) if tip.platform_id else None
    found = platform_findings(store, platform, live=False) if platform else []
    host = (urlsplit(tip.url).hostname or "").lower() if tip.url else ""
    if host:
        query = FindingQuery(domains=[host], sort="newest")
        query.include_gone = True
        found += list(walk_findings(store, query, limit))
    found.sort(key=lambda f: f.last_seen or f.captured_at, reverse=True)
    ids = _capped([f.id for f in found], limit, notes)
    selection = {"tip": tip.receipt, "platform_id": platform.id if platform else "",
                 "host": host}
    return CaseSelection(ids, f"举报 {tip.receipt}", selection, tip_entry(tip, platform),
                         platform, notes)
