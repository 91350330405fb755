"""The public-opinion spike alarm: a burst of posts about one platform raises one alarm, to
市委宣传部 and 市网信办 (and 市委维稳办 on mass-incident words)."""

from __future__ import annotations

from datetime import timedelta

import alerts

from .conftest import NOW, make_finding


def post(platform: str, minutes_ago: float, text: str = "平台提现困难，客服失联", n: int = 0):
    return make_finding(rule="public_risk", severity="medium", evidence=text.split("，")[0],
                        context=text, kind="post", platform=platform,
                        source=f"http://127.0.0.1:9/bbs/{platform}/{minutes_ago}/{n}",
                        captured_at=NOW - timedelta(minutes=minutes_ago))


def channels(webhook):
    return {d: [{"type": "webhook", "url": f"{webhook.url}/{d}"}]
            for d in ("publicity_dept", "cyberspace_office", "stability_office")}


def spike_settings(alert_settings, webhook):
    return alert_settings(channels(webhook), spike_window_minutes=60, spike_min_posts=5,
                          spike_factor=3.0, spike_baseline_windows=24)


def test_a_burst_about_one_platform_raises_one_alarm(store, alert_settings, webhook) -> None:
    settings = spike_settings(alert_settings, webhook)
    history = [post("惠民贷", 60 * h + 30) for h in range(1, 7)]           # 1 post per window
    burst = [post("惠民贷", m, n=m) for m in range(1, 60, 5)]              # 12 in the last hour
    quiet = [post("安心宝", m) for m in (5, 15)]                            # another platform
    store.upsert_findings(history + burst + quiet)
    assert alerts.check_spikes(store, settings, now=NOW) == 1
    # Checked again and again while the burst goes on: still one alarm.
    more = [post("惠民贷", 0.5, n=100 + k) for k in range(5)]
    store.upsert_findings(more)
    for minutes in (0, 5, 30, 59):
        assert alerts.check_spikes(store, settings, now=NOW + timedelta(minutes=minutes)) == 0
    spikes = store.list_alerts(kind="spike")
    assert sorted(a.department for a in spikes) == ["cyberspace_office", "publicity_dept"]
    assert {a.payload["platform"] for a in spikes} == {"惠民贷"}
    assert spikes[0].payload["count"] == 12 and spikes[0].payload["baseline"] == 1.0
    alerts.send_due(store, settings, now=NOW)
    [req] = webhook.wait_for(1, "/publicity_dept")
    body = req.json()
    assert body["subject"] == "【舆情预警】惠民贷：近60分钟相关风险帖文 12 条"
    assert "此前平均每窗口 1.0 条" in body["text"] and "样本1：" in body["text"]
    assert "【平台提现困难】" in body["text"]
    assert len(webhook.wait_for(1, "/cyberspace_office")) == 1
    assert not [r for r in webhook.requests if r.path == "/stability_office"]


def test_mass_incident_words_also_reach_the_stability_office(store, alert_settings, webhook) -> None:
    settings = spike_settings(alert_settings, webhook)
    burst = [post("聚财网", m, n=m) for m in range(1, 7)]
    burst.append(post("聚财网", 2, "聚财网爆雷，已经建了维权群，明天去市政府聚集", n=99))
    store.upsert_findings(burst)
    assert alerts.check_spikes(store, settings, now=NOW) == 1
    spikes = store.list_alerts(kind="spike")
    assert sorted(a.department for a in spikes) == [
        "cyberspace_office", "publicity_dept", "stability_office"]
    assert spikes[0].payload["mass_incident_words"] == ["维权群", "聚集"]


def test_no_alarm_below_the_minimum_or_within_the_baseline(store, alert_settings, webhook) -> None:
    settings = spike_settings(alert_settings, webhook)
    newish = [post("新贷网", 60 + m, n=m) for m in range(0, 50, 10)]        # 5 an hour ago...
    newish += [post("新贷网", m, n=m) for m in range(1, 50, 8)]             # ...and 7 now
    few = [post("小额宝", m, n=m) for m in (1, 2, 3, 4)]                    # 4 < spike_min_posts
    steady = [post("大众贷", 60 * h + m, n=m) for h in range(1, 25) for m in (5, 20)]
    steady += [post("大众贷", m, n=m) for m in (7, 9, 11, 13, 15)]          # 5 now, 2 as usual
    store.upsert_findings(few + steady + newish)
    assert alerts.check_spikes(store, settings, now=NOW) == 0
    assert store.list_alerts(kind="spike") == []


