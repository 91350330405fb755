"""Which departments hear of a finding: the routes of departments.yaml applied to one finding."""

from __future__ import annotations

from collections.abc import Iterable

from findings import FindingRecord

from .departments import Directory, Route


def finding_tags(finding: FindingRecord, tags: Iterable[str] = ()) -> set[str]:
    """Tags of the patrol target plus any the analyzers put in finding.extra["tags"]."""
    out = {t for t in tags if isinstance(t, str)}
    extra = finding.extra.get("tags") if isinstance(finding.extra, dict) else None
    if isinstance(extra, list):
        out.update(t for t in extra if isinstance(t, str))
    return out


def route_matches(route: Route, finding: FindingRecord, kinds: set[str], tags: set[str]) -> bool:
    if route.rules and finding.rule not in route.rules:
        return False
    if route.severities and finding.severity not in route.severities:
        return False
    if route.kinds and not (route.kinds & kinds):
        return False
    if route.tags and not (route.tags & tags):
        return False
    if route.words:
        text = f"{finding.evidence}\n{finding.context}"
        if not any(w in text for w in route.words):
            return False
    return True


def route_finding(directory: Directory, finding: FindingRecord, target_kind: str | None = None,
                  tags: Iterable[str] = ()) -> list[str]:
    """Department ids for `finding`, in the order the routes name them (no repeats).

    `target_kind` is the kind of the patrol target the finding came from (an ad platform, a
    forum...), matched against route kinds along with the finding's own kind.
    """
    kinds = {k for k in (finding.kind, target_kind) if k}
    tagset = finding_tags(finding, tags)
    out: dict[str, None] = {}
    for route in directory.routes:
        if route_matches(route, finding, kinds, tagset):
            out.update(dict.fromkeys(route.to))
    if not out:
        out.update(dict.fromkeys(directory.default_to))
    return list(out)
