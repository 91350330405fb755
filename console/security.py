"""Sessions that expire, CSRF tokens, security headers, and the permission gate of every room.

Nothing here trusts the browser: the session cookie is signed and only names the user (whose
role is read again from the accounts file on every request, so a disabled account or a changed
role takes effect at once); every state-changing request carries a token bound to the session;
every response, error pages and static files included, carries the security headers.
"""

from __future__ import annotations

import functools
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for

from settings import Settings

from .context import current_user, services
from .roles import allowed
from .sessions import ServerSessionInterface
from .users import UserStore

F = TypeVar("F", bound=Callable[..., Any])

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The console's own pages: scripts and styles only from its own files, nothing inline, no
# plugins, framed only by itself; stored pages get a stricter, sandboxed policy of their own.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'self'; "
               "frame-ancestors 'self'")
HSTS = "max-age=31536000; includeSubDomains"
STORED_CONTENT_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                      "form-action 'none'; frame-ancestors 'self'")


def secret_key_path(settings: Settings) -> Path:
    return settings.data_path("console", "secret_key")


def secret_keys(settings: Settings) -> list[str]:
    """The signing keys, current first: the configured key, or the ones kept (mode 600) under
    the data home, generated on first use. After a rotation the previous key still verifies."""
    if settings["console_secret_key"]:
        return [str(settings["console_secret_key"])]
    path = secret_key_path(settings)
    if path.exists():
        keys = [k.strip() for k in path.read_text(encoding="utf-8").splitlines()]
        keys = [k for k in keys if len(k) >= 32]
        if keys:
            return keys
    return rotate_secret_key(settings)


def rotate_secret_key(settings: Settings) -> list[str]:
    """A new current key; the previous current key is kept to verify existing sessions (the one
    before it is dropped). Takes effect when the console starts again."""
    path = secret_key_path(settings)
    old: list[str] = []
    if path.exists():
        old = [k.strip() for k in path.read_text(encoding="utf-8").splitlines() if len(k.strip()) >= 32]
    keys = [secrets.token_hex(32), *old[:1]]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".new"), os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(keys) + "\n")
    os.replace(path.with_suffix(".new"), path)
    return keys


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def load_session_user() -> None:
    """Who is asking (from the server-side session; see console.sessions)."""
    g.user = None
    g.session_expired = bool(getattr(session, "expired", False))
    if _is_api(request.path) or request.path.startswith("/static/"):
        return  # the API authenticates by token only, and static files need no one
    name = session.get("user")
    if not name:
        return
    user = services().users.get(name)
    if user is None or user.disabled:
        session.clear()
        return
    g.user = user


def check_csrf() -> None:
    """Refuse a state-changing request without the session's token (API tokens excepted: the
    API never reads the session cookie, so a cross-site request has nothing to ride on)."""
    if request.method not in UNSAFE_METHODS or _is_api(request.path):
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="请求缺少有效的安全令牌（CSRF），请刷新页面后重试。")


def base_headers(https: bool) -> list[tuple[str, str]]:
    """The headers every response carries, also the errors the WSGI server writes itself."""
    headers = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
               ("X-Frame-Options", "SAMEORIGIN"), ("Cross-Origin-Opener-Policy", "same-origin"),
               ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")]
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


def security_headers(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = CONSOLE_CSP
    for name, value in base_headers(bool(current_app.config.get("PATROL_HSTS"))):
        headers[name] = value
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask, settings: Settings, users: UserStore) -> None:
    keys = secret_keys(settings)
    https = str(settings["console_base_url"]).startswith("https://")
    app.secret_key = keys[0]
    app.config.update(
        SECRET_KEY_FALLBACKS=keys[1:],
        SESSION_COOKIE_NAME="patrol_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        PATROL_HSTS=https,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    app.session_interface = ServerSessionInterface(
        users, keys, idle_seconds=settings["session_minutes"] * 60,
        max_seconds=settings["session_max_hours"] * 3600)
    app.before_request(load_session_user)
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def safe_next(target: str | None) -> str | None:
    """A local path to return to after login; anything pointing elsewhere is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def require(permission: str) -> Callable[[F], F]:
    """Gate a view: no session -> the login page; a role without `permission` -> 403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                nxt = request.full_path if request.method == "GET" else None
                return redirect(url_for("auth.login", next=safe_next(nxt),
                                        expired=1 if g.get("session_expired") else None))
            if not allowed(user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
