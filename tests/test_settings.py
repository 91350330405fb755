"""Configuration: declared once, documented, layered, and refused when invalid."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.config_cmd import settings_markdown
from settings import ROOT, SETTINGS, ConfigError, load_settings

DOCS = ROOT / "docs" / "settings.md"


def test_every_setting_has_help_text() -> None:
    missing = [s.name for s in SETTINGS if len(s.help.strip()) < 15]
    assert missing == []


def test_docs_list_every_setting_as_generated() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`{s.name}`" in text, f"{s.name} missing from docs/settings.md"
    assert text == settings_markdown() + "\n", "run: patrol config docs > docs/settings.md"


def test_no_module_reads_the_environment_on_its_own() -> None:
    allowed = {"settings/loader.py", "cli/main.py"}
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv", "tests/", "benchmarks/", "build/")) or rel in allowed:
            continue
        if re.search(r"os\.environ|os\.getenv", path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert offenders == []


def test_layers_in_order_with_sources(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("crawl_max_pages: 40\ncrawl_depth: 2\nsmtp_port: 2525\n", encoding="utf-8")
    env = {"PATROL_CONFIG": str(site), "PATROL_CRAWL_DEPTH": "5", "PATROL_SMTP_PORT": "587"}
    s = load_settings(environ=env, overrides={"smtp_port": 465})
    assert s["crawl_max_pages"] == 40 and s.source("crawl_max_pages") == f"{site}:1"
    assert s["crawl_depth"] == 5 and s.source("crawl_depth") == "environment variable PATROL_CRAWL_DEPTH"
    assert s["smtp_port"] == 465 and s.source("smtp_port") == "command line"
    assert s["crawl_concurrency"] == 8 and s.source("crawl_concurrency") == "default"
    assert s.source("log_level").endswith("config/settings.yaml:4")


@pytest.mark.parametrize(
    "content, line, key, expected",
    [
        ("log_level: INFO\ncrawl_depht: 2\n", 2, "crawl_depht", "did you mean 'crawl_depth'"),
        ("crawl_depth: two\n", 1, "crawl_depth", "expected an integer"),
        ("enabled_rules: [promised_return, promised_returns]\n", 1, "enabled_rules", "unknown rule id"),
        ("digest_cron: '0 25 * * *'\n", 1, "digest_cron", "cron expression"),
        ("crawl_render: sometimes\n", 1, "crawl_render", "one of auto, always, never"),
        ("alerts_dry_run: 'yes please'\n", 1, "alerts_dry_run", "true or false"),
    ],
)
def test_invalid_file_is_refused_with_file_line_and_key(
    tmp_path: Path, content: str, line: int, key: str, expected: str
) -> None:
    site = tmp_path / "bad.yaml"
    site.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(config_file=site, environ={})
    message = str(info.value)
    assert f"{site}:{line}" in message and key in message and expected in message


def test_cli_bad_config_is_one_line_on_stderr(tmp_path: Path) -> None:
    site = tmp_path / "bad.yaml"
    site.write_text("crawl_depth: [1, 2]\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--config", str(site), "config", "show"],
        capture_output=True, text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"{site}:1" in proc.stderr and "crawl_depth" in proc.stderr


def test_cli_config_show_lists_sources(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--set", "crawl_depth=7", "config", "show"],
        capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PATROL_SMTP_PASSWORD": "s3cret", "PATROL_SMTP_PORT": "2525"},
    )
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.startswith("  ")}
    assert "7" in lines["crawl_depth"] and "(command line)" in lines["crawl_depth"]
    assert "2525" in lines["smtp_port"] and "PATROL_SMTP_PORT" in lines["smtp_port"]
    assert "s3cret" not in proc.stdout and "********" in lines["smtp_password"]


def test_data_paths_live_under_the_data_home(make_settings) -> None:
    s = make_settings()
    p = s.data_path("evidence", "x.gz")
    assert p.parent.is_dir() and s.data_dir in p.parents
