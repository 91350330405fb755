"""Patrol targets for the crawler: the config model's targets (settings.models, read from
`targets_file`), checked once more against the crawler's address policy and resolved against
the settings.

A target is a site or a group of pages: start URLs, the domains its links may lead to, its
kind (which decides how the analyzers read its text), limits, render mode and politeness.
Values a target leaves out come from the settings (crawl_depth, crawl_max_pages, ...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from common.vocabulary import TARGET_ANALYSIS_KIND, TARGET_KINDS
from settings import ConfigError, Settings
from settings.models import RENDER_MODES, Target, load_targets_file
from settings.yamlfile import Entry

from .address_guard import ALLOWED_SCHEMES, BadURL, parse_url

__all__ = ["ANALYSIS_KIND", "KINDS", "RENDER_MODES", "Target", "adhoc_target", "get_target",
           "load_targets", "resolve"]

KINDS = TARGET_KINDS
# How the analyzers read a target's pages (analyzers: ad|page|post|news|notice).
ANALYSIS_KIND = TARGET_ANALYSIS_KIND


def resolve(target: Target, settings: Settings) -> Target:
    """A copy with every limit filled in from the settings."""
    return replace(
        target,
        depth=target.depth if target.depth is not None else settings["crawl_depth"],
        max_pages=target.max_pages if target.max_pages is not None
        else settings["crawl_max_pages"],
        render=target.render or settings["crawl_render"],
        concurrency=target.concurrency or settings["crawl_concurrency"],
        obey_robots=(target.obey_robots if target.obey_robots is not None
                     else settings["crawl_obey_robots"]),
        allowed_domains=target.allowed_domains or _hosts(target.start_urls),
    )


def _hosts(urls: list[str]) -> list[str]:
    hosts: list[str] = []
    for url in urls:
        host = parse_url(url).host
        if host not in hosts:
            hosts.append(host)
    return hosts


def adhoc_target(urls: list[str], kind: str = "p2p") -> Target:
    """A target for `patrol crawl URL...`: named after the first host, defaults for the rest."""
    for url in urls:
        _check_url("command line", url)
    first = parse_url(urls[0]).host
    digest = hashlib.sha256("\n".join(sorted(urls)).encode()).hexdigest()[:6]
    safe = re.sub(r"[^A-Za-z0-9.-]", "-", first)[:40]
    return Target(name=f"adhoc-{safe}-{digest}", start_urls=list(urls), kind=kind,
                  schedule_group="adhoc")


def _check_url(where: str, url: Any) -> None:
    if not isinstance(url, str):
        raise ConfigError(where, "start_urls", f"expected a URL, got {url!r}")
    try:
        hp = parse_url(url)
    except BadURL as exc:
        raise ConfigError(where, "start_urls", f"invalid URL {url!r}: {exc}") from None
    if hp.scheme not in ALLOWED_SCHEMES:
        raise ConfigError(where, "start_urls", f"expected an http(s) URL, got {url!r}")


def _check_start_urls(target: Target, given: dict[str, Entry]) -> None:
    """The start URLs as the address policy parses them (browser rules), at their lines."""
    entry = given.get("start_urls")
    items = entry.text_entries() if entry is not None else []
    for i, url in enumerate(target.start_urls):
        try:
            _check_url(target.name, url)
        except ConfigError as exc:
            if i < len(items):
                raise items[i].fail(exc.problem) from None
            raise


def load_targets(path: Path) -> dict[str, Target]:
    """Targets by name from a targets file (settings.models), with the crawler's URL policy."""
    found = load_targets_file(path)
    for name, target in found.targets.items():
        _check_start_urls(target, found.sources[name])
    return found.targets


def get_target(settings: Settings, name: str) -> Target:
    targets = load_targets(settings.path("targets_file"))
    if name not in targets:
        known = ", ".join(sorted(targets)) or "(none)"
        raise ConfigError(str(settings.path("targets_file")), None,
                          f"no target named {name!r}; known targets: {known}")
    return targets[name]
