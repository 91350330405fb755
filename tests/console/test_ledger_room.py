"""The 平台台账 room: filters, a platform's page, the classify form with CSRF and the
lead-department check, escaped output."""

from __future__ import annotations

from platforms import open_ledger
from platforms.ledger import register
from platforms.score import ScoreSettings, rescore

from .conftest import CSRF_RE, download_package, make_finding


def _platforms(console):
    with open_ledger(console.settings) as ledger:
        jcb, _ = register(ledger, name="聚财宝", by="t", source="manual", kind="P2P网贷",
                          domains=["jucai.example.test"], operator="<script>alert(1)</script>公司")
        ytf, _ = register(ledger, name="粤通付", by="t", source="manual", kind="第三方支付",
                          domains=["ytf.example.test"])
        console.add(make_finding(source="http://jucai.example.test/p/1", domain="jucai.example.test",
                                 annual_rate=18.0),
                    make_finding(evidence="保本保息", rule="guaranteed_principal",
                                 source="http://jucai.example.test/p/2", domain="jucai.example.test"))
        rescore(ledger, console.store, jcb, ScoreSettings.from_settings(console.settings))
    return jcb, ytf


def test_list_filters_and_escapes(console) -> None:
    jcb, ytf = _platforms(console)
    client = console.client("finance")
    html = client.get("/platforms").get_data(as_text=True)
    assert "平台台账" in html and "聚财宝" in html and "粤通付" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    only = client.get("/platforms?kind=第三方支付").get_data(as_text=True)
    assert "粤通付" in only and "聚财宝" not in only
    scored = client.get("/platforms?min_score=30").get_data(as_text=True)
    assert "聚财宝" in scored and "粤通付" not in scored
    assert console.client("support").get("/platforms").status_code == 403


def test_platform_page_shows_reasons_and_findings(console) -> None:
    jcb, _ = _platforms(console)
    html = console.client("finance").get(f"/platforms/{jcb.id}").get_data(as_text=True)
    assert "风险评分 61" in html and "系统建议：取缔" in html
    assert "宣称年化收益最高 18.0%" in html and "保本保息" in html
    assert "产品收益偏离指数 12.0 个百分点（参考利率 6%" in html
    assert 'id="products"' in html and "18.00%" in html
    assert 'name="classification"' in html


def test_classify_form_checks_department_and_csrf(console) -> None:
    jcb, ytf = _platforms(console)
    commerce = console.client("commerce")
    page = commerce.get(f"/platforms/{jcb.id}").get_data(as_text=True)
    assert 'name="classification"' not in page and "只有牵头部门（清远银监分局）" in page
    token = CSRF_RE.search(page).group(1)
    refused = commerce.post(f"/platforms/{jcb.id}/classify",
                            data={"classification": "取缔", "reason": "x", "csrf_token": token})
    assert refused.status_code == 403
    finance = console.client("finance")
    token = CSRF_RE.search(finance.get(f"/platforms/{jcb.id}").get_data(as_text=True)).group(1)
    no_csrf = finance.post(f"/platforms/{jcb.id}/classify",
                           data={"classification": "取缔", "reason": "x"})
    assert no_csrf.status_code == 400
    empty = finance.post(f"/platforms/{jcb.id}/classify", follow_redirects=True,
                         data={"classification": "取缔", "reason": " ", "csrf_token": token})
    assert "分类需要填写理由" in empty.get_data(as_text=True)
    done = finance.post(f"/platforms/{jcb.id}/classify", follow_redirects=True,
                        data={"classification": "整改", "reason": "限期<b>整改</b>",
                              "deadline": "2099-01-31", "csrf_token": token})
    html = done.get_data(as_text=True)
    assert "已将 聚财宝 分类为 整改" in html and "整改期限 2099-01-31 23:59" in html
    assert "限期&lt;b&gt;整改&lt;/b&gt;" in html and "finance" in html
    with open_ledger(console.settings) as ledger:
        [decision] = ledger.classifications(jcb.id)
        assert decision.by == "finance" and decision.score == 61 and decision.proposed == "取缔"


