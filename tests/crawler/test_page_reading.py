"""Pure parts of the crawler: URL canonical forms, the frontier's caps, charsets, text
extraction and the render decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.charset import choose_encoding, normalize_label
from crawler.extract import extract
from crawler.frontier import Frontier
from crawler.render_detect import render_reason
from crawler.targets import adhoc_target, load_targets
from crawler.urls import canonical_url, path_pattern
from settings import ConfigError

SAMPLE = "保本保息，年化收益18%，稳赚不赔。清远某某投资管理有限公司版权所有。"


def test_canonical_url_drops_sessions_fragments_and_default_ports() -> None:
    base = canonical_url("http://Example.com:80/a/b.html?x=1&y=2")
    assert base == "http://example.com/a/b.html?x=1&y=2"
    for variant in ("http://example.com/a/b.html?y=2&x=1#top",
                    "http://example.com/a/b.html;jsessionid=ABC?x=1&y=2",
                    "http://example.com/a/b.html?x=1&PHPSESSID=zz&y=2&utm_source=wx",
                    "http://EXAMPLE.com./a/b.html?sid=9&x=1&y=2"):
        assert canonical_url(variant) == base


def test_path_pattern_folds_numbers_and_query_values() -> None:
    assert path_pattern("http://a.cn/calendar/2024/05/?day=3") == \
        path_pattern("http://a.cn/calendar/1999/12/?day=31")
    assert path_pattern("http://a.cn/item/123") != path_pattern("http://a.cn/news/123")
    assert path_pattern("http://a.cn/p?page=2") == path_pattern("http://a.cn/p?page=3")


def test_frontier_caps() -> None:
    f = Frontier(max_pages=5, max_per_host=4, max_per_pattern=2)
    assert f.admit("http://a.cn/p?page=1") is None
    assert f.admit("http://a.cn/p?page=1") == "duplicate"
    assert f.admit("http://a.cn/p?page=2") is None
    assert f.admit("http://a.cn/p?page=3") == "pattern_cap"
    assert f.admit("http://a.cn/x") is None and f.admit("http://a.cn/y") is None
    assert f.admit("http://a.cn/z") == "host_cap"
    assert f.admit("http://b.cn/z") is None
    assert f.admit("http://c.cn/z") == "page_limit"


@pytest.mark.parametrize("encoding, content_type, expected", [
    ("gbk", None, "gb18030"),
    ("gbk", "text/html; charset=gb2312", "gb18030"),
    ("gbk", "text/html; charset=utf-8", "gb18030"),      # a lying header
    ("utf-8", "text/html; charset=gbk", "utf-8"),         # lying the other way
    ("utf-8", None, "utf-8"),
    ("big5", None, "big5hkscs"),
])
def test_charset(encoding: str, content_type: str | None, expected: str) -> None:
    text = SAMPLE if encoding != "big5" else "穩賺不賠，零風險投資，網貸平台，首付貸。" * 4
    body = f"<html><body><p>{text}</p></body></html>".encode(encoding)
    chosen, _ = choose_encoding(body, content_type)
    assert chosen == expected
    assert text in body.decode(chosen)


def test_charset_labels() -> None:
    assert normalize_label("GB2312") == normalize_label("x-gbk") == "gb18030"
    assert normalize_label("no-such-charset") is None


def test_meta_charset_is_used() -> None:
    body = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">' \
           f"</head><body>{SAMPLE}</body></html>".encode("gbk")
    assert choose_encoding(body, "text/html") == ("gb18030", "meta")


def test_extract_keeps_furniture_alt_and_description() -> None:
    html = """<html><head><title>标题</title><meta name="description" content="年化18%">
    </head><body><div id="banner">注册送红包</div><main><p>保本</p><p>保息</p>
    <img src="a.png" alt="稳赚不赔"><a href="/next">下</a><a href="file:///etc/passwd">x</a>
    <iframe src="/inner"></iframe><link rel="next" href="?page=2"></main>
    <footer>版权所有 © 清远某某投资管理有限公司</footer></body></html>"""
    c = extract(html, "http://a.cn/list/")
    text = c.analysis_text()
    for part in ("标题", "年化18%", "注册送红包", "保本\n保息", "稳赚不赔", "清远某某投资管理有限公司"):
        assert part in text
    assert "保本保息" not in text          # blocks are never glued together
    assert c.footer_text.endswith("清远某某投资管理有限公司")
    assert c.links == ["http://a.cn/next"] and c.frames == ["http://a.cn/inner"]
    assert c.next_pages == ["http://a.cn/list/?page=2"] and c.bad_scheme_links == 1


def test_extract_survives_hostile_markup() -> None:
    assert extract("<div>" * 100_000, "http://a.cn/").main_text == ""
    assert extract("\x00\xff<<<>>>", "http://a.cn/").links == []
    assert extract("", "http://a.cn/").analysis_text() == ""


@pytest.mark.parametrize("html, reason", [
    ('<div id="app"></div><script src="/app.js"></script>', "empty_app"),
    ("<p>短</p><script src='/x.js'></script>", "little_text"),
    ("<p>" + "很长的正文" * 100 + "</p><script>fetch('/api').then(r => r.json()).then(d => "
     "{document.getElementById('x').innerHTML = d})</script>", "script_filled"),
    ("<p>" + "很长的正文" * 100 + "</p><script>var _hmt = _hmt || [];</script>", None),
    ("<p>" + "很长的正文" * 100 + "</p>", None),
])
def test_render_decision(html: str, reason: str | None) -> None:
    assert render_reason(html, extract(html, "http://a.cn/")) == reason


def test_targets_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("targets:\n  - name: a\n    start_urls: [http://a.cn/]\n    kind: ads\n"
                    "    render: always\n    tags: [x]\n", encoding="utf-8")
    (target,) = load_targets(path).values()
    assert target.analysis_kind == "ad" and target.render == "always"
    path.write_text("targets:\n  - name: a\n    start_urls: [file:///etc/passwd]\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError):
        load_targets(path)
    path.write_text("targets:\n  - name: a\n    start_urls: [http://a.cn/]\n    colour: red\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_targets(path)
    assert adhoc_target(["http://a.cn/x"]).name.startswith("adhoc-a.cn-")


def test_shipped_targets_file_is_valid() -> None:
    from settings import load_settings

    settings = load_settings(environ={})
    targets = load_targets(settings.path("targets_file"))
    assert targets and all(t.start_urls for t in targets.values())
