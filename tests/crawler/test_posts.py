"""Posts, not pages (issue 12): a forum page gives one record per post, and a finding cites the
post that said it (author, time, text, thread URL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.posts import DEFAULT, MAX_POSTS, selectors_from, split_posts
from demo.server import start_sites, stop_sites
from findings import FindingQuery
from findings.open import open_store
from settings import ConfigError
from tests.crawler.conftest import run_patrol, write_targets

SELECTORS = {"item": "div.post", "text": ".content", "author": ".author", "time": "time",
             "id": "data-post-id"}
THREAD = """<html><body><h1>榕信通还能提现吗</h1>
<div class="post" data-post-id="a1"><span class="author">老张</span>
  <time datetime="2026-11-02T09:30:00+08:00">昨天</time><div class="content">榕信通提现困难两个月了，
  客服一直说排队。</div></div>
<div class="post" data-post-id="a2"><span class="author">小李</span><time>11-02 10:00</time>
  <div class="content">同问，<b>我的</b>也提不出来。</div></div>
<div class="post" data-post-id="bad id!"><span class="author">路人</span>
  <div class="content">顶一下</div></div>
<div class="post"><div class="content"></div></div>
</body></html>"""


def test_a_thread_splits_into_its_posts() -> None:
    posts = split_posts(THREAD, selectors_from(SELECTORS, "test"))
    assert [(p.post_id, p.author, p.time) for p in posts[:2]] == [
        ("a1", "老张", "2026-11-02T09:30:00+08:00"), ("a2", "小李", "11-02 10:00")]
    assert posts[0].text == "榕信通提现困难两个月了， 客服一直说排队。"
    assert posts[1].text == "同问， 我的 也提不出来。"
    # an id the page makes up badly is replaced by the position and a digest of the words
    assert posts[2].post_id.startswith("3-") and posts[2].author == "路人"
    assert len(posts) == 3  # the empty post is no record
    assert posts[0].anchor() == "post-a1"


def test_an_attribute_with_the_exact_time_wins_over_the_words() -> None:
    page = """<div class="post"><span class="time" data-time="1551414896">3天前</span>
      <div class="content">一</div></div>
    <div class="post"><span class="time" title="点击查看">2019-03-01 12:34</span>
      <div class="content">二</div></div>
    <div class="post"><span class="date" title="2019-3-1 12:34">7年前</span>
      <div class="content">三</div></div>"""
    assert [p.time for p in split_posts(page, DEFAULT)] == [
        "1551414896", "2019-03-01 12:34", "2019-3-1 12:34"]


def test_default_selectors_and_no_posts() -> None:
    assert [p.author for p in split_posts(THREAD, DEFAULT)][:2] == ["老张", "小李"]
    assert split_posts("<html><body><p>只是一篇文章</p></body></html>", DEFAULT) == []
    assert split_posts("<<<>>>\x00", DEFAULT) == []


def test_hostile_pages_are_capped(caplog: pytest.LogCaptureFixture) -> None:
    many = "".join(f'<div class="post"><div class="content">第{i}楼</div></div>'
                   for i in range(MAX_POSTS + 50))
    posts = split_posts(f"<html><body>{many}</body></html>", DEFAULT, "http://127.0.0.1/t")
    assert len(posts) == MAX_POSTS
    assert any("reading the first" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("posts", "key"), [
    ({"text": ".content"}, "posts.item"),
    ({"item": "div.post"}, "posts.text"),
    ({"item": "div[", "text": ".c"}, "posts.item"),
    ({"item": "div.post", "text": ".c", "colour": "red"}, "posts.colour"),
    ("div.post", "posts"),
])
def test_bad_selectors_are_refused(posts: Any, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        selectors_from(posts, "targets.yaml")
    assert key in str(err.value)


@pytest.fixture(scope="module")
def forum() -> Any:
    sites = start_sites(fixed_ports=False)
    try:
        yield next(s for s in sites if s.name == "forum")
    finally:
        stop_sites(sites)


def test_a_forum_patrol_stores_one_finding_per_post(forum: Any, tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "targets.yaml", [{
        "name": "forum", "start_urls": [forum.url], "kind": "forum", "depth": 1,
        "sitemaps": False, "render": "never", "posts": SELECTORS, "platform": "清盈贷"}])
    run = run_patrol(tmp_path, "--target", "forum", settings={"targets_file": str(targets)})
    assert run.returncode == 0, run.stderr[-2000:]
    with open_store(f"sqlite:///{run.store_path}") as store:
        found = store.query_findings(FindingQuery(rules=["public_risk"], limit=100)).items
    by_source = {f.source: f for f in found}
    assert len(by_source) == len(found) >= 5  # one finding per post, each its own source
    thread = forum.url + "thread-1.html"
    post = by_source[thread + "#post-t1p2"]
    assert post.platform == "清盈贷" and post.kind == "post"
    assert post.extra["post"]["author"] == "阿芳"
    # dated when it was written (the page says 3小时前), next to the raw time text
    assert post.extra["post"]["time"] == "3小时前"
    assert post.posted_at == post.captured_at - timedelta(hours=3)
    assert post.extra["post"]["posted_at"] == post.posted_at.isoformat()
    older = by_source[forum.url + "thread-2.html#post-t2p4"]
    assert older.posted_at == older.captured_at - timedelta(days=2)
    assert post.extra["thread_url"] == thread
    assert post.evidence in post.context and "血汗钱" in post.context
    # the hiking thread's theft reported to the police is no finding
    assert not [f for f in found if "thread-3" in f.source]


def test_a_target_names_its_platform_and_posts(tmp_path: Path) -> None:
    from crawler.targets import load_targets

    def load(**extra: Any) -> Any:
        path = write_targets(tmp_path / "targets.yaml", [{
            "name": "bbs", "start_urls": ["http://127.0.0.1:9/"], "kind": "forum", **extra}])
        return load_targets(path)["bbs"]

    t = load(platform="清盈贷", posts=SELECTORS)
    assert t.platform == "清盈贷" and t.posts == SELECTORS
    with pytest.raises(ConfigError, match="platform"):
        load(platform=5)
    with pytest.raises(ConfigError, match="item"):
        load(posts={"text": ".c"})
    with pytest.raises(ConfigError, match="not a CSS selector"):
        load(posts={"item": "div[", "text": ".c"})
