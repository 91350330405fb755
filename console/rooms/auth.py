"""Log in, log out, and the landing page that sends each role to its own room."""

from __future__ import annotations

import time

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from ..context import current_user, services
from ..security import csrf_token, safe_next

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {"support": "patrols.index", "opinion": "opinion.index",
                "commerce": "review.queue", "finance": "review.queue", "admin": "review.queue"}


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE.get(user.role, "search.index")))


@bp.get("/findings/<finding_id>")
def finding_link(finding_id: str):  # type: ignore[no-untyped-def]
    """The address alerts link to (console_base_url/findings/ID): the finding's review page."""
    return redirect(url_for("review.finding", finding_id=finding_id[:64]))


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    error = None
    status = 200
    if request.args.get("expired"):
        error = "会话已过期，请重新登录。"
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:100]
        password = request.form.get("password") or ""
        addr = request.remote_addr or "-"
        users = services().users
        limit = services().settings["login_attempts_per_minute"]
        if users.recent_failures(name, addr) >= limit:
            error, status = "登录失败次数过多，请一分钟后再试。", 429
        else:
            user = users.authenticate(name, password) if name and password else None
            if user is None:
                users.record_failure(name, addr)
                error, status = "用户名或密码错误。", 401
            else:
                users.clear_failures(name, addr)
                nxt = safe_next(request.form.get("next"))
                session.clear()  # a fresh session (and CSRF token) for the new login
                session["user"] = user.name
                session["seen"] = time.time()
                session.permanent = True
                csrf_token()
                return redirect(nxt or url_for("auth.home"))
    return render_template("login.html", error=error,
                           next=safe_next(request.values.get("next")) or ""), status


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Liveness for a service manager: the process answers (no store access, no data)."""
    if request.args:
        abort(400)
    return {"ok": True}
