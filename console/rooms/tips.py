"""Tips (举报): the public /tip page (no login) and the officers' queue, where a tip is linked
to a platform, patrolled once, or closed.

The public page is bounded: CSRF, the request size limit of the app, field limits, a rate limit
per address and overall, and the URL checked by the address guard before it is stored. What a
tipster wrote is shown as plain text (escaped, never a link) to officers.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from findings import utcnow
from platforms.ledger import LedgerError, lookup, register
from platforms.tips import (
    TIP_STATUS_LABELS,
    TIP_STATUSES,
    TipRefused,
    TooManyTips,
    address_key,
    check_rate,
    check_tip_url,
    make_tip,
)

from ..clientaddr import request_address
from ..context import current_user, services
from ..security import require
from .ledger import ledger

bp = Blueprint("tips", __name__)


@bp.route("/tip", methods=["GET", "POST"])
def public():
    """举报 intake: anyone may send; the answer is a receipt number."""
    if request.method == "GET":
        return render_template("tips/public.html", form={}, error=None)
    form = {k: request.form.get(k) or "" for k in ("url", "platform_name", "text", "contact")}
    settings = services().settings
    # behind the city's reverse proxy, the client the trusted proxy names (console.clientaddr)
    addr = request_address(request, settings["console_trusted_proxies"])
    key = address_key(addr, str(current_app.secret_key))
    try:
        check_rate(ledger(), key, settings["tips_per_address_hour"], settings["tips_per_hour"])
        tip = make_tip(**form, source="web", addr_key=key)
        ledger().add_tip(tip)
    except TooManyTips as exc:
        return render_template("tips/public.html", form=form, error=str(exc)), 429
    except TipRefused as exc:
        shown = {k: v[:5000] for k, v in form.items()}
        return render_template("tips/public.html", form=shown, error=str(exc)), 400
    return render_template("tips/receipt.html", tip=tip)


@bp.get("/tips")
@require("tips.review")
def queue():
    status = request.args.get("status", "new")
    status = status if status in TIP_STATUSES else ""
    return render_template("tips/queue.html", tips=ledger().list_tips(status, limit=300),
                           status=status, labels=TIP_STATUS_LABELS)


def _tip(receipt: str):
    tip = ledger().get_tip(receipt[:40])
    if tip is None:
        abort(404)
    return tip


@bp.get("/tips/<receipt>")
@require("tips.review")
def tip(receipt: str):
    record = _tip(receipt)
    linked = ledger().get(record.platform_id) if record.platform_id else None
    return render_template("tips/tip.html", tip=record, linked=linked, labels=TIP_STATUS_LABELS)


@bp.post("/tips/<receipt>/link")
@require("tips.review")
def link(receipt: str):
    """Link the tip to a platform: an existing one (id, name or domain), or a new record."""
    record, user = _tip(receipt), current_user()
    assert user is not None
    key = (request.form.get("platform") or "").strip()[:200]
    lg = ledger()
    platform = lookup(lg, key)
    try:
        platform = _link(record, user.name, platform, key)
    except (LedgerError, ValueError) as exc:
        flash(str(exc), "error")
    else:
        flash(f"已关联平台 {platform.name}。", "ok")
    return redirect(url_for("tips.tip", receipt=record.receipt))


def _link(record, by: str, platform=None, name: str = ""):
    """Link the tip to `platform`, or to the platform registered from the tip itself (its
    platform name and the URL's host name), and record who did it."""
    if platform is None:
        from urllib.parse import urlsplit

        from platforms.intake import is_name_host

        host = (urlsplit(record.url).hostname or "") if record.url else ""
        platform, _ = register(ledger(), name=name or record.platform_name or host, by=by,
                               source=f"tip:{record.receipt}",
                               domains=[host] if is_name_host(host) else [])
    record.platform_id, record.status = platform.id, "linked"
    record.handled_by, record.handled_at = by, utcnow()
    ledger().update_tip(record)
    return platform


@bp.post("/tips/<receipt>/patrol")
@require("patrols.run")
def patrol(receipt: str):
    record, user = _tip(receipt), current_user()
    assert user is not None
    if not record.url:
        flash("该举报没有网址，无法巡查。", "error")
        return redirect(url_for("tips.tip", receipt=record.receipt))
    try:
        url = check_tip_url(record.url)      # again: the rules may have changed since intake
    except TipRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("tips.tip", receipt=record.receipt))
    launch = services().launch_tip_patrol
    if launch is None:
        from ..runner import launch_tip_patrol as launch
    try:
        launch(services().settings, url)
    except (OSError, ValueError) as exc:
        flash(f"无法启动巡查：{type(exc).__name__}", "error")
    else:
        if not record.platform_id:   # the patrol's findings attach to it by domain
            try:
                _link(record, user.name)
            except (LedgerError, ValueError):
                pass
        record.status, record.handled_by, record.handled_at = "patrolled", user.name, utcnow()
        ledger().update_tip(record)
        flash("已开始巡查该网址，结果将出现在审核队列和平台台账中。", "ok")
    return redirect(url_for("tips.tip", receipt=record.receipt))


@bp.post("/tips/<receipt>/close")
@require("tips.review")
def close(receipt: str):
    record, user = _tip(receipt), current_user()
    assert user is not None
    record.status, record.handled_by, record.handled_at = "closed", user.name, utcnow()
    record.note = (request.form.get("note") or "").strip()[:2000]
    ledger().update_tip(record)
    flash("已办结。", "ok")
    return redirect(url_for("tips.queue"))
