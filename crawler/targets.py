"""Patrol targets: what to patrol and how, read from `targets_file` (config/targets.yaml).

A target is a site or a group of pages: start URLs, the domains its links may lead to, its
kind (which decides how the analyzers read its text), limits, render mode and politeness.
Values a target leaves out come from the settings (crawl_depth, crawl_max_pages, ...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from settings import ConfigError, Settings

from .address_guard import ALLOWED_SCHEMES, BadURL, parse_url

KINDS = ("p2p", "ads", "forum", "news")
RENDER_MODES = ("auto", "always", "never")
# How the analyzers read a target's pages (analyzers: ad|page|post|news|notice).
ANALYSIS_KIND = {"p2p": "page", "ads": "ad", "forum": "post", "news": "news"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Target:
    name: str
    start_urls: list[str]
    allowed_domains: list[str] = field(default_factory=list)
    kind: str = "p2p"
    depth: int | None = None
    max_pages: int | None = None
    render: str | None = None
    delay: float = 0.0
    concurrency: int | None = None
    obey_robots: bool | None = None
    sitemaps: bool = True
    schedule_group: str = "default"
    tags: list[str] = field(default_factory=list)
    description: str = ""
    platform: str = ""           # the ledger's platform this target covers (default: its own)

    @property
    def analysis_kind(self) -> str:
        return ANALYSIS_KIND[self.kind]

    def resolved(self, settings: Settings) -> Target:
        """A copy with every limit filled in from the settings."""
        return replace(
            self,
            depth=self.depth if self.depth is not None else settings["crawl_depth"],
            max_pages=self.max_pages if self.max_pages is not None else settings["crawl_max_pages"],
            render=self.render or settings["crawl_render"],
            concurrency=self.concurrency or settings["crawl_concurrency"],
            obey_robots=(self.obey_robots if self.obey_robots is not None
                         else settings["crawl_obey_robots"]),
            allowed_domains=self.allowed_domains or _hosts(self.start_urls),
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


_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "start_urls": list, "allowed_domains": list, "kind": str, "depth": int,
    "max_pages": int, "render": str, "delay": (int, float), "concurrency": int,
    "obey_robots": bool, "sitemaps": bool, "schedule_group": str, "tags": list,
    "description": str, "platform": str,
}


def target_from_dict(data: Any, where: str) -> Target:
    if not isinstance(data, dict):
        raise ConfigError(where, None, "expected a mapping describing a target")
    known = {f.name for f in fields(Target)}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(where, str(key), f"unknown target key; known: {', '.join(sorted(known))}")
        expected = _TYPES[key]
        if value is not None and (not isinstance(value, expected) or isinstance(value, bool)
                                  and expected is not bool):
            raise ConfigError(where, key, f"expected {expected}, got {value!r}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(where, "name", f"expected a name of letters, digits, '.', '-', '_', got {name!r}")
    urls = data.get("start_urls") or []
    if not urls:
        raise ConfigError(where, "start_urls", "a target needs at least one start URL")
    for url in urls:
        _check_url(where, url)
    if data.get("kind", "p2p") not in KINDS:
        raise ConfigError(where, "kind", f"expected one of {', '.join(KINDS)}, got {data['kind']!r}")
    if data.get("render") not in (None, *RENDER_MODES):
        raise ConfigError(where, "render", f"expected one of {', '.join(RENDER_MODES)}")
    for key in ("depth", "max_pages", "concurrency"):
        if data.get(key) is not None and data[key] < (0 if key == "depth" else 1):
            raise ConfigError(where, key, f"expected a positive number, got {data[key]}")
    values = {k: v for k, v in data.items() if v is not None}
    values["allowed_domains"] = [d.lower().rstrip(".") for d in values.get("allowed_domains", [])]
    values["delay"] = float(values.get("delay", 0.0))
    return Target(**values)


def load_targets(path: Path) -> dict[str, Target]:
    """Targets by name from a YAML file: a mapping with a `targets:` list."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read targets file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), None, f"not valid YAML ({exc})") from None
    items = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ConfigError(str(path), "targets", "expected a list of targets under 'targets:'")
    targets: dict[str, Target] = {}
    for index, item in enumerate(items):
        target = target_from_dict(item, f"{path} (target #{index + 1})")
        if target.name in targets:
            raise ConfigError(str(path), "name", f"duplicate target name {target.name!r}")
        targets[target.name] = target
    return targets


def get_target(settings: Settings, name: str) -> Target:
    targets = load_targets(settings.path("targets_file"))
    if name not in targets:
        known = ", ".join(sorted(targets)) or "(none)"
        raise ConfigError(str(settings.path("targets_file")), None,
                          f"no target named {name!r}; known targets: {known}")
    return targets[name]
