"""The one YAML reader and config model (settings.yamlfile, settings.models): every config file
reports file, line and key for an unknown key (with did-you-mean), a wrong type and a bad
choice; the shipped files are valid; roles and departments come from departments.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from common import vocabulary
from settings import ConfigError, load_settings
from settings.models import (
    Target,
    load_directory_file,
    load_schedules_file,
    load_targets_file,
    target_keys,
)

TARGETS = """targets:
  - name: alpha
    start_urls: [http://127.0.0.1:9/a/]
    kind: p2p
    schedule_group: nightly
  - name: beta
    start_urls: [http://127.0.0.2:9/b/]
    depth: 2
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_refused(read: Callable[[], object], path: Path, line: int, key: str,
                   words: str) -> None:
    """`read()` refuses the file with its path, the line and the key path, saying `words`."""
    with pytest.raises(ConfigError) as err:
        read()
    assert (err.value.where, err.value.key) == (f"{path}:{line}", key)
    assert words in err.value.problem


@pytest.mark.parametrize("change, line, key, words", [
    (("kind: p2p", "knd: p2p"), 4, "targets[0].knd", "unknown key; did you mean 'kind'?"),
    (("kind: p2p", "kind: bank"), 4, "targets[0].kind", "unknown value 'bank'"),
    (("kind: p2p", "kind: p2"), 4, "targets[0].kind", "did you mean 'p2p'?"),
    (("depth: 2", "depth: two"), 8, "targets[1].depth", "expected an integer, got 'two'"),
    (("depth: 2", "depth: -1"), 8, "targets[1].depth", "at least 0"),
    (("depth: 2", "sitemaps: 'no'"), 8, "targets[1].sitemaps", "expected true or false"),
    (("    start_urls: [http://127.0.0.2:9/b/]\n", ""), 6, "targets[1]",
     "missing required key 'start_urls'"),
    (("name: beta", "name: alpha"), 6, "targets[1].name", "duplicate target name 'alpha'"),
    (("name: beta", "name: 'bad name'"), 6, "targets[1].name", "expected a name"),
    (("start_urls: [http://127.0.0.2:9/b/]", "start_urls: [ftp://x/]"), 7,
     "targets[1].start_urls[0]", "expected an http(s) URL"),
])
def test_targets_errors_name_file_line_and_key(tmp_path: Path, change, line, key, words) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "targets.yaml", TARGETS.replace(*change))
    assert_refused(lambda: load_targets_file(path), path, line, key, words)


def test_targets_are_read_into_the_model(tmp_path: Path) -> None:
    targets = load_targets_file(_write(tmp_path, "targets.yaml", TARGETS))
    alpha, beta = targets.targets["alpha"], targets.targets["beta"]
    assert alpha == Target(name="alpha", start_urls=["http://127.0.0.1:9/a/"], kind="p2p",
                           schedule_group="nightly")
    assert beta.depth == 2 and beta.analysis_kind == "page"
    assert targets.groups() == {"nightly": ["alpha"], "default": ["beta"]}
    assert set(target_keys()) >= {"name", "start_urls", "kind", "render", "tags"}


@pytest.mark.parametrize("text, line, key, words", [
    ("schedules:\n  a:\n    target: alpha\n    cron: '0 2 * * *'\n    enabld: false\n", 5,
     "schedules.a.enabld", "did you mean 'enabled'?"),
    ("schedules:\n  a:\n    target: alpha\n    cron: '0 2 * * *'\n    time_limit: soon\n", 5,
     "schedules.a.time_limit", "expected an integer"),
    ("schedules:\n  a:\n    group: nightlyy\n    cron: '0 2 * * *'\n", 3, "schedules.a.group",
     "unknown target group 'nightlyy'"),
    ("schedule:\n  a: {}\n", 1, "schedule", "did you mean 'schedules'?"),
])
def test_schedules_errors_name_file_line_and_key(tmp_path: Path, text, line, key, words) -> None:  # type: ignore[no-untyped-def]
    targets = load_targets_file(_write(tmp_path, "targets.yaml", TARGETS))
    path = _write(tmp_path, "schedules.yaml", text)
    assert_refused(lambda: load_schedules_file(path, targets), path, line, key, words)


DEPARTMENTS = """departments:
  aic:
    name: 市工商局
    channels:
      - type: fake
  tech_support:
    name: 技术支撑组
support: tech_support
routes:
  - rules: [restricted_name]
    kinds: [ad]
    to: [aic]
roles:
  commerce:
    name: 市工商局
    departments: [aic]
  admin:
    name: 系统管理员
    departments: all
"""


@pytest.mark.parametrize("change, line, key, words", [
    (("    kinds: [ad]", "    kinds: [advert]"), 11, "routes[0].kinds[0]", "unknown value 'advert'"),
    (("    kinds: [ad]", "    knds: [ad]"), 11, "routes[0].knds", "did you mean 'kinds'?"),
    (("  commerce:", "  comerce:"), 14, "roles.comerce", "did you mean 'commerce'?"),
    (("    departments: [aic]", "    departments: [aix]"), 16, "roles.commerce.departments[0]",
     "unknown department 'aix'"),
    (("    name: 系统管理员", "    name: [系统]"), 18, "roles.admin.name", "expected a string"),
])
def test_departments_errors_name_file_line_and_key(tmp_path: Path, change, line, key, words) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "departments.yaml", DEPARTMENTS.replace(*change))
    assert_refused(lambda: load_directory_file(path), path, line, key, words)


