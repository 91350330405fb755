"""The ledger's alert: a platform classified 整改 whose deadline passed still shows findings
after it was patrolled again, so its lead department hears of it. Takes plain values (this
package imports the store, never the ledger or the crawler)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from findings import Store, utcnow
from settings import Settings

from .departments import load_directory
from .messages import Message, clean, local_time
from .outbox import enqueue_for_department, key_part


def queue_overdue_rectification(store: Store, settings: Settings, *, platform_id: str,
                                name: str, lead: str, deadline: datetime, score: int,
                                reasons: list[str], finding_ids: list[str],
                                now: datetime | None = None) -> int:
    """Tell the lead department (id or Chinese name) once per platform and deadline; returns
    alerts written (0 when it was told before). KeyError for an unknown department."""
    directory = load_directory(settings)
    dept = directory.get(lead)
    if dept is None:
        raise KeyError(f"unknown department {lead!r}")
    tz = settings["time_zone"]
    msg = Message(f"【整改逾期】{clean(name, 60)}：整改期限已过，复查仍有 {len(finding_ids)} 条在案发现")
    msg.add("平台", name, limit=80)
    msg.add("整改期限", local_time(deadline, tz))
    msg.add("复查结果", f"风险评分 {score}，在案发现 {len(finding_ids)} 条")
    for n, reason in enumerate(reasons[:5], 1):
        msg.add(f"理由{n}", reason, limit=200)
    base = str(settings["console_base_url"]).rstrip("/")
    msg.add("台账", "在控制台查看该平台", url=f"{base}/platforms/{quote(platform_id)}")
    msg.add("依据", "整治方案 五(二) 清理整顿：整改类平台限期整改，逾期未改的由牵头部门处置")
    key = f"rectification:{key_part(platform_id)}:{deadline.strftime('%Y%m%dT%H%M%S')}:{dept.id}"
    payload = {"severity": "high", "platform_id": platform_id, "platform": name}
    return enqueue_for_department(store, "rectification", key, dept, msg, now or utcnow(),
                                  payload, finding_ids[:50])
