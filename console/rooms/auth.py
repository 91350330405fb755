"""Log in, log out, and the landing page that sends each role to its own room."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .. import throttle
from ..clientaddr import request_address
from ..context import current_user, services
from ..security import csrf_token, safe_next

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {"support": "patrols.index", "opinion": "opinion.index",
                "commerce": "review.queue", "finance": "review.queue", "admin": "review.queue"}


@bp.get("/")
def home():
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE.get(user.role, "search.index")))


@bp.get("/findings/<finding_id>")
def finding_link(finding_id: str):
    """The address alerts link to (console_base_url/findings/ID): the finding's review page."""
    return redirect(url_for("review.finding", finding_id=finding_id[:64]))


DEVICE_COOKIE = "patrol_device"
DEVICE_DAYS = 180


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    retry_after = 0.0
    new_device = None
    if request.args.get("expired"):
        error = "会话已过期，请重新登录。"
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:100]
        password = request.form.get("password") or ""
        users = services().users
        device = users.known_device(name, request.cookies.get(DEVICE_COOKIE))
        limits = throttle.Limits.from_settings(services().settings)
        reservation = throttle.reserve(
            users, name, request_address(request, services().settings["console_trusted_proxies"]),
            device, limits)
        if not reservation.allowed:
            retry_after = reservation.retry_after
            error, status = f"登录失败次数过多，请 {math.ceil(retry_after)} 秒后再试。", 429
        else:
            user = users.authenticate(name, password) if name and password else None
            if user is None:
                error, status = "用户名或密码错误。", 401
            else:
                throttle.succeeded(users, reservation)
                nxt = safe_next(request.form.get("next"))
                session.clear()  # a fresh session, with a new id and CSRF token, for this login
                session.rotate()
                session["user"] = user.name
                csrf_token()
                response = redirect(nxt or url_for("auth.home"))
                if device is None:
                    new_device = users.remember_device(user.name)
                    response.set_cookie(DEVICE_COOKIE, new_device, max_age=DEVICE_DAYS * 86400,
                                        httponly=True, samesite="Lax",
                                        secure=current_app.config["SESSION_COOKIE_SECURE"])
                return response
    page = render_template("login.html", error=error,
                           next=safe_next(request.values.get("next")) or "")
    headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after else {}
    return page, status, headers


@bp.post("/logout")
def logout():
    session.clear()  # the server-side session row goes with it: a replayed cookie finds nothing
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz():
    """Liveness for a service manager: the process answers (no store access, no data)."""
    if request.args:
        abort(400)
    return {"ok": True}
