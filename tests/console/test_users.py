"""Accounts from the command line (`patrol users`), API tokens, the demo account, and
`patrol serve` answering on its port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from console.users import UserStore, ensure_demo_account, users_path
from settings import ROOT
from tests.services.ports import free_port, port_open, wait_until


def run(data_dir: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), "users", *args], input=input)


def test_add_asks_the_password_twice_hidden(tmp_path: Path) -> None:
    result = run(tmp_path, "add", "王科长", "--role", "commerce",
                 input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output and "已添加用户 王科长" in result.output
    mismatch = run(tmp_path, "add", "li", "--role", "finance", input="aaaaaaaa1\nbbbbbbbb2\n"
                   "cccccccc3\ncccccccc3\n")
    assert mismatch.exit_code == 0 and "li" in run(tmp_path, "list").output
    users = UserStore(tmp_path / "console" / "users.sqlite3")
    assert users.authenticate("王科长", "s3cret-pass").role == "commerce"
    assert users.authenticate("li", "cccccccc3") is not None
    users.close()


def test_password_stdin_roles_and_refusals(tmp_path: Path) -> None:
    assert run(tmp_path, "add", "ops", "--role", "support", "--password-stdin",
               input="long-enough-1\n").exit_code == 0
    assert run(tmp_path, "add", "ops", "--role", "admin", "--password-stdin",
               input="long-enough-1\n").exit_code != 0
    short = run(tmp_path, "add", "x", "--role", "admin", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "至少" in short.output
    assert run(tmp_path, "add", "y", "--role", "boss", "--password-stdin",
               input="long-enough-1\n").exit_code != 0
    assert run(tmp_path, "add", "../x", "--role", "admin", "--password-stdin",
               input="long-enough-1\n").exit_code != 0
    assert "ops\tsupport" in run(tmp_path, "list").output


def test_token_is_printed_once_and_opens_the_api(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    run(tmp_path, "add", "api", "--role", "finance", "--password-stdin", input="long-enough-1\n")
    result = run(tmp_path, "token", "api")
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("pt_")
    users = UserStore(tmp_path / "console" / "users.sqlite3")
    assert users.user_for_token(token).name == "api"
    assert token not in (tmp_path / "console" / "users.sqlite3").read_bytes().decode("latin-1")
    run(tmp_path, "token", "api", "--revoke")
    assert users.user_for_token(token) is None
    users.close()
    assert run(tmp_path, "token", "nobody").exit_code != 0


def test_demo_account_is_stable_and_repaired(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    name, password = ensure_demo_account(settings)
    assert (name, password) == ensure_demo_account(settings)
    users = UserStore(users_path(settings))
    assert users.authenticate(name, password).role == "admin"
    users.set_password(name, "changed-by-someone")
    users.close()
    assert ensure_demo_account(settings) == (name, password)
    users = UserStore(users_path(settings))
    assert users.authenticate(name, password) is not None
    users.close()
    secret = settings.data_dir / "console" / "demo-account.txt"
    assert secret.stat().st_mode & 0o077 == 0


def test_patrol_serve_answers_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path), "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: port_open("127.0.0.1", port) or proc.poll() is not None, 60,
                   what="the console port")
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        import urllib.request

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with opener.open(f"http://127.0.0.1:{port}/login", timeout=10) as response:
            body = response.read().decode("utf-8")
            assert response.status == 200 and "登录" in body
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
