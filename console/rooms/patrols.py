"""Patrols (support): targets and schedules from config, recent patrol runs, run-now, run logs."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from findings import PatrolRun

from ..configfiles import departments, load_config_view
from ..context import services
from ..security import require
from .evidence import confined

log = logging.getLogger(__name__)

bp = Blueprint("patrols", __name__, url_prefix="/patrols")

LOG_TAIL = 256 * 1024


def log_file(run: PatrolRun) -> Path | None:
    """The run's log if it lies inside DATA_DIR/logs/ (the record may say otherwise: a record
    naming console/secret_key or any other file of the data home gets nothing)."""
    if not run.log_path:
        return None
    data_dir = services().settings.data_dir.resolve()
    raw = Path(run.log_path)
    if raw.is_absolute():
        try:
            rel = raw.resolve().relative_to(data_dir).as_posix()
        except (ValueError, OSError):
            return None
    else:
        rel = run.log_path
    return confined(data_dir, rel, "logs")


@bp.get("")
@require("patrols.read")
def index():
    settings, store = services().settings, services().store
    view = load_config_view(settings)
    runs = store.list_runs(limit=50)
    last_by_target: dict[str, PatrolRun] = {}
    for run in runs:
        last_by_target.setdefault(run.target, run)
    return render_template("patrols/index.html", view=view, runs=runs,
                           last_by_target=last_by_target,
                           departments=departments(settings))


@bp.post("/run")
@require("patrols.run")
def run_now():
    target = (request.form.get("target") or "").strip()
    known = {t.name for t in load_config_view(services().settings).targets}
    if target not in known:
        abort(404, description="没有这个巡查目标。")
    try:
        services().launch(services().settings, target)
    except (OSError, ValueError) as exc:
        log.exception("run now of %s failed to start", target)
        flash(f"无法启动巡查 {target}：{type(exc).__name__}", "error")
    else:
        flash(f"已开始巡查 {target}，几秒后在“最近巡查”中出现。", "ok")
    return redirect(url_for("patrols.index"))


@bp.get("/runs/<run_id>")
@require("patrols.read")
def run(run_id: str):
    record = services().store.get_run(run_id[:100])
    if record is None:
        abort(404)
    return render_template("patrols/run.html", run=record, has_log=log_file(record) is not None)


@bp.get("/runs/<run_id>/log")
@require("patrols.read")
def run_log(run_id: str):
    record = services().store.get_run(run_id[:100])
    path = log_file(record) if record else None
    if record is None or path is None:
        abort(404)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if size > LOG_TAIL:
            fh.seek(size - LOG_TAIL)
        text = fh.read().decode("utf-8", errors="replace")
    return render_template("patrols/log.html", run=record, text=text,
                           truncated=size > LOG_TAIL)


@bp.post("/test-alert")
@require("alerts.test")
def test_alert():
    department = (request.form.get("department") or "").strip()
    if department not in departments(services().settings):
        abort(404, description="没有这个部门。")
    from ..forwarding import send_test_message

    ok, detail = send_test_message(services(), department)
    if ok:
        flash(f"已向 {department} 发出测试消息。", "ok")
    else:
        flash(f"测试消息未能发出：{detail}", "error")
    return redirect(url_for("patrols.index"))
