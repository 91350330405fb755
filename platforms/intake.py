"""How platforms enter the ledger from what the patrol already knows: its targets (each names
its platform, or is one) and the operators found on crawled pages; then every touched platform
is scored again.

IP addresses are not registered as a platform's domain: hosting shares them (the demo sites all
live on 127.0.0.1), so such a site attaches to its platform through its patrol target instead.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from findings import FindingQuery, Store, walk_findings

from .base import PlatformQuery, PlatformStore
from .ledger import LedgerError, load_licensed_names, register
from .model import Platform
from .score import ScoreSettings, rescore

log = logging.getLogger(__name__)

TARGET_KIND = {"p2p": "P2P网贷"}


def is_name_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(host)
    return False


def target_platform_name(target: Any) -> str:
    """The platform a target names (`platform:`), else its description up to a bracket, else
    the target's name."""
    named = getattr(target, "platform", "") or ""
    if named.strip():
        return named.strip()
    if getattr(target, "schedule_group", "") == "adhoc":     # `patrol crawl URL`: the host
        return urlsplit(target.start_urls[0]).hostname or target.name
    description = (getattr(target, "description", "") or "").strip()
    head = re.split(r"[（(，,;；]", description, maxsplit=1)[0].strip()
    return head or target.name


def register_targets(ledger: PlatformStore, targets: Iterable[Any], by: str = "system",
                     licensed: frozenset[str] | None = None) -> list[Platform]:
    """One platform per target unless the target names a platform (several may share one)."""
    touched: dict[str, Platform] = {}
    for target in targets:
        hosts = [urlsplit(u).hostname or "" for u in target.start_urls]
        hosts += list(getattr(target, "allowed_domains", []) or [])
        domains = sorted({h.lower() for h in hosts if is_name_host(h)})
        try:
            platform, _ = register(ledger, name=target_platform_name(target), by=by,
                                   source=f"target:{target.name}", domains=domains,
                                   kind=TARGET_KIND.get(getattr(target, "kind", ""), ""),
                                   targets=[target.name], licensed=licensed)
        except (LedgerError, ValueError) as exc:
            log.warning("target %s not registered in the ledger: %s", target.name, exc)
            continue
        touched[platform.id] = platform
    return list(touched.values())


def register_operators(ledger: PlatformStore, store: Store, target_names: Iterable[str],
                       by: str = "system", licensed: frozenset[str] | None = None
                       ) -> list[Platform]:
    """Operators named on pages of these targets: the operator joins the target's platform
    (or the platform of the finding's domain); an operator with no such platform becomes one."""
    live = ledger.query(PlatformQuery(limit=10000))
    by_target = {t: p for p in live for t in p.targets}
    touched: dict[str, Platform] = {}
    seen: set[tuple[str, str, str]] = set()
    for name in target_names:
        for f in walk_findings(store, FindingQuery(targets=[name])):
            if not f.operator or (f.operator, f.domain, f.target) in seen:
                continue
            seen.add((f.operator, f.domain, f.target))
            owner = by_target.get(f.target) or (f.domain and ledger.by_domain(f.domain))
            try:
                if owner:
                    platform, _ = register(ledger, name=owner.name, operator=f.operator,
                                           by=by, source=f"operator:{f.domain}",
                                           licensed=licensed)
                else:
                    platform, _ = register(
                        ledger, name=f.operator, operator=f.operator, by=by,
                        source=f"operator:{f.domain}",
                        domains=[f.domain] if is_name_host(f.domain) else [],
                        targets=[f.target] if f.target else [], licensed=licensed)
            except (LedgerError, ValueError) as exc:
                log.warning("operator %r not registered: %s", f.operator, exc)
                continue
            touched[platform.id] = platform
    return list(touched.values())


def update_after_patrol(settings: Any, ledger: PlatformStore, store: Store,
                        targets: Iterable[Any], by: str = "system") -> list[Platform]:
    """The ledger's step after a patrol: register the targets' platforms and the operators
    their pages named, then score every platform touched. Returns them, scored."""
    targets = list(targets)
    licensed = load_licensed_names(settings)
    touched = {p.id: p for p in register_targets(ledger, targets, by, licensed)}
    for p in register_operators(ledger, store, [t.name for t in targets], by, licensed):
        touched[p.id] = p
    cfg = ScoreSettings.from_settings(settings)
    scored = []
    for pid in touched:
        platform = ledger.get(pid)
        if platform is None or platform.merged_into:
            continue
        rescore(ledger, store, platform, cfg)
        scored.append(ledger.get(pid) or platform)
    return scored


def ledger_step(settings: Any, store: Store, targets: Iterable[Any]) -> list[Platform]:
    """`update_after_patrol` on the data home's ledger, as the last step of a patrol. A ledger
    problem is logged, never fails the patrol (its findings are stored already)."""
    from . import open_ledger

    try:
        with open_ledger(settings) as ledger:
            return update_after_patrol(settings, ledger, store, targets)
    except Exception:  # noqa: BLE001 - the patrol's result must stand
        log.exception("ledger update after patrol failed")
        return []
