"""The `patrol` command itself: version, help, one-line errors, doctor."""

from __future__ import annotations

import subprocess
import sys

from settings import ROOT


def patrol(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env or {"PATH": "/usr/bin:/bin"}, timeout=120)


def test_version() -> None:
    proc = patrol("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("patrol, version ")


def test_help_lists_every_subcommand() -> None:
    proc = patrol("--help")
    assert proc.returncode == 0
    for name in ("analyze", "crawl", "demo", "findings", "alerts", "schedule", "serve", "doctor"):
        assert name in proc.stdout


def test_unknown_subcommand_is_one_line() -> None:
    proc = patrol("fly")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "fly" in proc.stderr


def test_failure_without_debug_is_one_line_and_with_debug_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    args = ("--data-dir", str(blocker / "var"), "doctor")
    quiet = patrol(*args)
    assert quiet.returncode != 0 and "Traceback" not in quiet.stderr
    assert quiet.stderr.strip().splitlines()[-1].startswith("patrol: error:")
    assert "数据目录" in quiet.stdout


def test_doctor_reports_each_piece(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proc = patrol("--data-dir", str(tmp_path / "var"), "--set", "smtp_host=127.0.0.1",
                  "--set", "smtp_port=9", "doctor")
    for name in ("数据目录", "配置文件", "存储", "Chromium", "Java", "SMTP"):
        assert name in proc.stdout
    assert "[缺失] SMTP" in proc.stdout and "邮件告警" in proc.stdout
    assert "[正常] 配置文件: 巡查目标 3 个" in proc.stdout
