"""One finding for a terminal: its facts, the evidence in context, evidence files, history."""

from __future__ import annotations

from datetime import datetime, tzinfo

from common.text import clean, locate
from common.timefmt import DEFAULT_TIME_ZONE, format_local, zone
from common.vocabulary import DECISION_LABELS, KIND_LABELS, SEVERITY_LABELS, label

from .export import status_label
from .model import Decision, FindingRecord, PageRecord

EVIDENCE_KINDS = {"warc": "WARC网页存档", "body": "网页原文", "screenshot": "截图", "headers": "响应头"}


def evidence_in_context(f: FindingRecord, color: bool = False) -> str:
    """The context with the evidence marked, located by its offsets when they fit."""
    context = f.context or ""
    start = locate(context, f.evidence or "", f.start - f.context_start)
    end = start + len(f.evidence or "")
    if start < 0:
        return f"【{clean(f.evidence)}】"
    mark_open, mark_close = ("\x1b[1;31m", "\x1b[0m") if color else ("【", "】")
    return (clean(context[:start]) + mark_open + clean(context[start:end]) + mark_close
            + clean(context[end:]))


def render_finding(f: FindingRecord, page: PageRecord | None, history: list[Decision],
                   color: bool = False, tz: tzinfo | None = None) -> str:
    zone_ = tz or zone(DEFAULT_TIME_ZONE)

    def local_time(value: datetime | None) -> str:
        return format_local(value, zone_, empty="")

    rows = [
        ("编号", f.id),
        ("规则", f"{f.rule_name or f.rule}（{f.rule}）"),
        ("严重程度", label(SEVERITY_LABELS, f.severity)),
        ("依据条款", f.clause),
        ("牵头部门", f.lead),
        ("状态", status_label(f)),
        ("来源", f.source),
        ("巡查对象", f.target),
        ("类型", label(KIND_LABELS, f.kind)),
    ]
    if f.annual_rate is not None:
        rows.append(("年化利率", f"{f.annual_rate:g}%"))
    if f.platform:
        rows.append(("涉及平台", f.platform))
    if f.operator:
        rows.append(("经营者", f.operator))
    if f.posted_at:
        rows.append(("发帖时间", local_time(f.posted_at)))
    rows += [
        ("采集时间", local_time(f.captured_at)),
        ("首次发现", local_time(f.first_seen)),
        ("最近发现", local_time(f.last_seen)),
    ]
    if f.gone_at:
        rows.append(("已从页面消失", local_time(f.gone_at)))
    if f.content_hash:
        rows.append(("页面内容哈希", f.content_hash))
    label_width = max(len(k) for k, _ in rows)
    lines = [f"{k}{'　' * (label_width - len(k))}：{clean(v)}" for k, v in rows]
    lines += ["", "证据（上下文）：", "  " + evidence_in_context(f, color)]
    lines += ["", "证据文件："]
    files = page.evidence if page else []
    if page:
        lines.append(f"  页面：{clean(page.title)} {clean(page.final_url or page.url)}")
    if not files:
        lines.append("  （无）")
    for e in files:
        kind = EVIDENCE_KINDS.get(e.get("kind", ""), e.get("kind", ""))
        where = f" 偏移 {e['offset']} 长度 {e.get('length')}" if e.get("offset") is not None else ""
        lines.append(f"  {clean(kind)}：{clean(e.get('path'))}{clean(where)}  "
                     f"sha256={clean(e.get('sha256'))}  {e.get('bytes', 0)} 字节")
    lines += ["", "审核记录："]
    if not history:
        lines.append("  （尚无审核）")
    for d in history:
        to = f" → {clean(d.to)}" if d.to else ""
        note = f"：{clean(d.note)}" if d.note else ""
        lines.append(f"  {local_time(d.at)}  {clean(d.by)}  "
                     f"{label(DECISION_LABELS, d.decision)}{to}{note}")
    return "\n".join(lines)
