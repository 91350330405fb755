"""One reader for the configuration files (targets, departments, schedules): every complaint
names the file, the line and the key.

A file is read into a tree of `Entry` objects: each holds its YAML node, so that `entry.fail()`
points at the line, and its key path (`targets[2].kind`, `schedules.nightly.cron`), so that the
message says which key. Mappings refuse unknown keys with a did-you-mean; scalars are checked for
type, range and choices. The config model (settings.models) is written with these checks only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .spec import ConfigError, ConfigFileError

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """"; did you mean 'x'?" when a known word is close to `word`, else ""."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


@dataclass(frozen=True)
class Entry:
    """One value of a configuration file: its node (for the line) and its key path."""

    file: str
    node: yaml.Node
    key: str = ""

    # -- where ----------------------------------------------------------------------------------
    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def fail(self, problem: str) -> ConfigError:
        return ConfigFileError(self.where, self.key or None, problem)

    def _child(self, node: yaml.Node, part: str | int) -> Entry:
        if isinstance(part, int):
            key = f"{self.key}[{part}]"
        else:
            key = f"{self.key}.{part}" if self.key else part
        return Entry(self.file, node, key)

    # -- shapes ---------------------------------------------------------------------------------
    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag == _NULL

    def mapping(self, allowed: Iterable[str] | None = None, what: str = "",
                required: Iterable[str] = ()) -> dict[str, Entry]:
        """The entries of a mapping by key. With `allowed`, any other key is refused (naming the
        closest allowed key); `required` keys must be present. A null value is an empty mapping.
        """
        if self.is_null:
            items: list[tuple[yaml.Node, yaml.Node]] = []
        elif isinstance(self.node, yaml.MappingNode):
            items = list(self.node.value)
        else:
            raise self.fail(f"expected a mapping{' of ' + what if what else ''}")
        known = tuple(allowed) if allowed is not None else None
        out: dict[str, Entry] = {}
        for key_node, value_node in items:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
            key_entry = Entry(self.file, key_node, self._child(key_node, name).key)
            if not name:
                raise key_entry.fail("expected a plain key")
            if known is not None and name not in known:
                raise key_entry.fail(f"unknown key{did_you_mean(name, known)} (known: "
                                     f"{', '.join(known)})")
            if name in out:
                raise key_entry.fail("duplicate key")
            out[name] = self._child(value_node, name)
        for name in required:
            if name not in out:
                raise self.fail(f"missing required key '{name}'")
        return out

    def key_entry(self, name: str) -> Entry:
        """The entry of a mapping's key itself (errors about the key point at its line)."""
        if isinstance(self.node, yaml.MappingNode):
            for key_node, _ in self.node.value:
                if getattr(key_node, "value", None) == name:
                    return Entry(self.file, key_node, self._child(key_node, name).key)
        return self

    def items(self, what: str = "") -> list[Entry]:
        """The entries of a list (a null value is an empty list)."""
        if self.is_null:
            return []
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.fail(f"expected a list{' of ' + what if what else ''}")
        return [self._child(node, i) for i, node in enumerate(self.node.value)]

    # -- scalars --------------------------------------------------------------------------------
    def _scalar(self, expected: str) -> yaml.ScalarNode:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.fail(f"expected {expected}")
        return self.node

    def value(self) -> Any:
        """The plain Python value (as yaml.safe_load gives it)."""
        return yaml.SafeLoader(" ").construct_object(self.node, deep=True)  # type: ignore[arg-type]

    def text(self, allow_empty: bool = True) -> str:
        node = self._scalar("a string")
        if node.tag in (_INT, _FLOAT, _BOOL):
            raise self.fail(f"expected a string, got {node.value!r} (quote it)")
        text = "" if node.tag == _NULL else str(node.value)
        if not allow_empty and not text.strip():
            raise self.fail("expected a non-empty string")
        return text

    def texts(self) -> list[str]:
        """A string or a list of strings."""
        if isinstance(self.node, yaml.ScalarNode) and not self.is_null:
            return [self.text()]
        return [item.text() for item in self.items("strings")]

    def text_entries(self) -> list[Entry]:
        """Like texts(), but the entries (for a complaint about one item's line)."""
        if isinstance(self.node, yaml.ScalarNode) and not self.is_null:
            self.text()
            return [self]
        entries = self.items("strings")
        for item in entries:
            item.text()
        return entries

    def choice(self, options: Iterable[str]) -> str:
        known = tuple(options)
        value = self.text()
        if value not in known:
            raise self.fail(f"unknown value {value!r}{did_you_mean(value, known)} (expected "
                            f"one of {', '.join(known)})")
        return value

    def choices(self, options: Iterable[str]) -> list[str]:
        known = tuple(options)
        return [item.choice(known) for item in self.text_entries()]

    def boolean(self) -> bool:
        node = self._scalar("true or false")
        if node.tag != _BOOL:
            raise self.fail(f"expected true or false, got {node.value!r}")
        return bool(self.value())

    def integer(self, minimum: int | None = None) -> int:
        node = self._scalar("an integer")
        if node.tag != _INT:
            raise self.fail(f"expected an integer, got {node.value!r}")
        value = int(self.value())
        if minimum is not None and value < minimum:
            raise self.fail(f"expected an integer of at least {minimum}, got {value}")
        return value

    def number(self, minimum: float | None = None) -> float:
        node = self._scalar("a number")
        if node.tag not in (_INT, _FLOAT):
            raise self.fail(f"expected a number, got {node.value!r}")
        value = float(self.value())
        if minimum is not None and value < minimum:
            raise self.fail(f"expected a number of at least {minimum:g}, got {value:g}")
        return value


def read_yaml(path: Path, what: str) -> Entry | None:
    """The root entry of a YAML file (None when the file is empty); `what` names the file in
    messages ("targets file"). A missing, unreadable or malformed file is a ConfigError with
    the line of the YAML error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), None, f"{what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(str(path), None, f"cannot read the {what} ({reason})") from None
    return parse_yaml(text, str(path), what)


def parse_yaml(text: str, file: str, what: str) -> Entry | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}" if mark else file
        raise ConfigError(where, None, f"the {what} is not valid YAML "
                          f"({getattr(exc, 'problem', None) or exc})") from None
    return Entry(file, node) if node is not None else None
