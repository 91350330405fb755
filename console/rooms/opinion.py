"""Public-opinion watch (opinion; finance may look): public_risk posts per platform over time,
current spikes, the alarms that went out, the latest posts, and one platform's page.

Posts are counted by when they were written (FindingQuery.dated_since and the day counts go by
the finding's date: a post's posted_at when known, else first_seen), as the spike alarm
counts them: an old thread found by today's patrol is not today's bar or today's window."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, render_template, request

from common.timefmt import local, today
from findings import FindingQuery

from ..charts import line_chart
from ..configfiles import department_names
from ..context import services
from ..present import console_zone
from ..security import require

bp = Blueprint("opinion", __name__, url_prefix="/opinion")

RULE = "public_risk"
TOP_PLATFORMS = 6
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def day_axis(since: datetime, keys: set[str]) -> list[str]:
    """Every day from `since` to today when the store counts by ISO day, else its own keys."""
    if keys and not all(_DAY.match(k) for k in keys):
        return sorted(keys)
    tz = console_zone()
    start, end = local(since, tz).date(), today(tz)
    days = []
    while start <= end:
        days.append(start.isoformat())
        start += timedelta(days=1)
    return days


def platform_chart(platforms: list[str], since: datetime):
    store = services().store
    series = {p: store.count_findings(
        FindingQuery(rules=[RULE], platforms=[p], dated_since=since), by="day")
        for p in platforms}
    keys = {k for values in series.values() for k in values}
    return line_chart(day_axis(since, keys), series)


def _days() -> int:
    try:
        return min(max(int(request.args.get("days", 30)), 1), 365)
    except ValueError:
        return 30


@bp.get("")
@require("opinion")
def index():
    settings, store = services().settings, services().store
    days = _days()
    now = datetime.now(UTC)
    since = now - timedelta(days=days)
    by_platform = store.count_findings(FindingQuery(rules=[RULE], dated_since=since),
                                       by="platform")
    by_platform.pop("", None)
    top = [p for p, _ in sorted(by_platform.items(), key=lambda kv: (-kv[1], kv[0]))]
    window = settings["spike_window_minutes"]
    current = store.count_findings(
        FindingQuery(rules=[RULE], dated_since=now - timedelta(minutes=window)), by="platform")
    current.pop("", None)
    current_rows = sorted(current.items(), key=lambda kv: (-kv[1], kv[0]))
    latest = store.query_findings(FindingQuery(rules=[RULE], sort="newest", limit=30)).items
    return render_template(
        "opinion/index.html", days=days, chart=platform_chart(top[:TOP_PLATFORMS], since),
        platforms=sorted(by_platform.items(), key=lambda kv: (-kv[1], kv[0]))[:50],
        current=current_rows, window=window, min_posts=settings["spike_min_posts"],
        spikes=store.list_alerts(kind="spike", limit=30), latest=latest,
        dept_names=department_names(settings))


@bp.get("/platform")
@require("opinion")
def platform():
    name = (request.args.get("name") or "").strip()[:200]
    if not name:
        abort(404)
    store = services().store
    days = _days()
    since = datetime.now(UTC) - timedelta(days=days)
    posts = store.query_findings(
        FindingQuery(rules=[RULE], platforms=[name], sort="newest", limit=50)).items
    related = store.query_findings(FindingQuery(text=name, sort="severity", limit=100)).items
    others = [f for f in related if f.rule != RULE]
    sites = sorted({f.domain for f in related + posts if f.domain})
    operators = sorted({f.operator for f in related + posts if f.operator})
    pages = store.search_pages(name, limit=10)
    spikes = [a for a in store.list_alerts(kind="spike", limit=200)
              if str(a.payload.get("platform", "")) == name]
    return render_template("opinion/platform.html", name=name, days=days, posts=posts,
                           findings=others, sites=sites, operators=operators, pages=pages,
                           spikes=spikes, chart=platform_chart([name], since),
                           dept_names=department_names(services().settings))
