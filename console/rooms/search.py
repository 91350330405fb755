"""Search (every role): Chinese full-text over stored pages and findings."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from findings import FindingQuery

from ..context import services
from ..security import require

bp = Blueprint("search", __name__, url_prefix="/search")

MAX_QUERY = 200


@bp.get("")
@require("search")
def index():
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    pages, findings, total = [], [], None
    if q:
        store = services().store
        result = store.query_findings(FindingQuery(text=q, sort="newest", limit=50))
        findings, total = result.items, result.total
        pages = store.search_pages(q, limit=20)
    return render_template("search/index.html", q=q, pages=pages, findings=findings,
                           total=total)
