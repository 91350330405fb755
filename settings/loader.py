"""Read configuration once, in layers, and hand down one immutable Settings object.

This is the only module that reads the environment (it is handed `environ` by the command).

Relative paths are resolved against the *home* directory: the checkout when the packages are
imported from a source checkout (so `data_dir: var` is `./var` of the checkout wherever the
command runs), otherwise the current directory when the settings were loaded (an installed
wheel has no checkout). The defaults of the configuration-file settings (`rules_file`,
`targets_file`, ...) name the files shipped inside the package (settings/resources.py); a value
that a file, the environment or the command line sets is resolved against the home directory.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .default_settings import BY_NAME, SETTINGS
from .resources import shipped_path, shipped_setting_path
from .rulecatalog import CatalogError, load_catalog
from .spec import ConfigError, Setting, coerce

# Where the packages are imported from: the checkout, or site-packages when installed.
ROOT = Path(__file__).resolve().parent.parent
# The source checkout, or None when running from an installed wheel.
CHECKOUT: Path | None = ROOT if (ROOT / "setup.cfg").is_file() else None
CONFIG_DIR = shipped_path("config")
PROJECT_FILE = CONFIG_DIR / "settings.yaml"
ENV_PREFIX = "PATROL_"


class Settings(Mapping[str, Any]):
    """Effective settings with the source of every value ("default", a file, an env var...)."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str],
                 home: Path | None = None) -> None:
        self._values = dict(values)
        self._sources = dict(sources)
        self.home: Path = home or default_home()

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def source(self, name: str) -> str:
        return self._sources[name]

    def path(self, name: str) -> Path:
        """A path setting, absolute; empty stays empty (Path('')).

        The default of a shipped file is the copy inside the package; any other relative value
        is resolved against the home directory (see the module docstring).
        """
        value = self._values[name]
        if not value:
            return Path("")
        if BY_NAME[name].shipped and self._sources[name] == "default":
            return shipped_setting_path(value)
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.home / p

    @property
    def data_dir(self) -> Path:
        return self.path("data_dir")

    def data_path(self, *parts: str) -> Path:
        """A path under the data home, with its parent directory created."""
        p = self.data_dir.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "command line") -> Settings:
        """A copy with `overrides` applied (None values are ignored), validated like any layer."""
        values, sources = dict(self._values), dict(self._sources)
        for key, value in overrides.items():
            if value is None:
                continue
            setting = _lookup(key, source)
            values[key] = coerce(setting, value, source, from_text=isinstance(value, str))
            sources[key] = source
        _check_consistency(values, sources, self.home)
        return Settings(values, sources, self.home)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


def default_home() -> Path:
    """The directory relative paths are resolved against: the checkout, else the current one."""
    return CHECKOUT or Path.cwd().resolve()


def _lookup(key: str, where: str) -> Setting:
    setting = BY_NAME.get(key)
    if setting is None:
        close = difflib.get_close_matches(key, BY_NAME, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ConfigError(where, key, f"unknown setting{hint} (see `patrol config show`)")
    return setting


def read_yaml_layer(path: Path) -> dict[str, tuple[Any, str]]:
    """Read a settings file into {key: (value, "file:line")}; refuse anything not a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read file ({exc.strerror})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(where, None, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(str(path), None, "expected a mapping of setting names to values")
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if hasattr(k, "value")}
    return {str(k): (v, f"{path}:{lines.get(str(k), 1)}") for k, v in data.items()}


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    project_file: Path = PROJECT_FILE,
) -> Settings:
    """Build the effective settings from all layers, lowest first; raise ConfigError if invalid."""
    environ = environ or {}
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    sources: dict[str, str] = {s.name: "default" for s in SETTINGS}

    def apply_file(path: Path) -> None:
        for key, (value, where) in read_yaml_layer(path).items():
            setting = _lookup(key, where)
            values[key] = coerce(setting, value, where)
            sources[key] = where

    if project_file.exists():
        apply_file(project_file)
    site = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if site:
        site_path = Path(site).expanduser()
        if not site_path.exists():
            raise ConfigError(str(site_path), None, "site configuration file not found")
        apply_file(site_path)
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        key = name[len(ENV_PREFIX):].lower()
        where = f"environment variable {name}"
        setting = _lookup(key, where)
        values[key] = coerce(setting, raw, where, from_text=True)
        sources[key] = where
    _check_consistency(values, sources)
    settings = Settings(values, sources)
    return settings.with_overrides(overrides) if overrides else settings


def _check_consistency(values: dict[str, Any], sources: dict[str, str],
                       home: Path | None = None) -> None:
    """Checks that involve more than one setting, or a value only a library can judge."""
    try:
        ZoneInfo(values["time_zone"])
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(sources["time_zone"], "time_zone",
                          f"unknown time zone {values['time_zone']!r}; expected e.g. "
                          "Asia/Shanghai") from None
    if values["rate_warning_threshold"] > values["rate_high_threshold"]:
        raise ConfigError(
            sources["rate_warning_threshold"], "rate_warning_threshold",
            "expected a value not above rate_high_threshold",
        )
    for name in ("crawl_max_pages", "crawl_concurrency", "crawl_page_timeout", "console_port",
                 "analyzer_max_text_chars"):
        if values[name] <= 0:
            raise ConfigError(sources[name], name, f"expected a positive integer, got {values[name]}")
    evidence_url = str(values["evidence_url"] or "")
    if evidence_url and not (evidence_url.startswith(("/", "file:///"))
                             or re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?",
                                             evidence_url)):
        raise ConfigError(sources["evidence_url"], "evidence_url",
                          "expected empty, an absolute directory or s3://BUCKET/PREFIX")
    if values["evidence_warc_max_bytes"] < 1_000_000:
        raise ConfigError(sources["evidence_warc_max_bytes"], "evidence_warc_max_bytes",
                          "expected at least 1000000 (a WARC file per few pages helps no one)")
    _check_rule_ids(Settings(values, sources, home))


def _check_rule_ids(settings: Settings) -> None:
    """Settings that name rules name rules of the configured rules file."""
    if not any(s.type == "rules" and settings[s.name] for s in SETTINGS):
        return
    sources = {s.name: settings.source(s.name) for s in SETTINGS}
    values = settings
    try:
        known = load_catalog(settings.path("rules_file"))
    except CatalogError as exc:
        raise ConfigError(sources["rules_file"], "rules_file", str(exc)) from None
    for s in SETTINGS:
        if s.type != "rules":
            continue
        unknown = [v for v in values[s.name] if v not in known]
        if unknown:
            raise ConfigError(sources[s.name], s.name,
                              f"unknown rule id {unknown[0]!r}; known: {', '.join(known)}")