def test_ledger_api(console) -> None:
    jcb, ytf = _platforms(console)
    tokens = {role: console.users.issue_token(role) for role in ("finance", "commerce", "admin")}

    def api(role, method, path, **kw):
        client = console.app.test_client()
        return client.open(path, method=method,
                           headers={"Authorization": f"Bearer {tokens[role]}"}, **kw)

    assert console.app.test_client().get("/api/platforms").status_code == 401
    items = api("finance", "GET", "/api/platforms?min_score=30").get_json()["items"]
    assert [p["name"] for p in items] == ["聚财宝"]
    assert api("finance", "GET", "/api/platforms?class=bogus").status_code == 400
    detail = api("finance", "GET", f"/api/platforms/{jcb.id}").get_json()
    assert detail["scores"][0]["score"] == 61 and detail["products"][0]["annual_rate"] == 18.0
    refused = api("commerce", "POST", f"/api/platforms/{jcb.id}/classifications",
                  json={"classification": "取缔", "reason": "x"})
    assert refused.status_code == 403
    bad = api("finance", "POST", f"/api/platforms/{jcb.id}/classifications",
              json={"classification": "整改", "reason": "限期", "deadline": "soon"})
    assert bad.status_code == 400
    done = api("finance", "POST", f"/api/platforms/{jcb.id}/classifications",
               json={"classification": "取缔", "reason": "非法集资"})
    assert done.status_code == 201 and done.get_json()["platform"]["classification"] == "取缔"
    doc = api("admin", "GET", "/api/blacklist").get_json()
    assert doc["schema"] == "patrol.blacklist" and [p["name"] for p in doc["platforms"]] == ["聚财宝"]
    assert api("finance", "GET", "/api/tips").get_json() == {"items": []}


def test_merge_and_split_in_the_room(console) -> None:
    jcb, _ = _platforms(console)
    with open_ledger(console.settings) as lg:
        dup, _ = register(lg, name="聚财宝理财", by="t", source="manual", kind="P2P网贷",
                          domains=["licai.example.test"])
    finance = console.client("finance")
    token = CSRF_RE.search(finance.get(f"/platforms/{jcb.id}").get_data(as_text=True)).group(1)
    html = finance.post(f"/platforms/{jcb.id}/merge", follow_redirects=True, data={
        "csrf_token": token, "other": "licai.example.test", "reason": "同一运营主体"}
    ).get_data(as_text=True)
    assert "已将 聚财宝理财 合并入 聚财宝" in html and "licai.example.test" in html
    assert finance.get(f"/platforms/{dup.id}").headers["Location"].endswith(f"/platforms/{jcb.id}")
    commerce = console.client("commerce")
    other_token = CSRF_RE.search(commerce.get("/platforms").get_data(as_text=True)).group(1)
    assert commerce.post(f"/platforms/{dup.id}/split",
                         data={"csrf_token": other_token, "reason": "x"}).status_code == 403
    html = finance.post(f"/platforms/{dup.id}/split", follow_redirects=True, data={
        "csrf_token": token, "reason": "两家公司"}).get_data(as_text=True)
    assert "已拆分，聚财宝理财 恢复为独立平台" in html
    with open_ledger(console.settings) as lg:
        assert lg.by_domain("licai.example.test").id == dup.id


def test_platform_case_package_holds_what_the_ledger_page_lists(console, tmp_path) -> None:
    """The ledger page's download: the findings on the platform's domain (the page lists them)
    and the posts naming it; a finding of another platform stays out."""
    jcb, _ = _platforms(console)
    other = make_finding(source="http://ytf.example.test/p/1", domain="ytf.example.test")
    post = make_finding("public_risk", kind="post", platform="聚财宝", evidence="聚财宝提现困难",
                        source="http://bbs.example.test/t/9")
    console.add(other, post)
    client = console.client("finance")
    html = client.get(f"/platforms/{jcb.id}").get_data(as_text=True)
    assert f"/platform-case.zip?name={jcb.id}" in html
    manifest = download_package(client, "/platform-case.zip", tmp_path, name=jcb.id)["manifest"]
    sources = sorted(f["source"] for f in manifest["findings"])
    assert sources == ["http://bbs.example.test/t/9", "http://jucai.example.test/p/1",
                       "http://jucai.example.test/p/2"]
    assert manifest["selection"] == {"platform": "聚财宝", "platform_id": jcb.id, "from": "console"}
    assert manifest["title"] == "平台：聚财宝"
