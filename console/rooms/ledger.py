"""平台台账 (ledger): platforms with filters, one platform's whole picture (findings, score
reasons and history, classification history) and the classify form with the lead-department
check. The ledger file is opened once per app, on first use."""

from __future__ import annotations

import threading

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from platforms import CLASSES, KINDS, PlatformQuery, PlatformStore, open_ledger
from platforms.ledger import LedgerError, classify, lookup, merge, resolve, split
from platforms.model import EVENT_LABELS, LICENCE_LABELS, Platform
from platforms.posture import Posture
from platforms.score import platform_findings

from ..context import current_user, services
from ..ledger_access import officer_departments as departments_of
from ..present import console_zone, parse_local_date
from ..security import require

bp = Blueprint("ledger", __name__, url_prefix="/platforms")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_open_lock = threading.Lock()
PAGE_LIMIT = 500


def ledger() -> PlatformStore:
    held = services()
    with _open_lock:
        if held.ledger is None:
            held.ledger = open_ledger(held.settings)
    return held.ledger


def officer_departments() -> tuple[str, ...] | None:
    """The current officer's departments; None for an administrator (any department)."""
    user = current_user()
    assert user is not None
    return departments_of(services().settings, user.role)


def may_classify(platform: Platform) -> bool:
    departments = officer_departments()
    return departments is None or platform.lead in departments


def _to_change(platform_id: str, action: str) -> Platform:
    """The platform an officer asks to change: 404 if unknown, 403 unless the officer is of its
    lead department (or admin)."""
    record = ledger().get(platform_id[:40])
    if record is None:
        abort(404)
    if not may_classify(record):
        abort(403, description=f"只有牵头部门（{record.lead}）的人员或管理员可以{action}。")
    return record


@bp.get("")
@require("ledger.read")
def index():
    args = request.args
    klass = args.get("class", "") if args.get("class") in CLASSES else ""
    kind = args.get("kind", "") if args.get("kind") in KINDS else ""
    lead = (args.get("lead") or "").strip()[:60]
    text = (args.get("q") or "").strip()[:100]
    raw_score = (args.get("min_score") or "").strip()
    min_score = int(raw_score) if raw_score.isdigit() and len(raw_score) < 4 else None
    items = ledger().query(PlatformQuery(classification=klass, kind=kind, lead=lead, text=text,
                                         min_score=min_score, limit=PAGE_LIMIT))
    leads = sorted({p.lead for p in ledger().query(PlatformQuery(limit=10000))})
    return render_template("ledger/index.html", items=items, classes=CLASSES, kinds=KINDS,
                           leads=leads, f={"class": klass, "kind": kind, "lead": lead,
                                           "q": text, "min_score": raw_score[:3]},
                           limit=PAGE_LIMIT)


def _phase_figures():
    from platforms.phases import parse_phases, phase_report
    from settings import ConfigError

    try:
        phases = parse_phases(services().settings["ledger_phases"], console_zone())
    except ConfigError as exc:
        abort(500, description=f"整治阶段设置（ledger_phases）有误，请联系技术支持：{exc}")
    return phase_report(ledger(), phases)


@bp.get("/report")
@require("reports")
def report():
    from ..ledger_report import phase_rows

    figures = _phase_figures()
    rows = [dict(phase_rows(f)) for f in figures]
    labels: list[str] = []
    for f in figures:
        labels += [label for label, _ in phase_rows(f) if label not in labels]
    return render_template("ledger/report.html", figures=figures, rows=rows, labels=labels,
                           classes=CLASSES)


@bp.get("/report.xlsx")
@require("reports")
def report_xlsx():
    from ..ledger_report import phase_xlsx

    return Response(phase_xlsx(_phase_figures()), mimetype=XLSX, headers={
        "Content-Disposition": 'attachment; filename="ledger-phases.xlsx"'})


