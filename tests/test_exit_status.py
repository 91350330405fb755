"""Exit statuses as a user sees them: through the real entry point `cli.main.main()`.

A failed alert, a busy sender or a locked target must not look like success to a script or a
cron job (click without standalone mode used to turn every `Exit(N)` into status 0).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.main import main
from findings import open_store
from patrols import exit_codes
from tests.alerts.conftest import departments_yaml
from tests.services.ports import free_port


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's or CI's PATROL_* variables are not this test's configuration."""
    for name in [k for k in os.environ if k.startswith("PATROL_")]:
        monkeypatch.delenv(name)


def patrol(tmp_path: Path, *args: str) -> int:
    """`patrol ARGS` through main(); returns the exit status."""
    with pytest.raises(SystemExit) as raised:
        main(["--data-dir", str(tmp_path / "var"), *args])
    code = raised.value.code
    return code if isinstance(code, int) else (0 if code is None else 1)


def channels_file(tmp_path: Path, channels: list[dict[str, Any]]) -> str:
    path = tmp_path / "departments.yaml"
    path.write_text(yaml.safe_dump(departments_yaml({"finance_bureau": channels}),
                                   allow_unicode=True), encoding="utf-8")
    return f"departments_file={path}"


def test_alerts_test_to_a_failing_webhook_exits_failed(tmp_path: Path, webhook: Any,
                                                       capsys: pytest.CaptureFixture) -> None:
    dept = channels_file(tmp_path, [{"type": "webhook", "url": f"{webhook.url}/fin"}])
    webhook.script("/fin", [500])
    assert patrol(tmp_path, "--set", dept, "alerts", "test", "市金融局") == exit_codes.FAILED
    assert webhook.wait_for(1, "/fin")
    assert "500" in capsys.readouterr().out
    assert patrol(tmp_path, "--set", dept, "alerts", "test", "市金融局") == exit_codes.OK


def test_alerts_test_by_email_with_no_smtp_server_exits_failed(tmp_path: Path) -> None:
    dept = channels_file(tmp_path, [{"type": "email", "to": ["duty@example.invalid"]}])
    status = patrol(tmp_path, "--set", dept, "--set", "smtp_host=127.0.0.1",
                    "--set", f"smtp_port={free_port()}", "alerts", "test", "市金融局")
    assert status == exit_codes.FAILED


def test_alerts_send_while_another_sender_runs_exits_locked(
        tmp_path: Path, make_settings: Callable[..., Any]) -> None:
    from alerts.sender import LOCK_NAME

    settings = make_settings(data_dir=str(tmp_path / "var"))
    with open_store(settings["store_url"], data_dir=settings.data_dir) as store:
        assert store.acquire_lock(LOCK_NAME, "another-host:1:sender", 600)
    assert patrol(tmp_path, "alerts", "send") == exit_codes.LOCKED


def test_success_and_usage(tmp_path: Path) -> None:
    assert patrol(tmp_path, "alerts", "departments") == exit_codes.OK
    assert patrol(tmp_path, "alerts", "no-such-command") == exit_codes.USAGE


def test_a_store_that_cannot_be_reached_exits_unavailable(tmp_path: Path) -> None:
    store = f"http://127.0.0.1:{free_port()}"
    assert patrol(tmp_path, "findings", "--store", store) == exit_codes.UNAVAILABLE


def test_a_data_directory_that_cannot_be_made_exits_cant_create(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(SystemExit) as raised:
        main(["--data-dir", str(blocker / "var"), "findings"])
    assert raised.value.code == exit_codes.CANT_CREATE
