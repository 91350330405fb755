"""Alert messages in Simplified Chinese, built once and rendered per channel.

A message is a subject plus labelled lines (label, text, optional link). It is stored with the
alert (payload["message"]) so that every channel renders the same content its own way: plain
text for email and generic webhooks, Markdown for DingTalk/WeCom robots, a "post" for Feishu.
Crawled text is attacker-controlled: control characters are stripped everywhere, and in
Markdown every character with meaning is replaced by its full-width look-alike, so that a page
cannot inject links, headings or @-mentions into a robot message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from common.text import clean as clean_text
from common.text import marked
from common.timefmt import SECONDS, format_local, zone
from common.vocabulary import KIND_LABELS, RULE_NAMES, SEVERITY_LABELS, SEVERITY_ORDER
from common.vocabulary import label as label_of
from findings import FindingRecord

SYSTEM_NAME = "清远市网络金融风险巡查系统"
TRUNCATED = "……（内容过长已截断，请在巡查控制台查看全文）"

_MD_SPECIAL = str.maketrans({
    "*": "＊", "_": "＿", "[": "［", "]": "］", "(": "（", ")": "）", "#": "＃", "`": "｀",
    "<": "＜", ">": "＞", "|": "｜", "~": "～", "!": "！", "@": "＠", "\\": "＼", "$": "＄",
    "&": "＆",
})


def clean(text: object, limit: int = 300) -> str:
    """One line of display text: no control, bidi or invisible characters, bounded."""
    return clean_text(text, limit)


@dataclass
class Message:
    subject: str
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (label, text, url)

    def add(self, label: str, text: object = "", url: str = "", limit: int = 300) -> Message:
        self.lines.append((label, clean(text, limit), clean(url, 2000)))
        return self

    def to_payload(self) -> dict[str, Any]:
        return {"subject": self.subject, "lines": [list(line) for line in self.lines]}

    @classmethod
    def from_payload(cls, data: dict[str, Any] | None, subject: str, body: str) -> Message:
        """The stored message, or (for alerts written without one) the plain body as lines."""
        if isinstance(data, dict) and isinstance(data.get("lines"), list):
            lines = [tuple(str(x) for x in (list(line) + ["", "", ""])[:3])
                     for line in data["lines"] if isinstance(line, list)]
            return cls(str(data.get("subject") or subject), lines)  # type: ignore[arg-type]
        return cls(subject, [("", clean(line, 2000), "") for line in body.splitlines()])


# -- rendering ----------------------------------------------------------------------------------

def as_text(msg: Message, key: str = "") -> str:
    out = []
    for label, text, url in msg.lines:
        value = text if not url or url == text else (f"{text} {url}" if text else url)
        out.append(f"{label}：{value}" if label else value)
    if key:
        out.append(f"提醒编号：{key}")
    out.append(f"—— {SYSTEM_NAME}")
    return "\n".join(out)


def md_escape(text: str) -> str:
    return text.translate(_MD_SPECIAL)


def safe_link(url: str) -> str | None:
    """A URL fit for a Markdown link target, or None (non-http schemes are not linked)."""
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return None
    return quote(url, safe=":/?#=&%+,;~.-_!*'@[]$")


def as_markdown(msg: Message, key: str = "", line_break: str = "\n\n") -> str:
    out = [f"#### {md_escape(msg.subject)}"]
    for label, text, url in msg.lines:
        link = safe_link(url) if url else None
        if link:
            shown = md_escape(text or url)
            value = f"[{shown}]({link})"
        else:
            value = md_escape(text if not url or url == text else f"{text} {url}".strip())
        out.append(f"**{md_escape(label)}**：{value}" if label else value)
    if key:
        out.append(f"提醒编号：{md_escape(key)}")
    return line_break.join(out)


def as_feishu_post(msg: Message, key: str = "") -> dict[str, Any]:
    """Feishu "post" rich text: structured elements, so no escaping is needed."""
    content: list[list[dict[str, str]]] = []
    for label, text, url in msg.lines:
        row: list[dict[str, str]] = []
        prefix = f"{label}：" if label else ""
        if url and safe_link(url):
            if prefix:
                row.append({"tag": "text", "text": prefix})
            row.append({"tag": "a", "text": text or url, "href": url})
        else:
            row.append({"tag": "text", "text": prefix + (text or url)})
        content.append(row)
    if key:
        content.append([{"tag": "text", "text": f"提醒编号：{key}"}])
    return {"zh_cn": {"title": msg.subject, "content": content}}


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut `text` to at most max_bytes of UTF-8 (robots reject longer messages)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    room = max_bytes - len(TRUNCATED.encode("utf-8"))
    return data[:max(room, 0)].decode("utf-8", "ignore") + TRUNCATED


# -- building -----------------------------------------------------------------------------------

def local_time(value: datetime | None, tz_name: str) -> str:
    return format_local(value, zone(tz_name), SECONDS, empty="未知", with_zone=True)


def console_link(base_url: str, finding_id: str) -> str:
    return f"{base_url.rstrip('/')}/findings/{finding_id}"


def rule_name(finding: FindingRecord) -> str:
    return clean(finding.rule_name or RULE_NAMES.get(finding.rule, finding.rule), 60)


def evidence_in_context(finding: FindingRecord, around: int = 80) -> str:
    """The context with the evidence marked 【like this】, cut to `around` characters each side."""
    return marked(finding.context or "", finding.evidence or "",
                  finding.start - finding.context_start, around)


def finding_message(finding: FindingRecord, department: str, others: list[str],
                    console_base_url: str, tz_name: str) -> Message:
    """The immediate alert about one (high-severity) finding, for one department."""
    sev = label_of(SEVERITY_LABELS, finding.severity)
    where = clean(finding.domain or finding.source, 80)
    msg = Message(f"【{sev}风险】{rule_name(finding)}：{where}")
    msg.add("规则", f"{rule_name(finding)}（{finding.rule}）")
    msg.add("风险等级", sev)
    msg.add("证据", finding.evidence, limit=200)
    msg.add("上下文", evidence_in_context(finding), limit=400)
    if finding.annual_rate is not None:
        msg.add("折算年化收益率", f"{finding.annual_rate:g}%")
    if finding.platform:
        msg.add("涉及平台", finding.platform, limit=80)
    if finding.operator:
        msg.add("经营者", finding.operator, limit=80)
    msg.add("来源", finding.source, url=finding.source if finding.source.startswith("http") else "")
    msg.add("来源类型", label_of(KIND_LABELS, finding.kind))
    msg.add("整治方案条款", finding.clause or "—")
    msg.add("牵头部门", finding.lead or "—")
    msg.add("本提醒发送至", department)
    if others:
        msg.add("同时通知", "、".join(others))
    msg.add("发现时间", local_time(finding.captured_at, tz_name))
    link = console_link(console_base_url, finding.id)
    msg.add("在控制台查看", link, url=link)
    return msg


def digest_item(finding: FindingRecord, console_base_url: str) -> dict[str, Any]:
    """What a digest needs to know of one finding (kept in the outbox with the pending item)."""
    return {
        "finding_id": finding.id, "rule": finding.rule, "rule_name": rule_name(finding),
        "severity": finding.severity, "evidence": clean(finding.evidence, 120),
        "source": clean(finding.source, 300), "link": console_link(console_base_url, finding.id),
        "captured_at": finding.captured_at.isoformat() if finding.captured_at else None,
    }


def digest_message(department: str, items: list[dict[str, Any]], since: datetime | None,
                   until: datetime, tz_name: str, top: int = 10) -> Message:
    """Non-urgent findings of one department since its last digest: counts per rule, top items."""
    msg = Message(f"【巡查汇总】{department}：新增中低风险线索 {len(items)} 条")
    msg.add("统计时段", f"{local_time(since, tz_name) if since else '上次汇总以来'} 至 "
                    f"{local_time(until, tz_name)}")
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for item in items:
        per = counts.setdefault(item["rule"], {"high": 0, "medium": 0, "low": 0})
        per[item["severity"]] = per.get(item["severity"], 0) + 1
        names[item["rule"]] = item.get("rule_name") or RULE_NAMES.get(item["rule"], item["rule"])
    for rule, per in sorted(counts.items(), key=lambda kv: -sum(kv[1].values())):
        detail = "，".join(f"{label_of(SEVERITY_LABELS, s)} {n}" for s, n in per.items() if n)
        msg.add(names[rule], f"{sum(per.values())} 条（{detail}）")
    # Most severe first, newest first within a severity (two stable sorts).
    ranked = sorted(items, key=lambda it: str(it.get("captured_at") or ""), reverse=True)
    ranked = sorted(ranked, key=lambda it: SEVERITY_ORDER.get(it["severity"], 3))
    for n, item in enumerate(ranked[:top], 1):
        sev = label_of(SEVERITY_LABELS, item["severity"])
        msg.add(f"{n}", f"[{sev}] {item.get('rule_name', '')}：“{item.get('evidence', '')}” "
                        f"— {item.get('source', '')}", url=item.get("link", ""))
    if len(items) > top:
        msg.add("其余", f"另有 {len(items) - top} 条，请在巡查控制台查看")
    return msg


def spike_message(platform: str, count: int, baseline: float, window_minutes: int,
                  samples: list[FindingRecord], mass_words: list[str], console_base_url: str,
                  tz_name: str, until: datetime) -> Message:
    msg = Message(f"【舆情预警】{clean(platform, 60)}：近{window_minutes}分钟相关风险帖文 {count} 条")
    msg.add("涉及平台", platform, limit=80)
    msg.add("统计窗口", f"截至 {local_time(until, tz_name)} 的 {window_minutes} 分钟")
    msg.add("窗口内帖文数", f"{count} 条（此前平均每窗口 {baseline:.1f} 条）")
    if mass_words:
        msg.add("群体性事件迹象", "、".join(mass_words))
    msg.add("规则", "舆情风险（public_risk），整治方案 三(七)、四(三)")
    for n, f in enumerate(samples, 1):
        link = console_link(console_base_url, f.id)
        msg.add(f"样本{n}", f"{evidence_in_context(f, around=50)} — {f.source}", url=link,
                limit=260)
    return msg


def support_message(subject: str, body: str) -> Message:
    msg = Message(f"【系统运维】{clean(subject, 120)}")
    for line in body.splitlines():
        if line.strip():
            msg.add("", line, limit=1000)
    return msg


def test_message(department: str, channel: str, when: datetime, tz_name: str) -> Message:
    msg = Message(f"【测试消息】{department}")
    msg.add("说明", "这是巡查系统发出的测试消息，收到即表示该渠道配置正确，无需处理。")
    msg.add("接收部门", department)
    msg.add("渠道", channel)
    msg.add("发送时间", local_time(when, tz_name))
    return msg
