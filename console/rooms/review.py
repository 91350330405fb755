"""The review queue (commerce, finance, opinion): findings waiting for a decision, and the
decisions themselves (confirm, dismiss with a reason, forward), one or many at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

import decisions
from findings import FindingQuery, FindingRecord
from findings.model import DECISIONS

from ..configfiles import departments
from ..context import current_user, services
from ..present import parse_local_date
from ..roles import default_scopes, reviewer, role_departments
from ..scope import BadScopeCursor, scoped_page
from ..security import require, safe_next

bp = Blueprint("review", __name__, url_prefix="/review")

PAGE_SIZE = 30
MAX_BULK = 200


@dataclass
class QueueFilters:
    scope: str = "mine"
    status: str = "new"
    rule: str = ""
    severity: str = ""
    target: str = ""
    domain: str = ""
    since: str = ""
    until: str = ""
    sort: str = "severity"
    cursor: str = ""

    @classmethod
    def from_args(cls, args: Any) -> QueueFilters:
        f = cls(**{k: (args.get(k) or "").strip()[:4000 if k == "cursor" else 200]
                   for k in cls.__dataclass_fields__ if args.get(k)})
        if f.sort not in ("severity", "newest"):
            f.sort = "severity"
        if f.scope not in ("mine", "all"):
            f.scope = "mine"
        return f

    def query(self) -> FindingQuery:
        q = FindingQuery(sort=self.sort, limit=PAGE_SIZE, cursor=self.cursor or None)
        if self.status != "all":
            q.statuses = [self.status]
        for attr, value in (("rules", self.rule), ("severities", self.severity),
                            ("targets", self.target), ("domains", self.domain)):
            if value:
                setattr(q, attr, [value])
        q.since = parse_local_date(self.since)
        q.until = parse_local_date(self.until, end_of_day=True)
        return q

    def args(self, **changes: str) -> dict[str, str]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if getattr(self, k)}
        data.pop("cursor", None)
        data.update({k: v for k, v in changes.items() if v})
        return data


def restricted_name_status(record: FindingRecord) -> list[FindingRecord]:
    """restricted_name findings on the operator: from the site's footer check (source
    site:HOST[:PORT], written by the crawler) and from enterprise records (enterprise:NAME)."""
    if not record.operator:
        return []
    sources = [f"enterprise:{record.operator}"]
    netloc = urlsplit(record.source).netloc if "://" in record.source else ""
    if netloc:
        sources.insert(0, f"site:{netloc}")
    found: dict[str, FindingRecord] = {}
    for source in sources:
        query = FindingQuery(rules=["restricted_name"], source=source, limit=5)
        found.update((f.id, f) for f in services().store.query_findings(query).items)
    return list(found.values())


@bp.get("")
@require("review")
def queue():  # type: ignore[no-untyped-def]
    user = current_user()
    assert user is not None
    filters = QueueFilters.from_args(request.args)
    scope = default_scopes(user.role) if filters.scope == "mine" else []
    query = filters.query()  # a bad date is the officer's typing error: 400, not a redirect
    try:
        page = scoped_page(services().store, query, scope)
    except (BadScopeCursor, ValueError):
        return redirect(url_for("review.queue", **filters.args()))
    forwarded_to_me = []
    mine = role_departments(services().settings, user.role)
    if not filters.cursor and user.role != "admin" and mine:
        # Findings other departments forwarded here.
        forwarded_to_me = services().store.query_findings(FindingQuery(
            statuses=["forwarded"], forwarded_to=list(mine), sort="newest", limit=20)).items
    return render_template("review/queue.html", page=page, filters=filters,
                           forwarded_to_me=forwarded_to_me, departments=departments(
                               services().settings), return_to=request.full_path)


@bp.get("/finding/<finding_id>")
@require("findings.read")
def finding(finding_id: str):  # type: ignore[no-untyped-def]
    store = services().store
    record = store.get_finding(finding_id[:64])
    if record is None:
        abort(404)
    page = store.get_page(record.page_id) if record.page_id else None
    return render_template("review/finding.html", f=record, page=page,
                           decisions=store.decisions(record.id),
                           operator_checks=restricted_name_status(record),
                           departments=departments(services().settings),
                           return_to=request.full_path)


@bp.post("/decide")
@require("review")
def decide():  # type: ignore[no-untyped-def]
    user = current_user()
    assert user is not None
    ids = [i[:64] for i in request.form.getlist("ids") if i][:MAX_BULK]
    decision = request.form.get("decision", "")
    note = (request.form.get("note") or "").strip()[:2000]
    to = (request.form.get("to") or "").strip() or None
    back = safe_next(request.form.get("next")) or url_for("review.queue")
    if not ids:
        flash("请先选择要处理的发现。", "error")
        return redirect(back)
    if decision not in DECISIONS:
        abort(400, description="未知的处理决定。")
    done, refused, unqueued = 0, [], 0
    for finding_id in ids:
        try:
            outcome = decisions.decide(services().settings, services().store,
                                       reviewer(services().settings, user.name, user.role),
                                       finding_id, decision, note=note, to=to)
        except decisions.BadDecision as exc:
            flash(f"{exc}。", "error")  # the same for every finding of the request
            return redirect(back)
        except decisions.DecisionError as exc:
            refused.append(str(exc))
            continue
        done += 1
        unqueued += bool(outcome.alert_error)
    labels = {"confirmed": "确认", "dismissed": "排除", "forwarded": f"转交{to}",
              "reopened": "重新打开"}
    if done:
        flash(f"已{labels[decision]} {done} 条发现。", "ok")
    if refused:
        flash(f"{len(refused)} 条发现未处理：{refused[0]}" + ("等。" if len(refused) > 1 else "。"),
              "error")
    if unqueued:
        flash(f"{unqueued} 条转交通知未能排队，请联系技术支持。", "error")
    return redirect(back)