def test_roles_and_departments_come_from_the_departments_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "departments.yaml", DEPARTMENTS)
    settings = load_settings(environ={}, overrides={"departments_file": str(path)})
    assert vocabulary.departments(settings) == {"aic": "市工商局", "tech_support": "技术支撑组"}
    roles = vocabulary.roles(settings)
    assert roles["commerce"] == ("市工商局", ("市工商局",))
    assert roles["admin"] == ("系统管理员", ("市工商局", "技术支撑组"))
    assert roles["opinion"] == ("opinion", ())        # left out of the file: no departments


def test_shipped_files_are_valid_and_name_every_role() -> None:
    settings = load_settings(environ={})
    targets = load_targets_file(settings.path("targets_file"))
    load_schedules_file(settings.path("schedules_file"), targets)
    roles = vocabulary.roles(settings)
    assert all(name != role for role, (name, _) in roles.items())
    assert roles["finance"][1] == ("市金融局", "人民银行清远市中心支行", "清远银监分局",
                                   "市住房和城乡建设管理局")
    assert len(roles["admin"][1]) == len(vocabulary.departments(settings))


def test_every_target_key_is_documented() -> None:
    """A key added to the model (one field) must reach the docs table of docs/crawler.md."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "crawler.md").read_text("utf-8")
    section = docs.split("## Targets", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    for name in target_keys():
        assert f"`{name}`" in table, f"{name} missing from the targets table of docs/crawler.md"


def test_doctor_reads_the_config_files_through_the_model(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from cli.main import main

    path = _write(tmp_path, "targets.yaml", TARGETS.replace("kind: p2p", "knd: p2p"))
    with pytest.raises(SystemExit) as done:
        main(["--data-dir", str(tmp_path / "var"), "--set", f"targets_file={path}", "doctor"])
    out = capsys.readouterr().out
    assert done.value.code == 1
    assert (f"[缺失] 配置文件: invalid configuration in {path}:4: key 'targets[0].knd': "
            "unknown key; did you mean 'kind'?") in out


def test_a_target_is_plain_data_that_survives_json(tmp_path: Path) -> None:
    """Workers send targets as JSON (dataclasses.asdict); where a key was written stays with
    the file, not the target."""
    import dataclasses
    import json

    alpha = load_targets_file(_write(tmp_path, "targets.yaml", TARGETS)).targets["alpha"]
    assert Target(**json.loads(json.dumps(dataclasses.asdict(alpha)))) == alpha
