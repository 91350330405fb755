"""Accounts from the command line (`patrol users`), API tokens, the demo account, and
`patrol serve` answering on its port."""

from __future__ import annotations

import socket
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
                 input="s3cret-pass-2026\ns3cret-pass-2026\n")
    assert result.exit_code == 0, result.output
    assert "s3cret-pass-2026" not in result.output and "已添加用户 王科长" in result.output
    mismatch = run(tmp_path, "add", "li", "--role", "finance", input="aaaaaaaa1-lamp\nbbbbbbbb2-lamp\n"
                   "cccccccc3-lamp\ncccccccc3-lamp\n")
    assert mismatch.exit_code == 0 and "li" in run(tmp_path, "list").output
    users = UserStore(tmp_path / "console" / "users.sqlite3")
    assert users.authenticate("王科长", "s3cret-pass-2026").role == "commerce"
    assert users.authenticate("li", "cccccccc3-lamp") is not None
    users.close()


def test_password_stdin_roles_and_refusals(tmp_path: Path) -> None:
    assert run(tmp_path, "add", "ops", "--role", "support", "--password-stdin",
               input="long-enough-12\n").exit_code == 0
    assert run(tmp_path, "add", "ops", "--role", "admin", "--password-stdin",
               input="long-enough-12\n").exit_code != 0
    short = run(tmp_path, "add", "x", "--role", "admin", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "至少" in short.output
    assert run(tmp_path, "add", "y", "--role", "boss", "--password-stdin",
               input="long-enough-12\n").exit_code != 0
    assert run(tmp_path, "add", "../x", "--role", "admin", "--password-stdin",
               input="long-enough-12\n").exit_code != 0
    assert "ops\tsupport" in run(tmp_path, "list").output


def test_token_is_printed_once_and_opens_the_api(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    run(tmp_path, "add", "api", "--role", "finance", "--password-stdin", input="long-enough-12\n")
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


def test_demo_account_password_is_strong_shown_once_and_disabling_sticks(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    first = ensure_demo_account(settings)
    assert first.name == "demo" and first.password and len(first.password) >= 24
    assert first.password in first.message()
    again = ensure_demo_account(settings)
    assert again.password is None and first.password not in again.message()
    # Nothing on disk names the password.
    for path in settings.data_dir.rglob("*"):
        if path.is_file():
            assert first.password.encode() not in path.read_bytes()
    users = UserStore(users_path(settings))
    assert users.authenticate("demo", first.password).role == "admin"
    users.set_disabled("demo", True)
    users.close()
    after = ensure_demo_account(settings)
    assert after.disabled and after.password is None and "停用" in after.message()
    users = UserStore(users_path(settings))
    assert users.get("demo").disabled
    assert users.authenticate("demo", first.password) is None
    users.close()


def test_accounts_file_and_its_wal_are_readable_by_the_owner_only(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings()
    ensure_demo_account(settings)
    users = UserStore(users_path(settings))
    users.issue_token("demo")  # a write, so the WAL and shared-memory files exist
    files = [p for p in users_path(settings).parent.iterdir() if p.name.startswith("users.sqlite3")]
    assert {p.name for p in files} >= {"users.sqlite3", "users.sqlite3-wal", "users.sqlite3-shm"}
    for path in files:
        assert path.stat().st_mode & 0o077 == 0, path
    users.close()


def test_weak_passwords_are_refused(tmp_path: Path) -> None:
    for weak in ("short-pass", "password1234", "aaaaaaaaaaaaaa", "123456789012", "qwertyuiop12",
                 "Woaini1314!!", "1qaz2wsx3edc"):
        result = run(tmp_path, "add", "ops", "--role", "support", "--password-stdin",
                     input=weak + "\n")
        assert result.exit_code != 0, weak
        assert "密码" in result.output
    same = run(tmp_path, "add", "wangkezhang01", "--role", "support", "--password-stdin",
               input="wangkezhang01\n")
    assert same.exit_code != 0 and "用户名" in same.output
    assert run(tmp_path, "add", "ops", "--role", "support", "--password-stdin",
               input="river-lantern-93\n").exit_code == 0


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
        # Errors waitress writes itself, without asking the app, carry the headers too.
        for raw in (b"BOGUS\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 300000
                    + b"\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                conn.sendall(raw)
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    head += chunk
            text = head.decode("latin-1")
            assert text.startswith("HTTP/1.") and " 400 " in text.splitlines()[0] or " 431 " in text
            assert "X-Content-Type-Options: nosniff" in text
            assert "Content-Security-Policy: default-src 'self'" in text
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
