"""Messages: Chinese, evidence in context, and crawled text that cannot inject anything."""

from __future__ import annotations

import re

from alerts.messages import (
    Message,
    as_feishu_post,
    as_markdown,
    as_text,
    evidence_in_context,
    finding_message,
    truncate_utf8,
)

from .conftest import make_finding

HOSTILE = "保证年化18%[点此领取](http://evil.example.invalid)<font color=red>@all</font>\n# 通知\r\nBcc: x@evil.example.invalid\u202e"


def hostile_message() -> Message:
    f = make_finding(evidence=HOSTILE, context="前文" + HOSTILE + "后文", domain="a\r\nBcc: x",
                     source="javascript:alert(1)", platform="**惠民贷**")
    return finding_message(f, "市金融局", [], "http://127.0.0.1:8600", "Asia/Shanghai")


def test_markdown_carries_no_markup_from_crawled_text() -> None:
    md = as_markdown(hostile_message(), key="finding:x:finance_bureau:dingtalk")
    assert "](http://evil" not in md and "<font" not in md and "@all" not in md
    assert "\n# " not in md and "\r" not in md and "\u202e" not in md
    assert "［点此领取］（http://evil.example.invalid）" in md   # still readable
    # Our own link to the console is a real link; the javascript: source is not linked.
    links = re.findall(r"\]\(([^)]*)\)", md)
    assert links and all(u.startswith("http://127.0.0.1:8600/findings/") for u in links)


def test_text_and_subject_have_no_line_breaks_or_controls() -> None:
    msg = hostile_message()
    assert "\n" not in msg.subject and "\r" not in msg.subject
    for _label, text, url in msg.lines:
        assert not re.search(r"[\r\n\x00-\x1f\u202e]", text + url)
    text = as_text(msg)
    assert "Bcc: x@evil" in text and "\nBcc:" not in text


def test_feishu_links_only_http() -> None:
    post = as_feishu_post(hostile_message())
    hrefs = [el["href"] for row in post["zh_cn"]["content"] for el in row if el["tag"] == "a"]
    assert hrefs and all(h.startswith("http://127.0.0.1:8600/") for h in hrefs)


def test_evidence_marked_in_its_context_by_offsets() -> None:
    ctx = "理财产品保本保息，另一产品也保本保息，年化12%"
    f = make_finding(evidence="保本保息", context=ctx, context_start=100)
    f.start, f.end = 100 + 14, 100 + 18        # the second occurrence
    assert evidence_in_context(f) == "理财产品保本保息，另一产品也【保本保息】，年化12%"
    f.start = 5000                              # offsets that do not fit: first occurrence
    assert evidence_in_context(f).startswith("理财产品【保本保息】")


def test_truncation_keeps_valid_utf8_and_says_so() -> None:
    s = truncate_utf8("风险" * 5000, 4000)
    assert len(s.encode("utf-8")) <= 4000 and s.endswith("请在巡查控制台查看全文）")
