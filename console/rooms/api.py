"""The JSON API for other departments' systems: findings, decisions, patrol runs.

Authentication is by API token only (`Authorization: Bearer TOKEN`, from `patrol users token
NAME`); the session cookie is never read here, so the API needs no CSRF token and a browser
session cannot be ridden into it. The token's user has its role's permissions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, jsonify, request

import decisions
from findings import FindingQuery
from findings.model import from_iso

from ..context import services
from ..openapi import openapi_document
from ..present import BadDate, check_day, parse_local_date
from ..roles import allowed, reviewer

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_LIMIT = 500
LIST_PARAMS = {"rule": "rules", "severity": "severities", "status": "statuses", "lead": "leads",
               "domain": "domains", "target": "targets", "kind": "kinds",
               "platform": "platforms"}


@bp.before_request
def authenticate() -> None:
    g.api_user = None
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = services().users.user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401)
    g.api_user = user


def need(permission: str) -> None:
    if not allowed(g.api_user.role, permission):
        abort(403)


def _time(name: str, end_of_day: bool = False) -> datetime | None:
    text = request.args.get(name)
    if not text:
        return None
    try:
        if len(text) == 10:
            value = parse_local_date(text, end_of_day=end_of_day)
        else:
            value = from_iso(text)
            check_day(value.date())
    except BadDate as exc:
        abort(400, description=f"{name}: {exc}")
    except (ValueError, OverflowError):
        value = None
    if value is None:
        abort(400, description=f"{name}: expected an ISO-8601 date or time")
    return value


def _limit(default: int = 50) -> int:
    try:
        return max(1, min(int(request.args.get("limit", default)), MAX_LIMIT))
    except ValueError:
        abort(400, description="limit: expected an integer")


@bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document(services().settings["console_base_url"]))


@bp.get("/findings")
def list_findings():  # type: ignore[no-untyped-def]
    need("findings.read")
    query = FindingQuery(limit=_limit(), cursor=request.args.get("cursor") or None,
                         since=_time("since"), until=_time("until", end_of_day=True),
                         text=(request.args.get("q") or None),
                         source=request.args.get("source") or None)
    for param, attr in LIST_PARAMS.items():
        values = [v for v in request.args.getlist(param) if v]
        setattr(query, attr, values)
    sort = request.args.get("sort", "newest")
    if sort not in ("newest", "severity"):
        abort(400, description="sort: expected newest or severity")
    query.sort = sort
    try:
        page = services().store.query_findings(query)
    except ValueError:
        abort(400, description="cursor: invalid for this query")
    return jsonify({"items": [f.to_dict() for f in page.items], "next_cursor": page.next_cursor,
                    "total": page.total})


def _finding_or_404(finding_id: str):  # type: ignore[no-untyped-def]
    record = services().store.get_finding(finding_id[:64])
    if record is None:
        abort(404)
    return record


@bp.get("/findings/<finding_id>")
def get_finding(finding_id: str):  # type: ignore[no-untyped-def]
    need("findings.read")
    record = _finding_or_404(finding_id)
    decisions = services().store.decisions(record.id)
    return jsonify({"finding": record.to_dict(), "decisions": [d.to_dict() for d in decisions]})


@bp.get("/findings/<finding_id>/decisions")
def list_decisions(finding_id: str):  # type: ignore[no-untyped-def]
    need("findings.read")
    record = _finding_or_404(finding_id)
    return jsonify({"items": [d.to_dict() for d in services().store.decisions(record.id)]})


@bp.post("/findings/<finding_id>/decisions")
def add_decision(finding_id: str):  # type: ignore[no-untyped-def]
    need("review")
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    to = body.get("to")
    try:
        outcome = decisions.decide(services().settings, services().store,
                                   reviewer(services().settings, g.api_user.name, g.api_user.role), finding_id[:64],
                                   str(body.get("decision") or ""),
                                   note=str(body.get("note") or ""),
                                   to=to if isinstance(to, str) else None)
    except decisions.NotFound:
        abort(404)
    except decisions.BadDecision as exc:
        abort(400, description=str(exc))
    except decisions.NotAllowed as exc:
        abort(403, description=str(exc))
    except decisions.AlreadyDecided as exc:
        abort(409, description=str(exc))
    return jsonify({"decision": outcome.decision.to_dict(), "finding": outcome.finding.to_dict(),
                    "alert_queued": outcome.alert_queued}), 201


@bp.get("/runs")
def list_runs():  # type: ignore[no-untyped-def]
    need("patrols.read")  # the roles that see patrols in the console
    target = request.args.get("target") or None
    runs = services().store.list_runs(target=target, limit=_limit())
    return jsonify({"items": [r.to_dict() for r in runs]})


@bp.get("/runs/<run_id>")
def get_run(run_id: str):  # type: ignore[no-untyped-def]
    need("patrols.read")  # the roles that see patrols in the console
    run = services().store.get_run(run_id[:100])
    if run is None:
        abort(404)
    return jsonify(run.to_dict())
