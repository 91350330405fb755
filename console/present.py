"""How things look in the console: Chinese labels, local times, highlighted evidence, safe links.

Every helper returns plain text (or text pieces); the templates escape it. Highlighting splits
the context into pieces and the template wraps the hit in <mark>, so no markup is ever inserted
into crawled text.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from findings import FindingRecord
from settings.spec import RULE_NAMES

# China Standard Time has no daylight saving: a fixed offset needs no tz database.
CST = timezone(timedelta(hours=8), "CST")

SEVERITY_NAMES = {"high": "高", "medium": "中", "low": "低"}
STATUS_NAMES = {"new": "待审核", "confirmed": "已确认", "dismissed": "已排除",
                "forwarded": "已转交"}
DECISION_NAMES = {"confirmed": "确认", "dismissed": "排除", "forwarded": "转交"}
KIND_NAMES = {"ad": "广告", "page": "网页", "post": "帖子", "news": "新闻", "notice": "公告",
              "enterprise": "企业登记", "site": "网站", "image": "图片"}
RUN_STATUS_NAMES = {"running": "运行中", "ok": "完成", "failed": "失败", "timeout": "超时",
                    "interrupted": "中断"}
ALERT_STATUS_NAMES = {"pending": "待发送", "sent": "已发送", "dead": "发送失败"}

_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f<>\"'`]+$", re.IGNORECASE)


def safe_href(url: Any) -> str | None:
    """The URL if it may become a link (plain http or https, nothing a browser would strip or
    reinterpret), else None and the template shows it as text only."""
    if not isinstance(url, str) or len(url) > 4000:
        return None
    return url if _SAFE_URL.match(url) else None


def local_time(value: datetime | None, with_seconds: bool = False) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    fmt = "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M"
    return value.astimezone(CST).strftime(fmt)


def parse_local_date(text: str | None, end_of_day: bool = False) -> datetime | None:
    """A YYYY-MM-DD date typed in the console (China time) as a UTC instant, or None."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    start = datetime(day.year, day.month, day.day, tzinfo=CST)
    if end_of_day:
        start += timedelta(days=1) - timedelta(microseconds=1)
    return start.astimezone(UTC)


def today_local() -> date:
    return datetime.now(CST).date()


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
    """The finding's context as (text, is_evidence) pieces, the evidence marked.

    The offsets come from the analyzer; if they do not point at the evidence (a hostile or
    corrupted record), the evidence is searched in the context instead, and failing that the
    context is shown unmarked.
    """
    context = finding.context or ""
    evidence = finding.evidence or ""
    if not context:
        return [(evidence[:limit], True)] if evidence else []
    a = finding.start - finding.context_start
    b = finding.end - finding.context_start
    if not (0 <= a < b <= len(context) and context[a:b] == evidence):
        a = context.find(evidence) if evidence else -1
        b = a + len(evidence)
    if a < 0:
        return [(context[:limit], False)]
    pieces = [(context[max(0, a - limit // 2):a], False), (context[a:b], True),
              (context[b:b + limit // 2], False)]
    return [(text, hit) for text, hit in pieces if text]


def sentiment_label(value: float | None) -> str:
    if value is None:
        return "—"
    if value <= -0.3:
        return f"负面 ({value:+.2f})"
    if value >= 0.3:
        return f"正面 ({value:+.2f})"
    return f"中性 ({value:+.2f})"


def install_filters(env: Any) -> None:
    env.filters.update(
        localtime=local_time,
        rule_label=lambda r: RULE_NAMES.get(r, r),
        severity_label=lambda s: SEVERITY_NAMES.get(s, s),
        status_label=lambda s: STATUS_NAMES.get(s, s),
        decision_label=lambda s: DECISION_NAMES.get(s, s),
        kind_label=lambda s: KIND_NAMES.get(s, s),
        run_status_label=lambda s: RUN_STATUS_NAMES.get(s, s),
        alert_status_label=lambda s: ALERT_STATUS_NAMES.get(s, s),
        sentiment_label=sentiment_label,
    )
    env.globals.update(safe_href=safe_href, highlight=highlight, duration=duration,
                       RULE_NAMES=RULE_NAMES, STATUS_NAMES=STATUS_NAMES,
                       SEVERITY_NAMES=SEVERITY_NAMES)
