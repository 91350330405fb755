"""The public-opinion room: posts per platform over time, the current window, the spike alarms
that went out, the latest posts with their sentiment, and one platform's page."""

from __future__ import annotations

from datetime import timedelta

from alerts import check_spikes
from findings import FindingQuery, utcnow

from .conftest import Console, download_package, make_finding


def posts(console: Console, platform: str, n: int, minutes_ago: int = 5) -> None:
    console.add(*(make_finding("public_risk", kind="post", platform=platform,
                               evidence=f"{platform}提现困难{i}", sentiment=-0.8,
                               seen=utcnow() - timedelta(minutes=minutes_ago + i))
                  for i in range(n)))


def test_spike_shows_with_the_alarm_that_went_out(console_factory) -> None:
    console = console_factory(spike_min_posts=3, spike_factor=2.0)
    posts(console, "某某贷", 6)
    posts(console, "安稳宝", 1, minutes_ago=3 * 24 * 60)
    assert check_spikes(console.store, console.settings) == 1
    html = console.client("opinion").get("/opinion").get_data(as_text=True)
    assert "某某贷" in html and "安稳宝" in html
    spikes = html.split('id="spikes"')[1].split("</section>")[0]
    assert "某某贷" in spikes and "<td>6</td>" in spikes and "安稳宝" not in spikes
    assert "达到告警下限" in html                      # the current window
    assert "负面 (-0.80)" in html                        # sentiment of the latest posts
    assert "<polyline" in html and "某某贷（6）" in html  # the chart and its legend


def test_old_posts_found_today_count_when_they_were_written(console: Console) -> None:
    """Today's first patrol of a forum finds a post of two years ago and one of three days
    ago: neither is in the current window or today's bar; the chart has the recent one on its
    own day, and the post lists show when each post was written."""
    from common.timefmt import MINUTES, format_local, local_day, zone

    now = utcnow()
    found = now - timedelta(minutes=2)
    written = {"旧案贷跑路了": now - timedelta(days=730), "旧案贷提现困难": now - timedelta(days=3)}
    console.add(*(make_finding("public_risk", kind="post", platform="旧案贷", evidence=words,
                               sentiment=-0.8, seen=found, posted_at=at)
                  for words, at in written.items()))
    posts(console, "新案贷", 2)                       # found now, times unknown: counted now
    html = console.client("opinion").get("/opinion").get_data(as_text=True)
    window = html.split("当前窗口")[1].split("</section>")[0]
    assert "新案贷" in window and "旧案贷" not in window
    assert "旧案贷（1）" in html and "新案贷（2）" in html   # the chart: last 30 days only
    tz = zone(console.settings["time_zone"])
    days = console.store.count_findings(FindingQuery(platforms=["旧案贷"]), "day")
    assert days == {local_day(at, tz): 1 for at in written.values()}
    page = console.client("opinion").get("/opinion/platform?name=旧案贷").get_data(as_text=True)
    for at in written.values():
        assert format_local(at, tz, MINUTES) in html and format_local(at, tz, MINUTES) in page
    assert format_local(found, tz, MINUTES) not in page
    [oldest] = [f for f in console.store.query_findings(FindingQuery(platforms=["旧案贷"])).items
                if f.evidence == "旧案贷跑路了"]
    detail = console.client("opinion").get(f"/review/finding/{oldest.id}").get_data(as_text=True)
    assert "发帖时间" in detail and format_local(oldest.posted_at, tz, MINUTES) in detail


def test_platform_page_gathers_what_is_known(console: Console) -> None:
    posts(console, "某某贷", 2)
    console.add(make_finding("guaranteed_principal", evidence="某某贷保本保息", domain="mmd.example.invalid",
                             operator="清远某某贷网络科技有限公司"))
    console.page(url="http://127.0.0.1:9/mmd", title="某某贷官网", text="某某贷，稳健理财。")
    html = console.client("finance").get("/opinion/platform?name=某某贷").get_data(as_text=True)
    assert "mmd.example.invalid" in html and "清远某某贷网络科技有限公司" in html
    assert "某某贷保本保息" in html and "某某贷官网" in html and "提现困难" in html
    assert console.client("opinion").get("/opinion/platform").status_code == 404


def test_platform_case_package_holds_the_platforms_findings(console: Console, tmp_path) -> None:
    posts(console, "某某贷", 3)
    posts(console, "安稳宝", 1)
    client = console.client("finance")
    html = client.get("/opinion/platform?name=某某贷").get_data(as_text=True)
    assert "/platform-case.zip?name=" in html
    manifest = download_package(client, "/platform-case.zip", tmp_path, name="某某贷")["manifest"]
    assert len(manifest["findings"]) == 3 and manifest["selection"]["platform"] == "某某贷"
    assert {f["platform"] for f in manifest["findings"]} == {"某某贷"}
    assert client.get("/platform-case.zip", query_string={"name": "无此平台"}).status_code == 404
