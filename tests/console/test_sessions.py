"""Console sessions live on the server: logout, a password change, disabling, the absolute
lifetime and an admin's `patrol users logout` end them; a replayed cookie then opens nothing.
Key rotation logs nobody out; a leaked key alone forges nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from itsdangerous import Signer

from cli.main import main
from console import create_app
from console.sessions import SALT
from console.users import UserStore, users_path

from .conftest import PASSWORD, Console, csrf_of


def cookie_of(client: Any) -> str:
    cookie = client.get_cookie("patrol_session")
    assert cookie is not None
    return cookie.value


def replay(console: Console, value: str, path: str = "/review") -> int:
    """A new browser that sends only the stolen cookie."""
    thief = console.app.test_client()
    thief.set_cookie("patrol_session", value)
    return thief.get(path).status_code


def patrol(console: Console, *args: str, stdin: str = "") -> int:
    """`patrol ARGS` through the real entry point, on the console's data home."""
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["--data-dir", str(console.settings.data_dir), *args])
            raise SystemExit(0)
    finally:
        sys.stdin = old
    return int(exit_info.value.code or 0)


def test_a_replayed_cookie_is_dead_after_logout(console: Console) -> None:
    client = console.client("commerce")
    stolen = cookie_of(client)
    assert replay(console, stolen) == 200
    token = csrf_of(client, "/review")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert replay(console, stolen) == 302


def test_password_change_by_command_ends_every_session(console: Console) -> None:
    laptop, phone = console.client("finance"), console.client("finance")
    cookies = [cookie_of(laptop), cookie_of(phone)]
    assert all(replay(console, c) == 200 for c in cookies)
    assert patrol(console, "users", "passwd", "finance", "--password-stdin",
                  stdin="a-brand-new-pass-7\n") == 0
    assert all(replay(console, c) == 302 for c in cookies)
    assert patrol(console, "users", "passwd", "finance", "--password-stdin",
                  stdin=PASSWORD + "\n") == 0  # the session accounts file is shared by tests


def test_disabling_and_admin_logout_end_sessions(console: Console) -> None:
    stolen = cookie_of(console.client("opinion"))
    assert patrol(console, "users", "logout", "opinion") == 0
    assert replay(console, stolen, "/opinion") == 302
    stolen = cookie_of(console.client("opinion"))
    console.users.set_disabled("opinion", True)
    console.users.set_disabled("opinion", False)
    assert replay(console, stolen, "/opinion") == 302


def test_a_session_ends_at_its_absolute_lifetime_even_when_used(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(session_max_hours=2, session_minutes=600)
    client = console.client("commerce")
    assert client.get("/review").status_code == 200
    console.users._exec("UPDATE sessions SET created_at = created_at - 2 * 3600 - 1")
    assert client.get("/review").status_code == 302


def test_login_gives_a_new_session_id(console: Console) -> None:
    client = console.app.test_client()
    csrf_of(client)  # an anonymous session with a CSRF token
    before = cookie_of(client)
    token = csrf_of(client)
    client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token})
    assert cookie_of(client) != before
    assert replay(console, before) == 302


def test_key_rotation_keeps_sessions_and_a_leaked_key_forges_nothing(console: Console) -> None:
    client = console.client("admin")
    value = cookie_of(client)
    assert patrol(console, "users", "rotate-key") == 0
    restarted = create_app(console.settings, store=console.store,
                           users=UserStore(users_path(console.settings)))
    thief = restarted.test_client()
    thief.set_cookie("patrol_session", value)
    assert thief.get("/review").status_code == 200     # signed with the previous key: still valid
    # With the key file in hand, a forged cookie still needs a live session id.
    keys = (console.settings.data_dir / "console" / "secret_key").read_text().split()
    forged = Signer(keys[0], salt=SALT).sign(b"made-up-session-id").decode()
    assert replay(console, forged) == 302
    thief = restarted.test_client()
    thief.set_cookie("patrol_session", forged)
    assert thief.get("/review").status_code == 302
