"""How things look in the console: Chinese labels, local times, highlighted evidence, safe links.

Every helper returns plain text (or text pieces); the templates escape it. Highlighting splits
the context into pieces and the template wraps the hit in <mark>, so no markup is ever inserted
into crawled text. Every value a template prints first loses its control, bidi and invisible
characters (`shown`, Jinja's finalize): crawled text cannot reverse the console's sentences or
disguise a domain. Words come from common.vocabulary, times are in the configured time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any

from flask import has_app_context

from common.text import clean, highlight_pieces
from common.timefmt import (
    DEFAULT_TIME_ZONE,
    MINUTES,
    SECONDS,
    configured_zone,
    day_end,
    day_start,
    format_local,
    parse_day,
    today,
    zone,
)
from common.vocabulary import (
    ALERT_STATUS_LABELS,
    DECISION_LABELS,
    FINDING_STATUS_LABELS,
    KIND_LABELS,
    RULE_NAMES,
    RUN_STATUS_LABELS,
    SEVERITY_LABELS,
    label,
)
from findings import FindingRecord

from .context import services

_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"'`]+$", re.IGNORECASE)


def console_zone() -> tzinfo:
    """The configured time zone (setting time_zone) of the console serving this request."""
    if has_app_context():
        return configured_zone(services().settings)
    return zone(DEFAULT_TIME_ZONE)


def safe_href(url: Any) -> str | None:
    """The URL if it may become a link (plain http or https, nothing a browser would strip or
    reinterpret), else None and the template shows it as text only."""
    if not isinstance(url, str) or len(url) > 4000 or clean(url) != url:
        return None
    return url if _SAFE_URL.match(url) else None


def local_time(value: datetime | None, with_seconds: bool = False) -> str:
    return format_local(value, console_zone(), SECONDS if with_seconds else MINUTES)


# Dates an officer can mean: earlier or later ones are typing errors or probes, and the far ends
# of the calendar overflow when shifted between time zones.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2199, 12, 31)


class BadDate(ValueError):
    """A date typed into a filter that is not a YYYY-MM-DD day in the range above; shown as 400."""


def check_day(day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadDate(f"日期超出范围（{EARLIEST_DAY} 至 {LATEST_DAY}）：{day.isoformat()}")


def typed_day(text: str | None) -> date | None:
    """A day typed into a filter: None for nothing, BadDate for anything not a YYYY-MM-DD day
    in range (the officer's typing error, answered with 400, never silently ignored)."""
    if not text or not text.strip():
        return None
    day = parse_day(text)
    if day is None:
        raise BadDate(f"日期格式应为 YYYY-MM-DD：{text.strip()[:20]}")
    check_day(day)
    return day


def parse_local_date(text: str | None, end_of_day: bool = False) -> datetime | None:
    """A YYYY-MM-DD date typed in the console (a day in the configured zone) as a UTC instant,
    None when empty; BadDate when invalid or out of range."""
    day = typed_day(text)
    if day is None:
        return None
    return (day_end if end_of_day else day_start)(day, console_zone())


def today_local() -> date:
    return today(console_zone())


def duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "—"
    seconds = max(0, int((end - start).total_seconds()))
    if seconds < 60:
        return f"{seconds} 秒"
    if seconds < 3600:
        return f"{seconds // 60} 分 {seconds % 60} 秒"
    return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分"


def highlight(finding: FindingRecord, limit: int = 600) -> list[tuple[str, bool]]:
    """The finding's context as (text, is_evidence) pieces, the evidence marked (see
    common.text.highlight_pieces: hostile offsets fall back to a search, then to no mark)."""
    return highlight_pieces(finding.context or "", finding.evidence or "",
                            finding.start - finding.context_start, limit // 2)


def sentiment_label(value: float | None) -> str:
    if value is None:
        return "—"
    if value <= -0.3:
        return f"负面 ({value:+.2f})"
    if value >= 0.3:
        return f"正面 ({value:+.2f})"
    return f"中性 ({value:+.2f})"


def shown(value: Any) -> Any:
    """Jinja's finalize: every {{ value }} a template prints loses control, bidi and invisible
    characters (crawled text, URLs, domains, operator names...) before it is escaped; line
    breaks stay for <pre> blocks. Markup the templates built themselves is left alone."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return clean(value, multiline=True)
    return value


def install_filters(env: Any) -> None:
    env.finalize = shown
    env.filters.update(
        localtime=local_time,
        rule_label=lambda r: label(RULE_NAMES, r),
        severity_label=lambda s: label(SEVERITY_LABELS, s),
        status_label=lambda s: label(FINDING_STATUS_LABELS, s),
        decision_label=lambda s: label(DECISION_LABELS, s),
        kind_label=lambda s: label(KIND_LABELS, s),
        run_status_label=lambda s: label(RUN_STATUS_LABELS, s),
        alert_status_label=lambda s: label(ALERT_STATUS_LABELS, s),
        sentiment_label=sentiment_label,
    )
    env.globals.update(safe_href=safe_href, highlight=highlight, duration=duration,
                       RULE_NAMES=RULE_NAMES, STATUS_NAMES=FINDING_STATUS_LABELS,
                       SEVERITY_NAMES=SEVERITY_LABELS)
