"""Logging in and out, session expiry, the login rate limit, CSRF, and the security headers."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD, Console, csrf_of, login


def test_login_sends_each_role_to_its_room(console: Console) -> None:
    homes = {"support": "/patrols", "commerce": "/review", "finance": "/review",
             "opinion": "/opinion", "admin": "/review"}
    for role, home in homes.items():
        client = console.client()
        response = login(client, role)
        assert response.status_code == 302
        assert client.get("/").headers["Location"] == home
        assert client.get(home).status_code == 200


def test_pages_need_a_login(console: Console) -> None:
    for path in ("/review", "/opinion", "/patrols", "/search", "/reports", "/pages/x"):
        response = console.client().get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_wrong_password_and_unknown_user_are_refused_alike(console: Console) -> None:
    client = console.client()
    bad = login(client, "commerce", "not-the-password")
    unknown = login(client, "nobody", PASSWORD)
    assert bad.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in bad.get_data(as_text=True)
    assert client.get("/review").status_code == 302


def test_login_is_rate_limited_per_user(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(login_account_failures=3, login_delay_seconds=600)
    client = console.client()
    for _ in range(3):
        assert login(client, "finance", "wrong-password").status_code == 401
    # A browser that never logged in as finance is refused even with the right password...
    limited = login(client, "finance", PASSWORD)
    assert limited.status_code == 429
    assert "秒后再试" in limited.get_data(as_text=True)
    assert int(limited.headers["Retry-After"]) >= 1
    # ...while another user from the same address is not affected.
    assert login(console.client(), "commerce").status_code == 302


def test_session_expires_after_session_minutes_without_use(console_factory) -> None:  # type: ignore[no-untyped-def]
    console = console_factory(session_minutes=30)
    client = console.client("commerce")
    assert client.get("/review").status_code == 200
    console.users._exec("UPDATE sessions SET seen_at = seen_at - 31 * 60")
    response = client.get("/review")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert "会话已过期" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/review").status_code == 302


def test_disabled_account_loses_its_session_at_once(console: Console) -> None:
    client = console.client("commerce")
    assert client.get("/review").status_code == 200
    console.users.set_disabled("commerce", True)
    assert client.get("/review").status_code == 302
    assert login(console.client(), "commerce").status_code == 401


def test_login_does_not_redirect_off_site(console: Console) -> None:
    for target in ("https://evil.example.invalid/", "//evil.example.invalid/x", "/\\evil"):
        client = console.client()
        token = csrf_of(client)
        response = client.post("/login", data={"name": "admin", "password": PASSWORD,
                                                "csrf_token": token, "next": target})
        assert response.headers["Location"] == "/"
    client = console.client()
    token = csrf_of(client)
    response = client.post("/login", data={"name": "admin", "password": PASSWORD,
                                            "csrf_token": token, "next": "/search?q=x"})
    assert response.headers["Location"] == "/search?q=x"


@pytest.mark.parametrize("path, data", [
    ("/login", {"name": "admin", "password": PASSWORD}),
    ("/logout", {}),
    ("/review/decide", {"ids": "x", "decision": "confirmed"}),
    ("/patrols/run", {"target": "alpha"}),
    ("/patrols/test-alert", {"department": "市金融局"}),
])
def test_state_changing_requests_without_csrf_token_are_refused(
        console: Console, path: str, data: dict[str, str]) -> None:
    client = console.client("admin")
    missing = client.post(path, data=data)
    wrong = client.post(path, data={**data, "csrf_token": "forged"})
    assert missing.status_code == wrong.status_code == 400
    assert "CSRF" in missing.get_data(as_text=True)
    assert client.get("/review").status_code == 200  # still logged in: logout was refused too


def test_logout_ends_the_session(console: Console) -> None:
    client = console.client("commerce")
    token = csrf_of(client, "/review")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/review").status_code == 302


def test_security_headers_on_every_kind_of_response(console: Console) -> None:
    client = console.client("admin")
    responses = [client.get(p) for p in ("/login", "/review", "/static/console.css",
                                         "/static/console.js", "/no-such-page", "/api/findings",
                                         "/api/openapi.json", "/reports/export.xlsx")]
    responses.append(console.client().get("/review"))   # a redirect
    for response in responses:
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
        assert "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_hsts_only_when_the_console_is_served_over_https(console_factory) -> None:  # type: ignore[no-untyped-def]
    plain = console_factory()
    assert "Strict-Transport-Security" not in plain.client().get("/login").headers
    secure = console_factory(console_base_url="https://patrol.example.invalid")
    for path in ("/login", "/no-such-page", "/static/console.css"):
        headers = secure.client().get(path).headers
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000"), path


def test_session_cookie_is_httponly_and_samesite(console: Console) -> None:
    client = console.client()
    response = login(client, "admin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_or_style_in_any_template() -> None:
    """The CSP forbids inline code; the templates must not need it (nor mark anything safe)."""
    import re
    from pathlib import Path

    import console

    root = Path(console.__file__).parent / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=\"{{ url_for('static'" in tag, (path, tag)
        assert "style=" not in text and "<style" not in text, path
        assert not re.search(r"\son[a-z]+=", text), path
        assert "|safe" not in text and "Markup" not in text and "autoescape false" not in text


def test_alert_links_lead_to_the_finding_after_login(console: Console) -> None:
    from .conftest import make_finding

    finding = console.add(make_finding())[0]
    client = console.client()
    response = client.get(f"/findings/{finding.id}")
    assert response.headers["Location"] == f"/review/finding/{finding.id}"
    to_login = client.get(response.headers["Location"])
    assert to_login.headers["Location"].startswith("/login?next=")
    token = csrf_of(client)
    done = client.post("/login", data={"name": "finance", "password": PASSWORD,
                                       "csrf_token": token,
                                       "next": f"/review/finding/{finding.id}"})
    assert done.headers["Location"] == f"/review/finding/{finding.id}"
    assert finding.evidence in client.get(done.headers["Location"]).get_data(as_text=True)