def test_the_next_window_may_alarm_again(store, alert_settings, webhook) -> None:
    settings = spike_settings(alert_settings, webhook)
    store.upsert_findings([post("惠民贷", m, n=m) for m in range(1, 7)])
    assert alerts.check_spikes(store, settings, now=NOW) == 1
    later = NOW + timedelta(minutes=61)
    # Baseline now 6 (the first burst, over the one window it has been watched): 30 > 3 x 6.
    store.upsert_findings([post("惠民贷", -1 - m, n=1000 + m) for m in range(0, 60, 2)])
    assert alerts.check_spikes(store, settings, now=later) == 1
    assert len({a.payload["window_bucket"] for a in store.list_alerts(kind="spike")}) == 2


def test_positive_posts_make_no_spike(store, alert_settings, webhook) -> None:
    """A burst of praise (the founder pays investors back) is no alarm; the same burst of
    negative posts is."""
    settings = spike_settings(alert_settings, webhook)
    praise = [post("信和宝", m, "信和宝老板自掏腰包兑付，良心平台", n=m) for m in range(1, 40, 5)]
    for f in praise:
        f.sentiment = 0.6
    store.upsert_findings(praise)
    assert alerts.check_spikes(store, settings, now=NOW) == 0
    angry = [post("信和宝", m, n=100 + m) for m in range(1, 40, 5)]
    for f in angry:
        f.sentiment = -0.7
    store.upsert_findings(angry)
    assert alerts.check_spikes(store, settings, now=NOW) == 1


def first_patrol(platform: str, written: list[timedelta], found: timedelta) -> list:
    """The posts of a forum thread found `found` before NOW, each written `written[k]` before
    NOW (posted_at, as the store pipeline reads it from the post's time text)."""
    text = "平台提现困难，客服失联"
    return [make_finding(rule="public_risk", severity="medium", evidence="平台提现困难",
                         context=text, kind="post", platform=platform,
                         source=f"http://127.0.0.1:9/bbs/{platform}/thread-1.html#post-{k}",
                         captured_at=NOW - found, posted_at=NOW - ago)
            for k, ago in enumerate(written)]


def test_a_first_patrol_of_an_old_forum_raises_no_spike(store, alert_settings, webhook) -> None:
    """30 trouble posts written over two years, all found by today's first patrol: a story
    years old is no alarm to 市委宣传部 (those of the last day are baseline, older count
    nowhere), also when the forum is patrolled again an hour later."""
    settings = spike_settings(alert_settings, webhook)
    written = [timedelta(days=1 + 24 * k, hours=k % 5) for k in range(30)]   # 1 to 697 days
    store.upsert_findings(first_patrol("老牌贷", written, found=timedelta(minutes=3)))
    assert alerts.check_spikes(store, settings, now=NOW) == 0
    later = NOW + timedelta(minutes=61)
    again = first_patrol("老牌贷", written, found=timedelta(minutes=-61))
    assert store.upsert_findings(again) == [False] * 30   # the same posts, seen again
    assert alerts.check_spikes(store, settings, now=later) == 0
    assert store.list_alerts(kind="spike") == []


def test_posts_written_in_the_last_half_hour_still_raise_a_spike(store, alert_settings,
                                                                 webhook) -> None:
    """The same first patrol also finds 12 posts written in the last 30 minutes: a burst."""
    settings = spike_settings(alert_settings, webhook)
    written = [timedelta(days=1 + 24 * k) for k in range(30)]
    written += [timedelta(minutes=2.5 * k) for k in range(12)]              # 0 to 27.5 min
    store.upsert_findings(first_patrol("老牌贷", written, found=timedelta(minutes=1)))
    assert alerts.check_spikes(store, settings, now=NOW) == 1
    [spike, _] = store.list_alerts(kind="spike")
    assert spike.payload["platform"] == "老牌贷" and spike.payload["count"] == 12
    # the post of a day ago is the baseline, spread over the 23 windows since it was written
    assert spike.payload["baseline"] == 1 / 23


def test_posts_without_a_readable_time_count_when_first_seen(store, alert_settings,
                                                             webhook) -> None:
    """A forum whose post times cannot be read (posted_at None) is counted as before: by
    when its posts were first seen, so 30 of them found at once are a burst."""
    settings = spike_settings(alert_settings, webhook)
    store.upsert_findings([post("无时间贷", 3, n=k) for k in range(30)])
    assert alerts.check_spikes(store, settings, now=NOW) == 1
    assert store.list_alerts(kind="spike")[0].payload["count"] == 30