@bp.get("/<platform_id>")
@require("ledger.read")
def platform(platform_id: str):
    record = ledger().get(platform_id[:40])
    if record is None:
        abort(404)
    if record.merged_into:
        live = resolve(ledger(), record.id)
        if live is not None:
            return redirect(url_for("ledger.platform", platform_id=live.id))
    found = platform_findings(services().store, record, live=False)[:200]
    scores = ledger().scores(record.id, limit=30)
    runs = sorted((r for t in record.targets[:20]
                   for r in services().store.list_runs(target=t, limit=10)),
                  key=lambda r: r.started_at, reverse=True)[:20]
    merged_in = [m for m in (ledger().get(e.detail.get("merged", ""))
                             for e in ledger().events(record.id) if e.action == "merged")
                 if m is not None and m.merged_into == record.id]
    posts = [f for f in found if f.rule == "public_risk"]
    found = [f for f in found if f.rule != "public_risk"]
    return render_template(
        "ledger/platform.html", p=record, findings=found, scores=scores, runs=runs, posts=posts,
        merged_in=merged_in,
        classes=ledger().classifications(record.id), events=ledger().events(record.id),
        licence=LICENCE_LABELS.get(record.licence, record.licence), all_classes=CLASSES,
        products=ledger().products(record.id), event_labels=EVENT_LABELS,
        posture=Posture.from_dict(scores[0].posture) if scores and scores[0].posture else None,
        may_classify=may_classify(record))


@bp.post("/<platform_id>/classify")
@require("ledger.classify")
def classify_view(platform_id: str):
    record = _to_change(platform_id, "为该平台分类")
    user = current_user()
    assert user is not None
    klass = request.form.get("classification", "")
    reason = (request.form.get("reason") or "").strip()[:2000]
    deadline = parse_local_date((request.form.get("deadline") or "").strip()[:10],
                                end_of_day=True)
    try:
        done = classify(ledger(), record.id, klass, by=user.name,
                        departments=officer_departments(), reason=reason,
                        deadline=deadline,
                        rectify_days=services().settings["ledger_rectify_days"])
    except LedgerError as exc:
        flash(str(exc), "error")
    else:
        flash(f"已将 {done.name} 分类为 {done.classification}。", "ok")
    return redirect(url_for("ledger.platform", platform_id=record.id))


@bp.post("/<platform_id>/merge")
@require("ledger.classify")
def merge_view(platform_id: str):
    """Fold another record of the same business into this one."""
    record = _to_change(platform_id, "合并该平台")
    user = current_user()
    assert user is not None
    key = (request.form.get("other") or "").strip()[:200]
    lg = ledger()
    other = lookup(lg, key)
    try:
        if other is None:
            raise LedgerError(f"没有这个平台：{key}")
        kept = merge(lg, record.id, other.id, user.name,
                     (request.form.get("reason") or "").strip()[:2000])
    except (LedgerError, ValueError) as exc:
        flash(str(exc), "error")
    else:
        flash(f"已将 {other.name} 合并入 {kept.name}。", "ok")
    return redirect(url_for("ledger.platform", platform_id=record.id))


@bp.post("/<platform_id>/split")
@require("ledger.classify")
def split_view(platform_id: str):
    """Undo a merge: the merged record `platform_id` lives again on its own."""
    record = ledger().get(platform_id[:40])
    if record is None or not record.merged_into:
        abort(404)
    kept = ledger().get(record.merged_into)
    if kept is None or not may_classify(kept):
        abort(403)
    user = current_user()
    assert user is not None
    try:
        _, restored = split(ledger(), record.id, user.name,
                            (request.form.get("reason") or "").strip()[:2000])
    except LedgerError as exc:
        flash(str(exc), "error")
        return redirect(url_for("ledger.platform", platform_id=kept.id))
    flash(f"已拆分，{restored.name} 恢复为独立平台。", "ok")
    return redirect(url_for("ledger.platform", platform_id=restored.id))
