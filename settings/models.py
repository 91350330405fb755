"""The one config model: patrol targets, departments (with roles and alert routes) and
schedules, as dataclasses read from their YAML files by one reader (settings.yamlfile).

Crawler, scheduler, console and alerts all read the files through here, so a file means the
same to each of them and a mistake is reported the same way: file, line, key. Importable without
Scrapy, Flask or APScheduler; what only one of them can check (a URL as the crawler's address
policy parses it, a cron expression as APScheduler reads it) is checked there, with the line
kept in `source`.

Adding a target key: add a field to `Target` with `key(...)` metadata (kind of check, help);
the reader, the docs table and every caller pick it up from there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common.vocabulary import ROLE_IDS, ROUTE_KINDS, SEVERITIES, TARGET_ANALYSIS_KIND, TARGET_KINDS

from .spec import RULE_IDS, ConfigError, ConfigFileError
from .yamlfile import Entry, read_yaml

# -- targets ------------------------------------------------------------------------------------

RENDER_MODES = ("auto", "always", "never")
TARGET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
URL_SCHEMES = ("http", "https")


def key(check: str, help: str, *, choices: tuple[str, ...] = (), minimum: float | None = None,
        required: bool = False) -> dict[str, Any]:
    """Metadata of a target field: how its value is checked (see _read_value) and its help."""
    return {"check": check, "help": help, "choices": choices, "minimum": minimum,
            "required": required}


@dataclass
class Target:
    """A site or group of pages to patrol (targets.yaml; docs/crawler.md explains each key).
    None means "from the settings" (crawl_depth, crawl_max_pages, ...)."""

    name: str = field(metadata=key("name", "letters, digits, '.', '-', '_'", required=True))
    start_urls: list[str] = field(default_factory=list, metadata=key(
        "urls", "http(s) URLs where the patrol starts", required=True))
    allowed_domains: list[str] = field(default_factory=list, metadata=key(
        "hosts", "hosts links may lead to (subdomains included); default: the start URLs' hosts"))
    kind: str = field(default="p2p", metadata=key(
        "choice", "how the analyzers read the pages", choices=TARGET_KINDS))
    depth: int | None = field(default=None, metadata=key(
        "int", "link depth from the start URLs (crawl_depth)", minimum=0))
    max_pages: int | None = field(default=None, metadata=key(
        "int", "page budget of one run (crawl_max_pages)", minimum=1))
    render: str | None = field(default=None, metadata=key(
        "choice", "when to render with Chromium (crawl_render)", choices=RENDER_MODES))
    delay: float = field(default=0.0, metadata=key(
        "number", "seconds between requests to one host (crawl_delay)", minimum=0))
    concurrency: int | None = field(default=None, metadata=key(
        "int", "concurrent requests (crawl_concurrency)", minimum=1))
    obey_robots: bool | None = field(default=None, metadata=key(
        "bool", "obey robots.txt Disallow (crawl_obey_robots)"))
    sitemaps: bool = field(default=True, metadata=key(
        "bool", "read robots.txt Sitemap: lines and /sitemap.xml"))
    schedule_group: str = field(default="default", metadata=key(
        "text", "the group a schedule may name"))
    tags: list[str] = field(default_factory=list, metadata=key(
        "texts", "words alert routes may name"))
    description: str = field(default="", metadata=key("text", "for people"))

    @property
    def analysis_kind(self) -> str:
        return TARGET_ANALYSIS_KIND[self.kind]


def target_keys() -> dict[str, dict[str, Any]]:
    """Target key -> its metadata (check, help, choices, minimum, required), in file order."""
    return {f.name: dict(f.metadata) for f in fields(Target) if f.metadata}


def check_start_url(entry: Entry, url: str) -> str:
    """A start URL must be an absolute http(s) URL with a host (the crawler's address policy
    checks the rest when it loads the target)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise entry.fail(f"invalid URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in URL_SCHEMES or not parts.hostname:
        raise entry.fail(f"expected an http(s) URL, got {url!r}")
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise entry.fail(f"invalid URL {url!r}: white space or control characters")
    return url


def _read_value(entry: Entry, meta: dict[str, Any]) -> Any:
    check, minimum = meta["check"], meta["minimum"]
    if check == "name":
        name = entry.text()
        if not TARGET_NAME.match(name):
            raise entry.fail(f"expected a name of letters, digits, '.', '-', '_', got {name!r}")
        return name
    if check == "urls":
        urls = [check_start_url(item, item.text()) for item in entry.text_entries()]
        if not urls:
            raise entry.fail("a target needs at least one start URL")
        return urls
    if check == "hosts":
        return [h.lower().rstrip(".") for h in entry.texts()]
    if check == "choice":
        return entry.choice(meta["choices"])
    if check == "int":
        return entry.integer(minimum=None if minimum is None else int(minimum))
    if check == "number":
        return entry.number(minimum=minimum)
    if check == "bool":
        return entry.boolean()
    if check == "texts":
        return entry.texts()
    return entry.text()


def target_from_entry(entry: Entry) -> tuple[Target, dict[str, Entry]]:
    """The target an entry of the `targets:` list describes, and the entry of each key given
    (kept apart from the target, which stays plain data that workers can send as JSON)."""
    keys = target_keys()
    given = entry.mapping(keys, what="a target's keys")
    values: dict[str, Any] = {}
    for name, meta in keys.items():
        item = given.get(name)
        if item is None or item.is_null:
            if meta["required"]:
                raise (item or entry).fail(f"missing required key '{name}'" if item is None
                                           else f"'{name}' may not be empty")
            continue
        values[name] = _read_value(item, meta)
    return Target(**values), given


@dataclass
class TargetsFile:
    path: str
    targets: dict[str, Target]
    # target name -> key -> where it was written, for checks made later (the crawler's URLs)
    sources: dict[str, dict[str, Entry]] = field(default_factory=dict, repr=False)

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for t in self.targets.values():
            out.setdefault(t.schedule_group, []).append(t.name)
        return out


def load_targets_file(path: Path) -> TargetsFile:
    """The targets of a targets file (a mapping with a `targets:` list), strictly checked."""
    root = read_yaml(path, "targets file")
    if root is None:
        raise ConfigFileError(str(path), "targets", "expected a list of targets under 'targets:'")
    items = root.mapping(("targets",), what="targets", required=("targets",))["targets"]
    found = TargetsFile(str(path), {})
    for item in items.items("targets"):
        target, given = target_from_entry(item)
        if target.name in found.targets:
            raise given["name"].fail(f"duplicate target name {target.name!r}")
        found.targets[target.name] = target
        found.sources[target.name] = given
    return found


# -- departments, roles and alert routes (departments.yaml) -------------------------------------

CHANNEL_TYPES = ("email", "dingtalk", "wecom", "feishu", "webhook", "fake")
_ROBOTS = ("dingtalk", "wecom", "feishu", "webhook")
_SIGNED = ("dingtalk", "feishu", "webhook")
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
_CHANNEL_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
ALL_DEPARTMENTS = "all"


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
class Role:
    """A console role: its Chinese name and the departments whose findings are its own."""

    id: str
    name: str
    departments: tuple[str, ...] = ()   # department ids


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
    roles: dict[str, Role] = field(default_factory=dict)
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

    def role(self, role_id: str) -> Role:
        """The role (a role the file leaves out has its id as name and no departments)."""
        return self.roles.get(role_id) or Role(role_id, role_id)


_directories: dict[str, tuple[float, int, Directory]] = {}


def load_directory_file(path: Path) -> Directory:
    """The checked departments file (ids, names, channels, routes, roles, spikes), read again
    only when the file changes (every alert and console page asks for it)."""
    key_ = str(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigError(key_, None, f"cannot read departments file ({exc.strerror})") from None
    cached = _directories.get(key_)
    if cached and cached[:2] == (stat.st_mtime, stat.st_size):
        return cached[2]
    directory = _read_directory(path)
    _directories[key_] = (stat.st_mtime, stat.st_size, directory)
    return directory


def _read_directory(path: Path) -> Directory:
    root = read_yaml(path, "departments file")
    if root is None:
        raise ConfigError(str(path), None, "empty departments file")
    top = root.mapping(("departments", "support", "default_to", "routes", "spikes", "roles"),
                       what="the departments file", required=("departments", "support"))
    departments = _departments(top["departments"])
    by_name = {d.name: d.id for d in departments.values()}

    def refs(entry: Entry) -> tuple[str, ...]:
        out = []
        for item in entry.text_entries():
            value = item.text()
            dept_id = value if value in departments else by_name.get(value)
            if dept_id is None:
                raise item.fail(f"unknown department {value!r}; known: {', '.join(departments)}")
            out.append(dept_id)
        return tuple(dict.fromkeys(out))

    support = refs(top["support"])
    if len(support) != 1:
        raise top["support"].fail("expected exactly one department")
    spikes = top["spikes"].mapping(("to", "mass_incident_to", "mass_incident_words"),
                                   what="spikes") if "spikes" in top else {}
    return Directory(
        path=str(path),
        departments=departments,
        routes=tuple(_route(item, refs) for item in (
            top["routes"].items("routes") if "routes" in top else [])),
        default_to=refs(top["default_to"]) if "default_to" in top else (),
        support=support[0],
        spike_to=refs(spikes["to"]) if "to" in spikes else (),
        spike_mass_incident_to=refs(spikes["mass_incident_to"]) if "mass_incident_to" in spikes
        else (),
        mass_incident_words=tuple(spikes["mass_incident_words"].texts())
        if "mass_incident_words" in spikes else (),
        roles=_roles(top["roles"], refs, tuple(departments)) if "roles" in top else {},
        _by_name=by_name,
    )


def _departments(entry: Entry) -> dict[str, Department]:
    out: dict[str, Department] = {}
    names: set[str] = set()
    for dept_id, value in entry.mapping(what="departments").items():
        if not _SLUG.match(dept_id):
            raise entry.key_entry(dept_id).fail(
                "department id must be an ascii slug (lower-case letters, digits, underscores)")
        given = value.mapping(("name", "duty", "channels"), what=f"department {dept_id}",
                              required=("name",))
        name = given["name"].text().strip()
        if not name or name in names:
            raise given["name"].fail(f"empty or duplicate name {name!r}")
        names.add(name)
        channels = _channels(dept_id, given["channels"]) if "channels" in given else ()
        duty = given["duty"].text() if "duty" in given else ""
        out[dept_id] = Department(id=dept_id, name=name, channels=channels, duty=duty)
    if not out:
        raise entry.fail("no departments")
    return out


def _channels(dept_id: str, entry: Entry) -> tuple[ChannelSpec, ...]:
    out: list[ChannelSpec] = []
    seen: set[str] = set()
    for item in entry.items("channels"):
        f = item.mapping(("id", "type", "url", "secret", "to"), what=f"a channel of {dept_id}")
        if "type" not in f:
            raise item.fail(f"channel needs a type: {', '.join(CHANNEL_TYPES)}")
        ctype = f["type"].text()
        if ctype not in CHANNEL_TYPES:
            raise f["type"].fail(f"unknown channel type {ctype!r}; expected one of "
                                 f"{', '.join(CHANNEL_TYPES)}")
        if "id" in f:
            cid = f["id"].text()
        else:  # a second channel of the same type gets a numbered id
            cid, n = ctype, 2
            while cid in seen:
                cid, n = f"{ctype}-{n}", n + 1
        if cid in seen or not _CHANNEL_ID.match(cid):
            raise f.get("id", item).fail(f"duplicate or invalid channel id {cid!r}")
        seen.add(cid)
        url = f["url"].text().strip() if "url" in f else ""
        secret = f["secret"].text() if "secret" in f else ""
        to_entries = f["to"].text_entries() if "to" in f else []
        to = tuple(e.text().strip() for e in to_entries)
        if ctype in _ROBOTS:
            if not re.match(r"^https?://[^\s/]+", url):
                raise f.get("url", item).fail(f"{ctype} channel needs an http(s) URL")
        elif url:
            raise f["url"].fail(f"a {ctype} channel takes no url")
        if ctype == "email":
            if not to:
                raise item.fail("email channel needs recipient addresses")
            for addr, addr_entry in zip(to, to_entries, strict=True):
                if not _EMAIL.match(addr):
                    raise addr_entry.fail(f"not an email address: {addr!r}")
        elif to:
            raise f["to"].fail(f"a {ctype} channel takes no 'to' list")
        if secret and ctype not in _SIGNED:
            raise f["secret"].fail(f"a {ctype} channel takes no secret")
        out.append(ChannelSpec(id=cid, type=ctype, url=url, secret=secret, to=to,
                               where=item.where))
    return tuple(out)


def _route(entry: Entry, refs: Any) -> Route:
    f = entry.mapping(("to", "rules", "severities", "kinds", "tags", "words"), what="a route")
    if "to" not in f:
        raise entry.fail("a route needs 'to': the departments it reaches")

    def checked(name: str, allowed: tuple[str, ...] | None) -> frozenset[str]:
        if name not in f:
            return frozenset()
        return frozenset(f[name].choices(allowed) if allowed else f[name].texts())

    return Route(to=refs(f["to"]), rules=checked("rules", RULE_IDS),
                 severities=checked("severities", SEVERITIES), kinds=checked("kinds", ROUTE_KINDS),
                 tags=checked("tags", None), words=tuple(sorted(checked("words", None))),
                 where=entry.where)


def _roles(entry: Entry, refs: Any, all_ids: tuple[str, ...]) -> dict[str, Role]:
    out: dict[str, Role] = {}
    for role_id, value in entry.mapping(ROLE_IDS, what="console roles").items():
        given = value.mapping(("name", "departments"), what=f"role {role_id}",
                              required=("name",))
        depts: tuple[str, ...] = ()
        if "departments" in given:
            item = given["departments"]
            is_all = not item.is_null and isinstance(item.value(), str) \
                and item.text() == ALL_DEPARTMENTS
            depts = all_ids if is_all else refs(item)
        out[role_id] = Role(role_id, given["name"].text(allow_empty=False).strip(), depts)
    return out


# -- schedules (schedules.yaml) -----------------------------------------------------------------

SCHEDULE_KEYS = ("target", "group", "cron", "interval", "time_limit", "enabled", "description")


@dataclass
class Schedule:
    """One schedule: a target or a group of targets, on a cron or an interval."""

    name: str
    target: str | None = None
    group: str | None = None
    cron: str | None = None
    interval: dict[str, Any] | None = None
    time_limit: int | None = None
    enabled: bool = True
    description: str = ""
    covers: list[str] = field(default_factory=list)     # target names, checked against targets
    source: dict[str, Entry] = field(default_factory=dict, compare=False, repr=False)

    def fail(self, key_name: str, problem: str) -> ConfigError:
        entry = self.source.get(key_name) or self.source["(schedule)"]
        return entry.fail(problem)


@dataclass
class SchedulesFile:
    path: str
    timezone: str | None
    schedules: dict[str, Schedule]
    source: dict[str, Entry] = field(default_factory=dict, compare=False, repr=False)


def load_schedules_file(path: Path, targets: TargetsFile | None) -> SchedulesFile:
    """Schedules checked for shape and against the targets (`targets` None: there are no
    targets, so any schedule is refused). Cron and interval text is checked by the scheduler."""
    root = read_yaml(path, "schedules file")
    if root is None:
        return SchedulesFile(str(path), None, {})
    top = root.mapping(("timezone", "schedules"), what="the schedules file")
    timezone = top["timezone"].text(allow_empty=False) if "timezone" in top \
        and not top["timezone"].is_null else None
    schedules: dict[str, Schedule] = {}
    entries = top["schedules"].mapping(what="schedule names to schedules") \
        if "schedules" in top else {}
    for name, entry in entries.items():
        key_entry = top["schedules"].key_entry(name)
        if ":" in name:
            raise key_entry.fail("a schedule name may not contain ':'")
        schedules[name] = _schedule(name, entry, key_entry, targets)
    return SchedulesFile(str(path), timezone, schedules, top)


def _schedule(name: str, entry: Entry, key_entry: Entry, targets: TargetsFile | None) -> Schedule:
    if not entry.is_mapping:
        raise key_entry.fail("expected a mapping with target or group, and cron or interval")
    given = entry.mapping(SCHEDULE_KEYS, what="a schedule")
    source = {"(schedule)": key_entry, **given}
    if ("target" in given) == ("group" in given):
        raise key_entry.fail("give exactly one of `target` or `group`")
    if ("cron" in given) == ("interval" in given):
        raise key_entry.fail("give exactly one of `cron` or `interval`")
    known = targets.targets if targets else {}
    sched = Schedule(name=name, source=source)
    if "target" in given:
        sched.target = given["target"].text(allow_empty=False)
        if sched.target not in known:
            raise given["target"].fail(f"unknown target {sched.target!r} (not in the targets "
                                       "file)")
        sched.covers = [sched.target]
    else:
        sched.group = given["group"].text(allow_empty=False)
        groups = targets.groups() if targets else {}
        if sched.group not in groups:
            raise given["group"].fail(f"unknown target group {sched.group!r}; known: "
                                      f"{', '.join(sorted(groups)) or '-'}")
        sched.covers = sorted(groups[sched.group])
    if "cron" in given:
        sched.cron = given["cron"].text(allow_empty=False)
    else:
        interval = given["interval"].value()
        if not isinstance(interval, dict):
            raise given["interval"].fail("expected a mapping such as {hours: 4}")
        sched.interval = interval
    if "time_limit" in given:
        sched.time_limit = given["time_limit"].integer(minimum=1)
    if "enabled" in given:
        sched.enabled = given["enabled"].boolean()
    if "description" in given:
        sched.description = given["description"].text()
    return sched
