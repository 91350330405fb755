"""The ledger in the JSON API: platforms with their scores, products, classifications and
history, the classification decision, tips and the blacklist export. Token authentication as
the rest of the API (console/rooms/api.py); described in console/openapi_ledger.py."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, request

from findings.model import from_iso
from platforms import CLASSES, KINDS, PlatformQuery
from platforms.ledger import LedgerError, NotAllowed, classify
from platforms.tips import TIP_STATUSES

from ..context import services
from ..ledger_access import officer_departments
from ..present import parse_local_date
from .api import _limit, authenticate, need
from .ledger import ledger

bp = Blueprint("ledger_api", __name__, url_prefix="/api")
bp.before_request(authenticate)


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name, "")
    if value and value not in allowed:
        abort(400, description=f"{name}: expected one of {', '.join(allowed)}")
    return value


@bp.get("/platforms")
def list_platforms():
    need("ledger.read")
    raw = request.args.get("min_score", "")
    if raw and not raw.isdigit():
        abort(400, description="min_score: expected an integer")
    items = ledger().query(PlatformQuery(
        classification=_choice("class", CLASSES), kind=_choice("kind", KINDS),
        lead=request.args.get("lead", "")[:60], text=request.args.get("q", "")[:100],
        min_score=int(raw) if raw else None, limit=_limit(100)))
    return jsonify({"items": [p.to_dict() for p in items]})


def _platform_or_404(platform_id: str):
    record = ledger().get(platform_id[:40])
    if record is None:
        abort(404)
    return record


@bp.get("/platforms/<platform_id>")
def get_platform(platform_id: str):
    need("ledger.read")
    p = _platform_or_404(platform_id)
    lg = ledger()
    return jsonify({"platform": p.to_dict(),
                    "scores": [s.to_dict() for s in lg.scores(p.id, limit=_limit(30))],
                    "classifications": [c.to_dict() for c in lg.classifications(p.id)],
                    "products": [pr.to_dict() for pr in lg.products(p.id)],
                    "events": [e.to_dict() for e in lg.events(p.id)]})


@bp.post("/platforms/<platform_id>/classifications")
def add_classification(platform_id: str):
    need("ledger.classify")
    p = _platform_or_404(platform_id)
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="expected a JSON object")
    deadline = _deadline(body.get("deadline"))
    user = g.api_user
    departments = officer_departments(services().settings, user.role)
    try:
        done = classify(ledger(), p.id, str(body.get("classification", "")), by=user.name,
                        departments=departments, reason=str(body.get("reason") or ""),
                        deadline=deadline,
                        rectify_days=services().settings["ledger_rectify_days"])
    except NotAllowed as exc:
        abort(403, description=str(exc))
    except LedgerError as exc:
        abort(400, description=str(exc))
    return jsonify({"platform": done.to_dict(),
                    "classification": ledger().classifications(done.id)[-1].to_dict()}), 201


def _deadline(value: Any) -> datetime | None:
    """An ISO date (end of that day, China time) or date-time; 400 otherwise."""
    if not value:
        return None
    text = str(value)[:40]
    try:
        when = parse_local_date(text, end_of_day=True) if len(text) == 10 else from_iso(text)
    except ValueError:
        when = None
    if when is None:
        abort(400, description="deadline: expected an ISO-8601 date or time")
    return when


@bp.get("/tips")
def list_tips():
    need("tips.review")
    status = _choice("status", TIP_STATUSES)
    tips = ledger().list_tips(status, limit=_limit(100))
    return jsonify({"items": [{k: v for k, v in t.to_dict().items() if k != "addr_key"}
                              for t in tips]})


@bp.get("/blacklist")
def blacklist():
    """The blacklist export (schema patrol.blacklist), byte for byte what the command writes."""
    need("ledger.read")
    from platforms.exchange import export_json

    text, _ = export_json(ledger())
    json.loads(text)   # it is JSON by construction; fail loudly here rather than downstream
    return Response(text, mimetype="application/json")
