"""Sessions that expire, CSRF tokens, security headers, and the permission gate of every room.

Nothing here trusts the browser: the session cookie is signed and only names the user (whose
role is read again from the accounts file on every request, so a disabled account or a changed
role takes effect at once); every state-changing request carries a token bound to the session;
every response, error pages and static files included, carries the security headers.
"""

from __future__ import annotations

import functools
import hmac
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session, url_for

from settings import Settings

from .context import current_user, services
from .roles import allowed

F = TypeVar("F", bound=Callable[..., Any])

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The console's own pages: scripts and styles only from its own files, nothing inline, no
# plugins, framed only by itself; stored pages get a stricter, sandboxed policy of their own.
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'self'; "
               "frame-ancestors 'self'")
STORED_CONTENT_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                      "form-action 'none'; frame-ancestors 'self'")


def secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept (mode 600) under the data home."""
    if settings["console_secret_key"]:
        return str(settings["console_secret_key"])
    path: Path = settings.data_path("console", "secret_key")
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    key = secrets.token_hex(32)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def load_session_user() -> None:
    """Who is asking (from the session), after the session-expiry check."""
    g.user = None
    g.session_expired = False
    if _is_api(request.path) or request.path.startswith("/static/"):
        return  # the API authenticates by token only, and static files need no one
    name = session.get("user")
    if not name:
        return
    now = time.time()
    limit = services().settings["session_minutes"] * 60
    if now - float(session.get("seen", 0)) > limit:
        session.clear()
        g.session_expired = True
        return
    user = services().users.get(name)
    if user is None or user.disabled:
        session.clear()
        return
    session["seen"] = now
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


def security_headers(response: Response) -> Response:
    headers = response.headers
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = CONSOLE_CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "SAMEORIGIN"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask, settings: Settings) -> None:
    app.secret_key = secret_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME="patrol_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(settings["console_base_url"]).startswith("https://"),
        PERMANENT_SESSION_LIFETIME=settings["session_minutes"] * 60,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
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
