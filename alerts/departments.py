"""The departments of the plan, their channels, and the routing table: config/departments.yaml.

Loaded once per file version and validated strictly: a typo in a department id, a rule id or a
channel type would otherwise silently send an alert nowhere, so it is refused at start with the
file and line (settings.ConfigError).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from settings import RULE_IDS, ConfigError, Settings
from settings.rulecatalog import catalog

CHANNEL_TYPES = ("email", "dingtalk", "wecom", "feishu", "webhook", "fake")
SEVERITIES = ("high", "medium", "low")
# FindingRecord.kind values (analyzers) and patrol target kinds (crawler/targets.py) that
# routes may name.
KINDS = ("ad", "page", "post", "news", "notice", "enterprise", "site", "app",
         "p2p", "ads", "forum")
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


@dataclass(frozen=True)
class ChannelSpec:
    """One way to reach a department: an email list, a chat robot, a generic webhook or fake."""

    id: str                       # unique within the department; part of the idempotency key
    type: str                     # one of CHANNEL_TYPES
    url: str = ""                 # robots and webhooks
    secret: str = ""              # DingTalk / Feishu signing secret
    to: tuple[str, ...] = ()      # email recipients
    where: str = ""               # file:line, for messages about this channel


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    channels: tuple[ChannelSpec, ...] = ()
    duty: str = ""                # what the plan makes it responsible for (shown in docs/CLI)


@dataclass(frozen=True)
class Route:
    """Departments that receive a finding when every given condition matches.

    Within one condition any listed value matches; an empty condition matches everything.
    `words` match the finding's evidence or context (e.g. mass-incident signs).
    """

    to: tuple[str, ...]
    rules: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class Directory:
    """Everything departments.yaml says, validated."""

    path: str
    departments: dict[str, Department]
    routes: tuple[Route, ...]
    default_to: tuple[str, ...]
    support: str
    spike_to: tuple[str, ...]
    spike_mass_incident_to: tuple[str, ...]
    mass_incident_words: tuple[str, ...]
    _by_name: dict[str, str] = field(default_factory=dict, compare=False)

    def get(self, id_or_name: str) -> Department | None:
        """A department by its id or its Chinese name."""
        dept = self.departments.get(id_or_name)
        if dept is None and id_or_name in self._by_name:
            dept = self.departments[self._by_name[id_or_name]]
        return dept

    def name(self, dept_id: str) -> str:
        dept = self.departments.get(dept_id)
        return dept.name if dept else dept_id

    def names(self, dept_ids: Iterable[str]) -> list[str]:
        return [self.name(d) for d in dept_ids]


# -- loading ------------------------------------------------------------------------------------

_cache: dict[tuple[str, tuple[str, ...]], tuple[float, int, Directory]] = {}


def load_directory(settings: Settings) -> Directory:
    """The validated directory of settings' departments_file (cached until the file changes).

    Also checks the alert settings that are text to parse (quiet hours, time zone), so that
    whatever starts the alerts refuses a bad configuration at once, not at the first alert.
    """
    from .bounds import parse_quiet_hours, timezone_of

    parse_quiet_hours(settings)
    timezone_of(settings)
    # routes may name any rule of the configured rules file (settings.rulecatalog)
    return load_directory_file(settings.path("departments_file"), tuple(catalog(settings)))


def load_directory_file(path: Path, rule_ids: tuple[str, ...] = RULE_IDS) -> Directory:
    key = str(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigError(key, None, f"cannot read departments file ({exc.strerror})") from None
    cached = _cache.get((key, rule_ids))
    if cached and cached[0] == stat.st_mtime and cached[1] == stat.st_size:
        return cached[2]
    directory = _Parser(key, rule_ids).parse(path.read_text(encoding="utf-8"))
    _cache[(key, rule_ids)] = (stat.st_mtime, stat.st_size, directory)
    return directory


class _Parser:
    """Walks the YAML node tree so that every complaint can name its line."""

    def __init__(self, path: str, rule_ids: tuple[str, ...] = RULE_IDS) -> None:
        self.path = path
        self.rule_ids = rule_ids

    def at(self, node: yaml.Node) -> str:
        return f"{self.path}:{node.start_mark.line + 1}"

    def fail(self, node: yaml.Node, key: str | None, problem: str) -> ConfigError:
        return ConfigError(self.at(node), key, problem)

    # -- generic shapes -------------------------------------------------------------------------
    def mapping(self, node: yaml.Node, what: str, allowed: Iterable[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, None, f"expected a mapping for {what}")
        out: dict[str, yaml.Node] = {}
        allowed = tuple(allowed)
        for k, v in node.value:
            name = str(k.value)
            if allowed and name not in allowed:
                raise self.fail(k, name, f"unknown key in {what}; expected one of {', '.join(allowed)}")
            if name in out:
                raise self.fail(k, name, f"duplicate key in {what}")
            out[name] = v
        return out

    def text(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, "expected a string")
        return "" if node.tag.endswith(":null") else str(node.value)

    def texts(self, node: yaml.Node, key: str) -> list[tuple[str, yaml.Node]]:
        if isinstance(node, yaml.ScalarNode):
            return [(self.text(node, key), node)]
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "expected a list of strings")
        return [(self.text(item, key), item) for item in node.value]

    # -- the file -------------------------------------------------------------------------------
    def parse(self, text: str) -> Directory:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{self.path}:{mark.line + 1}" if mark else self.path
            raise ConfigError(where, None, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
        if root is None:
            raise ConfigError(self.path, None, "empty departments file")
        top = self.mapping(root, "the departments file",
                           ("departments", "support", "default_to", "routes", "spikes"))
        if "departments" not in top:
            raise ConfigError(self.path, "departments", "missing the list of departments")
        departments = self.departments(top["departments"])
        by_name = {d.name: d.id for d in departments.values()}

        def refs(node: yaml.Node, key: str) -> tuple[str, ...]:
            out = []
            for value, item in self.texts(node, key):
                dept_id = value if value in departments else by_name.get(value)
                if dept_id is None:
                    raise self.fail(item, key, f"unknown department {value!r}; known: "
                                    f"{', '.join(departments)}")
                out.append(dept_id)
            return tuple(dict.fromkeys(out))

        if "support" not in top:
            raise ConfigError(self.path, "support", "missing: the technical support department")
        support = refs(top["support"], "support")
        if len(support) != 1:
            raise self.fail(top["support"], "support", "expected exactly one department")
        default_to = refs(top["default_to"], "default_to") if "default_to" in top else ()
        routes = tuple(self.route(n, refs) for n in self.sequence(top.get("routes"), "routes"))
        spikes = self.mapping(top["spikes"], "spikes", ("to", "mass_incident_to",
                              "mass_incident_words")) if "spikes" in top else {}
        return Directory(
            path=self.path,
            departments=departments,
            routes=routes,
            default_to=default_to,
            support=support[0],
            spike_to=refs(spikes["to"], "to") if "to" in spikes else (),
            spike_mass_incident_to=(refs(spikes["mass_incident_to"], "mass_incident_to")
                                    if "mass_incident_to" in spikes else ()),
            mass_incident_words=tuple(w for w, _ in self.texts(
                spikes["mass_incident_words"], "mass_incident_words")) if "mass_incident_words"
            in spikes else (),
            _by_name=by_name,
        )

    def sequence(self, node: yaml.Node | None, key: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "expected a list")
        return list(node.value)

    def departments(self, node: yaml.Node) -> dict[str, Department]:
        out: dict[str, Department] = {}
        names: set[str] = set()
        for k, v in self.mapping(node, "departments", ()).items():
            key_node = next(kn for kn, _ in node.value if kn.value == k)
            if not _SLUG.match(k):
                raise self.fail(key_node, k, "department id must be an ascii slug "
                                "(lower-case letters, digits, underscores)")
            fields_ = self.mapping(v, f"department {k}", ("name", "duty", "channels"))
            if "name" not in fields_:
                raise self.fail(v, k, "missing the department's Chinese name")
            name = self.text(fields_["name"], "name").strip()
            if not name or name in names:
                raise self.fail(fields_["name"], "name", f"empty or duplicate name {name!r}")
            names.add(name)
            channels = self.channels(k, fields_.get("channels"))
            duty = self.text(fields_["duty"], "duty") if "duty" in fields_ else ""
            out[k] = Department(id=k, name=name, channels=channels, duty=duty)
        if not out:
            raise self.fail(node, "departments", "no departments")
        return out

    def channels(self, dept: str, node: yaml.Node | None) -> tuple[ChannelSpec, ...]:
        out: list[ChannelSpec] = []
        seen: set[str] = set()
        for item in self.sequence(node, "channels"):
            f = self.mapping(item, f"a channel of {dept}", ("id", "type", "url", "secret", "to"))
            if "type" not in f:
                raise self.fail(item, "type", f"channel needs a type: {', '.join(CHANNEL_TYPES)}")
            ctype = self.text(f["type"], "type")
            if ctype not in CHANNEL_TYPES:
                raise self.fail(f["type"], "type", f"unknown channel type {ctype!r}; expected one "
                                f"of {', '.join(CHANNEL_TYPES)}")
            if "id" in f:
                cid = self.text(f["id"], "id")
            else:  # a second channel of the same type gets a numbered id
                cid, n = ctype, 2
                while cid in seen:
                    cid, n = f"{ctype}-{n}", n + 1
            if cid in seen or not re.match(r"^[A-Za-z0-9_.-]{1,40}$", cid):
                raise self.fail(f.get("id", item), "id", f"duplicate or invalid channel id {cid!r}")
            seen.add(cid)
            url = self.text(f["url"], "url").strip() if "url" in f else ""
            secret = self.text(f["secret"], "secret") if "secret" in f else ""
            to = tuple(v.strip() for v, _ in self.texts(f["to"], "to")) if "to" in f else ()
            if ctype in ("dingtalk", "wecom", "feishu", "webhook"):
                if not re.match(r"^https?://[^\s/]+", url):
                    raise self.fail(f.get("url", item), "url", f"{ctype} channel needs an "
                                    "http(s) URL")
            elif url:
                raise self.fail(f["url"], "url", f"a {ctype} channel takes no url")
            if ctype == "email":
                if not to:
                    raise self.fail(item, "to", "email channel needs recipient addresses")
                for addr, addr_node in self.texts(f["to"], "to"):
                    if not _EMAIL.match(addr.strip()):
                        raise self.fail(addr_node, "to", f"not an email address: {addr!r}")
            elif to:
                raise self.fail(f["to"], "to", f"a {ctype} channel takes no 'to' list")
            if secret and ctype not in ("dingtalk", "feishu", "webhook"):
                raise self.fail(f["secret"], "secret", f"a {ctype} channel takes no secret")
            out.append(ChannelSpec(id=cid, type=ctype, url=url, secret=secret, to=to,
                                   where=self.at(item)))
        return tuple(out)

    def route(self, node: yaml.Node, refs: Any) -> Route:
        f = self.mapping(node, "a route", ("to", "rules", "severities", "kinds", "tags", "words"))
        if "to" not in f:
            raise self.fail(node, "to", "a route needs 'to': the departments it reaches")

        def checked(key: str, allowed: tuple[str, ...] | None) -> frozenset[str]:
            if key not in f:
                return frozenset()
            values = self.texts(f[key], key)
            for value, item in values:
                if allowed is not None and value not in allowed:
                    raise self.fail(item, key, f"unknown value {value!r}; known: "
                                    f"{', '.join(allowed)}")
            return frozenset(v for v, _ in values)

        return Route(
            to=refs(f["to"], "to"),
            rules=checked("rules", self.rule_ids),
            severities=checked("severities", SEVERITIES),
            kinds=checked("kinds", KINDS),
            tags=checked("tags", None),
            words=tuple(sorted(checked("words", None))),
            where=self.at(node),
        )
