"""index.html of a case package: every finding with its evidence, for people, in Chinese.

Inert by construction: no script, no form, no external resource; a CSP meta forbids everything
but the package's own images and inline style; every crawled string is escaped and stripped of
control and direction characters (a right-to-left override must not disguise a domain). Crawled
URLs are shown as text, never as links.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from typing import Any

from common.text import clean
from common.timefmt import format_local, zone_label
from common.vocabulary import DECISION_LABELS, FINDING_STATUS_LABELS, SEVERITY_LABELS
from findings.model import from_iso

CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'none'; " \
      "base-uri 'none'"
STYLE = """body{font-family:sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.4em}h2{font-size:1.1em;border-top:1px solid #ccc;padding-top:1em}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;
vertical-align:top}mark{background:#ffe08a}img{max-width:100%;border:1px solid #ccc}
.note{color:#666;font-size:.9em}code{word-break:break-all}"""


def _t(value: Any) -> str:
    return escape(clean(value), quote=True)


def _when(value: Any, tz: tzinfo) -> str:
    try:
        dt = from_iso(value) if value else None
    except ValueError:
        return ""
    return escape(format_local(dt, tz, empty=""))


def _context(entry: dict[str, Any]) -> str:
    context, ev = entry.get("context") or "", entry.get("evidence") or ""
    at = context.find(ev) if ev else -1
    if at < 0:
        return _t(context or ev)
    return _t(context[:at]) + "<mark>" + _t(ev) + "</mark>" + _t(context[at + len(ev):])


def _capture(entry: dict[str, Any], tz: tzinfo) -> str:
    cap = entry.get("capture")
    if not cap:
        return "<p class=note>无网页存档（该发现不是来自网页抓取）。</p>"
    shot = cap.get("screenshot") or ""
    load = cap.get("screenshot_load") or {}
    rows = [
        ("抓取网址", f"<code>{_t(cap.get('target_uri'))}</code>"),
        ("抓取时间", _when(cap.get("warc_date", "").replace("Z", "+00:00"), tz)),
        ("HTTP 状态", _t(cap.get("status"))),
        ("正文 SHA-256", f"<code>{_t(cap.get('body_sha256'))}</code>"),
        ("存档位置", f"captures.warc.gz 偏移 {_t(cap.get('offset'))}，长度 {_t(cap.get('length'))}"),
        ("浏览器渲染", "是" if cap.get("rendered") else "否"),
    ]
    hops = cap.get("redirects") or []
    if hops:
        chain = "<br>".join(f"{_t(h.get('status'))} <code>{_t(h.get('url'))}</code> → "
                            f"<code>{_t(h.get('location'))}</code>" for h in hops)
        rows.insert(1, ("跳转经过", f"{chain}<br><span class=note>每次跳转的响应都另存于存档中，"
                                  f"位于该页面记录之前</span>"))
    html = "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"
    if shot:
        html += f'<p>截图：{_t(load.get("note", ""))}</p><img alt="截图" src="{_t(shot)}">'
    return html


def _decisions(entry: dict[str, Any], tz: tzinfo) -> str:
    items = entry.get("decisions") or []
    if not items:
        return "<p class=note>尚无审核记录。</p>"
    rows = "".join(
        f"<tr><td>{_when(d.get('at'), tz)}</td><td>{_t(d.get('by'))}</td>"
        f"<td>{_t(DECISION_LABELS.get(d.get('decision'), d.get('decision')))}"
        f"{' → ' + _t(d.get('to')) if d.get('to') else ''}</td><td>{_t(d.get('note'))}</td></tr>"
        for d in items)
    return ("<table><tr><th>时间</th><th>审核人</th><th>决定</th><th>说明</th></tr>"
            f"{rows}</table>")


def _tip(tip: dict[str, Any], tz: tzinfo) -> list[str]:
    """The tip a case was built for: the tipster's words as text, the URL never a link."""
    linked = tip.get("linked_platform") or {}
    handled = (f"{_t(tip.get('handled_by'))} {_when(tip.get('handled_at'), tz)}"
               if tip.get("handled_by") else "—")
    rows = [
        ("受理编号", f"<code>{_t(tip.get('receipt'))}</code>"),
        ("举报时间", _when(tip.get("at"), tz)),
        ("来源", _t(tip.get("source"))),
        ("平台名称", _t(tip.get("platform_name")) or "—"),
        ("网址（文本）", f"<code>{_t(tip.get('url'))}</code>" if tip.get("url") else "—"),
        ("关联平台", _t(linked.get("name")) or "—"),
        ("状态", _t(tip.get("status_label") or tip.get("status"))),
        ("处理人", handled),
        ("办结说明", _t(tip.get("note")) or "—"),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    contact = tip.get("contact") or ""
    return ["<h2>举报</h2>", f"<table>{table}</table>",
            f"<p>举报内容：</p><pre style=\"white-space:pre-wrap\">{escape(clean(tip.get('text'), multiline=True))}</pre>",
            f"<p class=note>{_t(contact)}</p>" if contact else ""]


def render_index(case_id: str, title: str, created: datetime, entries: list[dict[str, Any]],
                 captures: dict[Any, Any], tz: tzinfo, tip: dict[str, Any] | None = None
                 ) -> bytes:
    """The page; times in `tz` (the configured time zone); a tip's case shows the tip first."""
    parts = [
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>案件证据包 {_t(case_id)}</title><style>{STYLE}</style></head><body>",
        f"<h1>案件证据包：{_t(title)}</h1>",
        f"<p>编号 <code>{_t(case_id)}</code>，生成于 {escape(format_local(created, tz))}"
        f"（{escape(zone_label(tz))}，下同），"
        f"共 {len(entries)} 条发现、{len(captures)} 份网页存档。</p>",
        "<p class=note>本页只供阅读。核验：manifest.json 列出每个文件的 SHA-256；"
        "运行 <code>patrol evidence verify 本文件.zip</code> 逐一核对哈希、WARC 摘要和时间戳。"
        "网址均以文本显示，不可点击。</p>",
    ]
    if tip is not None:
        parts += _tip(tip, tz)
        if not entries:
            parts.append("<p class=note>该举报尚无巡查发现。</p>")
    for n, e in enumerate(entries, 1):
        parts += [
            f"<h2>{n}. {_t(e.get('rule_name') or e.get('rule'))}"
            f"（{_t(SEVERITY_LABELS.get(e.get('severity'), e.get('severity')))}）</h2>",
            "<table>",
            f"<tr><th>发现编号</th><td><code>{_t(e.get('id'))}</code></td></tr>",
            f"<tr><th>证据</th><td><mark>{_t(e.get('evidence'))}</mark></td></tr>",
            f"<tr><th>来源</th><td><code>{_t(e.get('url'))}</code></td></tr>",
            f"<tr><th>方案条款</th><td>{_t(e.get('clause'))}</td></tr>",
            f"<tr><th>牵头部门</th><td>{_t(e.get('lead'))}</td></tr>",
            f"<tr><th>状态</th><td>{_t(FINDING_STATUS_LABELS.get(e.get('status'), e.get('status')))}"
            f"{'（' + _t(e.get('forwarded_to')) + '）' if e.get('forwarded_to') else ''}</td></tr>",
            f"<tr><th>首次发现</th><td>{_when(e.get('first_seen'), tz)}</td></tr>",
            f"<tr><th>最近发现</th><td>{_when(e.get('last_seen'), tz)}</td></tr>",
            "</table>",
            f"<p>证据（上下文）：{_context(e)}</p>",
            _capture(e, tz),
            "<h3>审核记录（保管链）</h3>", _decisions(e, tz),
        ]
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")
