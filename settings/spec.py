"""The shape of one declared setting and how its values are checked.

Kept apart from the list of settings so that the list reads like documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The rule ids of shared/spec/rules.md. Configuration that names a rule is checked against these.
RULE_IDS: tuple[str, ...] = (
    "promised_return",
    "guaranteed_principal",
    "restricted_name",
    "real_estate_finance",
    "margin_financing",
    "unlicensed_payment",
    "fundraising_signal",
    "improper_subsidy",
    "public_risk",
)

# The Chinese name of each rule, as rules.md gives it, for people (alerts, console, reports).
RULE_NAMES: dict[str, str] = {
    "promised_return": "承诺/夸大收益",
    "guaranteed_principal": "保本保息/零风险",
    "restricted_name": "名称/经营范围限制字样",
    "real_estate_finance": "首付贷/众筹买房",
    "margin_financing": "场外配资",
    "unlicensed_payment": "无证支付",
    "fundraising_signal": "非法集资特征",
    "improper_subsidy": "变相补贴",
    "public_risk": "舆情风险",
}

TYPES = ("str", "int", "float", "bool", "path", "list", "rules", "cron", "choice", "url")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, type and the help text shown in docs and `config show`.

    `secret` settings are masked when printed. A `shipped` path setting's default names a file
    shipped inside a package ("config/rules.yaml" is rules.yaml of the `config` package).
    """

    name: str
    default: Any
    type: str
    help: str
    section: str = "general"
    choices: tuple[str, ...] = field(default_factory=tuple)
    secret: bool = False
    shipped: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"setting {self.name}: unknown type {self.type!r}")


class ConfigError(Exception):
    """Invalid configuration: carries where it came from, the key and what was expected."""

    noun = "setting"     # what `key` names: a setting, or a key of a config file

    def __init__(self, where: str, key: str | None, problem: str) -> None:
        self.where, self.key, self.problem = where, key, problem
        keypart = f" {self.noun} '{key}':" if key else ""
        super().__init__(f"invalid configuration in {where}:{keypart} {problem}")


class ConfigFileError(ConfigError):
    """A mistake in a config file (targets, departments, schedules): `key` is its key path."""

    noun = "key"


_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "path": "a file or directory path",
    "list": "a list of strings",
    "rules": "a list of rule ids",
    "cron": "a five-field cron expression (minute hour day month weekday)",
    "choice": "one of",
    "url": "a URL",
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def coerce(setting: Setting, value: Any, where: str, from_text: bool = False) -> Any:
    """Return `value` converted to the setting's type, or raise ConfigError.

    `from_text` is set for environment variables and command-line strings, which arrive as text.
    """
    t = setting.type

    def bad(got: Any = value) -> ConfigError:
        expected = _EXPECTED[t]
        if t == "choice":
            expected += " " + ", ".join(setting.choices)
        return ConfigError(where, setting.name, f"expected {expected}, got {got!r}")

    if t in ("str", "path", "url", "cron", "choice"):
        if value is None and t in ("str", "url", "path"):
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise bad()
        value = str(value)
        if t == "choice" and value not in setting.choices:
            raise bad()
        if t == "url" and value and "://" not in value:
            raise bad()
        if t == "cron" and value:
            _check_cron(setting, value, where)
        return value
    if t == "bool":
        if isinstance(value, bool):
            return value
        if from_text and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise bad()
    if t == "int":
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, int):
            return value
        if from_text and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad() from None
        raise bad()
    if t == "float":
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, (int, float)):
            return float(value)
        if from_text and isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise bad() from None
        raise bad()
    # list and rules
    if from_text and isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad()
    if t == "rules":
        from .spec import RULE_IDS  # local name kept explicit for readers

        unknown = [v for v in value if v not in RULE_IDS]
        if unknown:
            raise ConfigError(
                where, setting.name, f"unknown rule id {unknown[0]!r}; known: {', '.join(RULE_IDS)}"
            )
    return list(value)


def _check_cron(setting: Setting, value: str, where: str) -> None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ConfigError(
            where, setting.name, f"expected {_EXPECTED['cron']}, got {value!r} ({exc})"
        ) from None
