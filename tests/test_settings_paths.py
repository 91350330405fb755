"""Where relative paths point: the shipped copy for a *_file default, the home directory for
any value that is set (the checkout here; the current directory of an installed `patrol`,
which tests/test_packaging.py runs)."""

from __future__ import annotations

from pathlib import Path

from findings.open import anchored_url, sqlite_path
from settings import CHECKOUT, Settings, load_settings, shipped_path
from settings.loader import default_home


def test_defaults_of_shipped_files_are_the_package_copies() -> None:
    settings = load_settings(environ={})
    for name, file in (("rules_file", "rules.yaml"), ("targets_file", "targets.yaml"),
                       ("departments_file", "departments.yaml"),
                       ("schedules_file", "schedules.yaml"), ("licensed_file", "licensed.txt")):
        path = settings.path(name)
        assert path == shipped_path("config", file) and path.is_file()


def test_a_set_relative_path_resolves_against_the_home_directory(tmp_path: Path) -> None:
    settings = load_settings(environ={"PATROL_TARGETS_FILE": "config/targets.yaml"})
    assert CHECKOUT is not None and default_home() == CHECKOUT   # the suite runs in a checkout
    assert settings.path("targets_file") == CHECKOUT / "config" / "targets.yaml"
    assert settings.data_dir == CHECKOUT / "var"
    elsewhere = Settings(settings.as_dict(), {n: settings.source(n) for n in settings},
                         home=tmp_path)
    assert elsewhere.path("targets_file") == tmp_path / "config" / "targets.yaml"
    assert elsewhere.path("rules_file") == shipped_path("config", "rules.yaml")  # still default
    assert elsewhere.data_dir == tmp_path / "var"
    assert elsewhere.with_overrides({"data_dir": "data"}).data_dir == tmp_path / "data"
    absolute = tmp_path / "abs"
    assert elsewhere.with_overrides({"data_dir": str(absolute)}).data_dir == absolute
    assert settings.path("smtp_ca_file") == Path("")


def test_a_relative_sqlite_store_url_is_under_the_home_directory(tmp_path: Path) -> None:
    url = anchored_url("sqlite:///stores/patrol.sqlite3", tmp_path)
    assert sqlite_path(url, None) == tmp_path / "stores" / "patrol.sqlite3"
    absolute = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert anchored_url(absolute, Path("/elsewhere")) == absolute
    assert anchored_url("", tmp_path) == ""
    assert anchored_url("http://127.0.0.1:9200", tmp_path) == "http://127.0.0.1:9200"
