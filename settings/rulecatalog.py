"""The rules as the rest of the system knows them: id, name, clause, lead, severity and kind.

A rule is declared once, in the rules file (`rules_file`, default config/rules.yaml). The
analyzers read all of it (analyzers/rules.py, strictly, with line numbers); everything else that
names rules (settings checks, the console's labels and role scopes, the corpus checks, reports)
reads only these few keys from the same file through this module, so that adding a rule is one
YAML entry. The file is read again only when it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .resources import shipped_path

DEFAULT_RULES_FILE = shipped_path("config", "rules.yaml")
# The matcher kinds a rule may name (analyzers/engine.py chooses its matcher by these):
#   lexicon         terms and anchored regex patterns in running text
#   rate            annual rates read after rate keywords (年化, 月息, 日息 ...)
#   enterprise_name restricted words in an enterprise name or business scope
#   entity_event    a trouble event about a named platform (public opinion), decided by a model
RULE_KINDS: tuple[str, ...] = ("lexicon", "rate", "enterprise_name", "entity_event")


class CatalogError(ValueError):
    """The rules file cannot be read as a list of rules."""


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    clause: str
    lead: str
    lead_note: str
    severity: str
    kinds: tuple[str, ...]


_CACHE: dict[Path, tuple[int, dict[str, RuleInfo]]] = {}


def _kinds(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


def load_catalog(path: Path | str = DEFAULT_RULES_FILE) -> dict[str, RuleInfo]:
    """Rule id -> RuleInfo, in file order; CatalogError if the file has no rules mapping."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise CatalogError(f"{p}: cannot read rules file ({exc.strerror})") from None
    cached = _CACHE.get(p)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        data = yaml.load(p.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{p}: not a readable rules file ({exc})") from None
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        raise CatalogError(f"{p}: missing 'rules'")
    out: dict[str, RuleInfo] = {}
    for rid, r in rules.items():
        r = r if isinstance(r, dict) else {}
        out[str(rid)] = RuleInfo(
            id=str(rid), name=str(r.get("name", rid)), clause=str(r.get("clause", "")),
            lead=str(r.get("lead", "")), lead_note=str(r.get("lead_note", "")),
            severity=str(r.get("severity", "high")), kinds=_kinds(r.get("kind")),
        )
    _CACHE[p] = (mtime, out)
    return out


def catalog(settings: Mapping[str, Any] | None = None) -> dict[str, RuleInfo]:
    """The rules of the configured rules file (the shipped one without settings)."""
    path = getattr(settings, "path", None)
    return load_catalog(path("rules_file") if path is not None else DEFAULT_RULES_FILE)


def rule_names(settings: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Rule id -> its Chinese name, for people (console, alerts, reports)."""
    return {rid: info.name for rid, info in catalog(settings).items()}


def rules_led_by(departments: tuple[str, ...] | frozenset[str],
                 settings: Mapping[str, Any] | None = None) -> list[str]:
    """Ids of the rules whose lead department is one of `departments`."""
    return [rid for rid, info in catalog(settings).items() if info.lead in departments]


def text_rules(settings: Mapping[str, Any] | None = None) -> list[str]:
    """Ids of the rules that read running text (not enterprise records only)."""
    return [rid for rid, info in catalog(settings).items()
            if set(info.kinds) - {"enterprise_name"}]
