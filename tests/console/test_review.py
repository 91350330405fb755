"""The review queue: each role's own findings, filters, order, decisions one by one or in bulk,
every decision in the audit log with the officer's name, and the finding's detail page."""

from __future__ import annotations

import re
from datetime import timedelta

from findings import FindingQuery, utcnow

from .conftest import Console, csrf_of, make_finding


def ids_on(html: str) -> list[str]:
    return re.findall(r'<article class="finding[^"]*" data-id="([0-9a-f]+)"', html)


def decide(client, ids: list[str], decision: str, **form: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/review")
    return client.post("/review/decide", data={"ids": ids, "decision": decision,
                                               "csrf_token": token, **form})


def test_each_role_sees_its_departments_findings_by_default(console: Console) -> None:
    ad = make_finding("promised_return", kind="ad")
    page = make_finding("promised_return", kind="page")
    name = make_finding("restricted_name", kind="enterprise", evidence="投资管理")
    housing = make_finding("real_estate_finance", evidence="首付贷")
    opinion = make_finding("public_risk", kind="post", evidence="提现困难", platform="某某贷")
    console.add(ad, page, name, housing, opinion)
    seen = {role: set(ids_on(console.client(role).get("/review").get_data(as_text=True)))
            for role in ("commerce", "finance", "opinion", "admin")}
    assert seen["commerce"] == {ad.id, name.id}
    assert seen["finance"] == {ad.id, page.id, housing.id}
    assert seen["opinion"] == {opinion.id}
    assert seen["admin"] == {ad.id, page.id, name.id, housing.id, opinion.id}
    everything = console.client("commerce").get("/review?scope=all").get_data(as_text=True)
    assert set(ids_on(everything)) == seen["admin"]


def test_support_has_no_review_queue(console: Console) -> None:
    finding = console.add(make_finding())[0]
    client = console.client("support")
    assert client.get("/review").status_code == 403
    assert decide(client, [finding.id], "confirmed").status_code == 403
    assert console.store.get_finding(finding.id).status == "new"


def test_queue_is_most_severe_then_newest_first_and_pages_without_loss(console: Console) -> None:
    now = utcnow()
    made = []
    for i in range(45):
        kind = "ad" if i % 3 == 0 else "enterprise"
        rule = "promised_return" if kind == "ad" else "restricted_name"
        if i % 9 == 0:
            rule = "restricted_name"   # in both parts of commerce's scope
        made.append(make_finding(rule, severity=("high", "medium", "low")[i % 3], kind=kind,
                                 seen=now - timedelta(minutes=i), evidence=f"证据{i}"))
    console.add(*made)
    client = console.client("commerce")
    url, shown = "/review", []
    while url:
        html = client.get(url).get_data(as_text=True)
        shown += ids_on(html)
        more = re.search(r'href="(/review\?[^"]*cursor=[^"]+)"', html)
        url = more.group(1).replace("&amp;", "&") if more else ""
    assert len(shown) == len(set(shown)) == 45
    rank = {"high": 0, "medium": 1, "low": 2}
    by_id = {f.id: f for f in made}
    keys = [(rank[by_id[i].severity], -by_id[i].last_seen.timestamp()) for i in shown]
    assert keys == sorted(keys)


def test_filters_by_rule_target_domain_date_and_severity(console: Console) -> None:
    now = utcnow()
    old = make_finding(seen=now - timedelta(days=10), target="old-site")
    mine = make_finding("guaranteed_principal", severity="medium", target="alpha",
                        domain="a.example.invalid", evidence="保本保息")
    other = make_finding("margin_financing", target="beta", domain="b.example.invalid",
                         evidence="配资炒股")
    console.add(old, mine, other)
    client = console.client("finance")

    def shown(query: str) -> set[str]:
        return set(ids_on(client.get("/review?" + query).get_data(as_text=True)))

    assert shown("rule=guaranteed_principal") == {mine.id}
    assert shown("target=beta") == {other.id}
    assert shown("domain=a.example.invalid") == {mine.id}
    assert shown("severity=medium") == {mine.id}
    day = (now - timedelta(days=10)).astimezone().date()
    assert old.id in shown(f"until={(day + timedelta(days=1)).isoformat()}")
    assert old.id not in shown(f"since={(now - timedelta(days=2)).date().isoformat()}")


def test_confirm_dismiss_forward_land_in_the_audit_log_with_the_name(console: Console) -> None:
    a, b, c = console.add(make_finding(), make_finding(), make_finding())
    client = console.client("finance")
    assert decide(client, [a.id], "confirmed").status_code == 302
    assert decide(client, [b.id], "dismissed", note="平台已关闭，页面为旧缓存").status_code == 302
    assert decide(client, [c.id], "forwarded", to="市公安局", note="涉嫌非法集资").status_code == 302
    store = console.store
    assert store.get_finding(a.id).status == "confirmed"
    assert store.get_finding(b.id).status == "dismissed"
    forwarded = store.get_finding(c.id)
    assert forwarded.status == "forwarded" and forwarded.forwarded_to == "市公安局"
    log = {f.id: store.decisions(f.id) for f in (a, b, c)}
    assert [(d.decision, d.by) for d in log[a.id]] == [("confirmed", "finance")]
    assert log[b.id][0].note == "平台已关闭，页面为旧缓存"
    assert (log[c.id][0].to, log[c.id][0].by) == ("市公安局", "finance")
    # Decided findings leave the waiting queue; the status filter still finds them.
    html = client.get("/review").get_data(as_text=True)
    assert not set(ids_on(html)) & {a.id, b.id, c.id}
    assert ids_on(client.get("/review?status=confirmed").get_data(as_text=True)) == [a.id]


def test_forward_queues_an_alert_for_the_department(console: Console) -> None:
    finding = console.add(make_finding("restricted_name", kind="enterprise", evidence="理财"))[0]
    client = console.client("commerce")
    decide(client, [finding.id], "forwarded", to="市金融局", note="请核查")
    alerts = console.store.list_alerts(kind="forward")
    assert alerts and all(finding.id in a.finding_ids for a in alerts)
    assert "commerce" in alerts[0].body


def test_dismissal_needs_a_reason_and_forward_a_department(console: Console) -> None:
    finding = console.add(make_finding())[0]
    client = console.client("finance")
    response = decide(client, [finding.id], "dismissed", note="  ")
    assert "排除需要填写理由" in client.get(response.headers["Location"]).get_data(as_text=True)
    decide(client, [finding.id], "forwarded", to="不存在的部门")
    assert decide(client, [finding.id], "approved").status_code == 400
    assert console.store.get_finding(finding.id).status == "new"
    assert console.store.decisions(finding.id) == []


def test_only_the_lead_or_receiving_department_decides(console: Console) -> None:
    finding, other = console.add(make_finding("promised_return"), make_finding("promised_return"))
    # Viewing stays wide: the opinion officer may open it, not decide on it.
    opinion = console.client("opinion")
    assert opinion.get(f"/review/finding/{finding.id}").status_code == 200
    response = decide(opinion, [finding.id], "dismissed", note="不是我们的")
    assert "无权处理" in opinion.get(response.headers["Location"]).get_data(as_text=True)
    assert decide(console.client("commerce"), [finding.id], "confirmed").status_code == 302
    assert console.store.get_finding(finding.id).status == "new"
    assert console.store.decisions(finding.id) == []
    # Forwarded to 市工商局: commerce may decide now; admin decides on anything.
    decide(console.client("finance"), [finding.id], "forwarded", to="市工商局", note="广告")
    decide(console.client("commerce"), [finding.id], "confirmed")
    decide(console.client("admin"), [other.id], "dismissed", note="重复")
    assert [d.by for d in console.store.decisions(finding.id)] == ["finance", "commerce"]
    assert console.store.get_finding(other.id).status == "dismissed"


def test_a_decided_finding_is_reopened_before_it_is_changed(console: Console) -> None:
    finding = console.add(make_finding())[0]
    client = console.client("finance")
    decide(client, [finding.id], "confirmed")
    response = decide(client, [finding.id], "dismissed", note="改判")
    assert "已处理" in client.get(response.headers["Location"]).get_data(as_text=True)
    decide(client, [finding.id], "reopened")
    decide(client, [finding.id], "dismissed", note="改判")
    assert [d.decision for d in console.store.decisions(finding.id)] == [
        "confirmed", "reopened", "dismissed"]


def test_several_findings_at_once(console: Console) -> None:
    made = console.add(*(make_finding() for _ in range(5)))
    client = console.client("finance")
    response = decide(client, [f.id for f in made[:4]], "dismissed", note="同一平台的重复页面")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已排除 4 条发现" in page
    statuses = [console.store.get_finding(f.id).status for f in made]
    assert statuses == ["dismissed"] * 4 + ["new"]


def test_forwarded_findings_show_in_the_receiving_departments_queue(console: Console) -> None:
    finding = console.add(make_finding("restricted_name", kind="enterprise", evidence="资产管理"))[0]
    decide(console.client("commerce"), [finding.id], "forwarded", to="市金融局")
    html = console.client("finance").get("/review").get_data(as_text=True)
    assert "转交本部门" in html and f"/review/finding/{finding.id}" in html


def test_finding_detail_shows_evidence_in_context_and_its_history(console: Console) -> None:
    operator = "清远某某资产管理有限公司"
    page = console.page(url="http://127.0.0.1:9/detail", title="某某理财", text="保本保息")
    finding = console.add(make_finding("guaranteed_principal", evidence="保本保息",
                                       prefix="本产品<b>承诺</b>", operator=operator,
                                       page_id=page.id, rule_name="保本保息/零风险"))[0]
    registration = console.add(make_finding("restricted_name", kind="enterprise",
                                            evidence="资产管理",
                                            source=f"enterprise:{operator}"))[0]
    client = console.client("finance")
    decide(client, [finding.id], "confirmed")
    html = client.get(f"/review/finding/{finding.id}").get_data(as_text=True)
    assert "本产品&lt;b&gt;承诺&lt;/b&gt;<mark>保本保息</mark>，欢迎咨询。" in html
    assert "保本保息/零风险" in html and "二(一)1" in html
    assert operator in html and f"/review/finding/{registration.id}" in html
    assert "finance" in html and "确认" in html                    # the decision history
    assert f"/pages/{page.id}" in html
    for label in ("首次发现", "最近发现"):
        assert label in html


def test_highlight_survives_offsets_that_do_not_match(console: Console) -> None:
    finding = make_finding(evidence="稳赚不赔")
    finding.start, finding.end = 9999, 10003          # a corrupted record
    console.add(finding)
    html = console.client("finance").get("/review").get_data(as_text=True)
    assert "<mark>稳赚不赔</mark>" in html


def test_gone_findings_show_when_they_went(console: Console) -> None:
    finding = console.add(make_finding(source="http://127.0.0.1:9/gone"))[0]
    console.store.mark_gone("http://127.0.0.1:9/gone", set(), utcnow())
    html = console.client("finance").get(f"/review/finding/{finding.id}").get_data(as_text=True)
    assert "已消失" in html
    assert console.store.query_findings(FindingQuery(source="http://127.0.0.1:9/gone")).items


def test_finding_detail_shows_the_sites_own_operator_check(console: Console) -> None:
    """The crawler checks a site's operator once and stores it under site:HOST:PORT."""
    operator = "清远鑫盈财富管理有限公司"
    finding = console.add(make_finding("promised_return", source="http://127.0.0.1:8702/a",
                                       operator=operator))[0]
    site_check = console.add(make_finding("restricted_name", kind="site", evidence="财富管理",
                                          source="site:127.0.0.1:8702", operator=operator))[0]
    other_site = console.add(make_finding("restricted_name", kind="site", evidence="理财",
                                          source="site:127.0.0.1:8703", operator="别家理财公司"))[0]
    html = console.client("finance").get(f"/review/finding/{finding.id}").get_data(as_text=True)
    assert f"/review/finding/{site_check.id}" in html
    assert f"/review/finding/{other_site.id}" not in html
