"""Reports (every role): counts by rule, department, status and week over a date range, with
charts, a printable page and an XLSX export."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from common.vocabulary import FINDING_STATUS_LABELS, RULE_NAMES

from ..charts import bar_chart
from ..context import services
from ..report_data import DIMENSIONS, PRESETS, ReportRange, build_report
from ..security import require
from ..xlsx_report import report_xlsx

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _charts(report):  # type: ignore[no-untyped-def]
    labels = {"rule": RULE_NAMES, "status": FINDING_STATUS_LABELS}
    charts = {}
    for dim in DIMENSIONS:
        counts = report.counts.get(dim, {})
        names = labels.get(dim, {})
        if dim == "week":
            charts[dim] = bar_chart(dict(sorted(counts.items())[-26:]), label_width=110,
                                    keep_order=True)
        else:
            charts[dim] = bar_chart({names.get(k, k) or "（未填）": v for k, v in counts.items()})
    return charts


def _render(template: str):  # type: ignore[no-untyped-def]
    rng = ReportRange.from_args(request.args)
    report = build_report(services().store, rng)
    return render_template(template, report=report, rng=rng, charts=_charts(report),
                           dimensions=DIMENSIONS, presets=PRESETS)


@bp.get("")
@require("reports")
def index():  # type: ignore[no-untyped-def]
    return _render("reports/index.html")


@bp.get("/print")
@require("reports")
def printable():  # type: ignore[no-untyped-def]
    return _render("reports/print.html")


@bp.get("/export.xlsx")
@require("reports")
def export():  # type: ignore[no-untyped-def]
    rng = ReportRange.from_args(request.args)
    store = services().store
    data = report_xlsx(store, build_report(store, rng), rng)
    name = f"patrol-report-{rng.since}-{rng.until}.xlsx"
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
