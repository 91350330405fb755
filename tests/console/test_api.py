"""The JSON API: token authentication, findings, decisions, runs, and its OpenAPI description."""

from __future__ import annotations

import re

from findings import PatrolRun, utcnow

from .conftest import Console, make_finding


def bearer(console: Console, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {console.users.issue_token(role)}"}


def test_no_token_or_a_wrong_one_is_401(console: Console) -> None:
    client = console.client("admin")      # a console session does not open the API
    for headers in ({}, {"Authorization": "Bearer pt_wrong"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/findings", headers=headers)
        assert response.status_code == 401
        assert response.is_json and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_disabled_user_stop_working(console: Console) -> None:
    headers = bearer(console, "finance")
    client = console.client()
    assert client.get("/api/findings", headers=headers).status_code == 200
    console.users.set_disabled("finance", True)
    assert client.get("/api/findings", headers=headers).status_code == 401
    console.users.set_disabled("finance", False)
    console.users.revoke_tokens("finance")
    assert client.get("/api/findings", headers=headers).status_code == 401


def test_list_findings_with_filters_and_cursor(console: Console) -> None:
    made = console.add(*(make_finding(evidence=f"年化{10 + i}%") for i in range(7)),
                       make_finding("public_risk", kind="post", platform="某某贷",
                                    evidence="无法提现"))
    client, headers = console.client(), bearer(console, "finance")
    body = client.get("/api/findings?rule=promised_return&limit=5", headers=headers).get_json()
    assert len(body["items"]) == 5 and body["next_cursor"]
    rest = client.get(f"/api/findings?rule=promised_return&limit=5&cursor={body['next_cursor']}",
                      headers=headers).get_json()
    ids = {f["id"] for f in body["items"] + rest["items"]}
    assert ids == {f.id for f in made[:7]}
    post = client.get("/api/findings?platform=某某贷", headers=headers).get_json()["items"]
    assert [f["id"] for f in post] == [made[7].id] and post[0]["platform"] == "某某贷"
    assert client.get("/api/findings?sort=random", headers=headers).status_code == 400
    assert client.get("/api/findings?since=yesterday", headers=headers).status_code == 400


def test_decide_through_the_api(console: Console) -> None:
    finding = console.add(make_finding())[0]
    client, headers = console.client(), bearer(console, "finance")
    url = f"/api/findings/{finding.id}/decisions"
    assert client.post(url, json={"decision": "dismissed"}, headers=headers).status_code == 400
    assert client.post(url, json={"decision": "forwarded", "to": "nowhere"},
                       headers=headers).status_code == 400
    assert client.post(url, data="not json", headers=headers).status_code == 400
    response = client.post(url, json={"decision": "forwarded", "to": "市公安局",
                                      "note": "涉嫌犯罪"}, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["finding"]["status"] == "forwarded"
    log = client.get(url, headers=headers).get_json()["items"]
    assert [(d["decision"], d["by"], d["to"]) for d in log] == [("forwarded", "finance", "市公安局")]
    detail = client.get(f"/api/findings/{finding.id}", headers=headers).get_json()
    assert detail["finding"]["forwarded_to"] == "市公安局" and len(detail["decisions"]) == 1
    assert client.get("/api/findings/nope", headers=headers).status_code == 404


def test_roles_apply_to_tokens(console: Console) -> None:
    finding = console.add(make_finding())[0]
    client = console.client()
    response = client.post(f"/api/findings/{finding.id}/decisions", json={"decision": "confirmed"},
                           headers=bearer(console, "support"))
    assert response.status_code == 403 and response.is_json
    assert console.store.get_finding(finding.id).status == "new"


def test_api_decisions_keep_to_the_departments_and_one_decision(console: Console) -> None:
    finding = console.add(make_finding())[0]  # promised_return: lead 市金融局
    client = console.client()
    url = f"/api/findings/{finding.id}/decisions"
    response = client.post(url, json={"decision": "confirmed"},
                           headers=bearer(console, "commerce"))
    assert response.status_code == 403 and "无权处理" in response.get_json()["message"]
    assert console.store.decisions(finding.id) == []
    assert client.post(url, json={"decision": "confirmed"},
                       headers=bearer(console, "finance")).status_code == 201
    response = client.post(url, json={"decision": "confirmed"},
                           headers=bearer(console, "admin"))
    assert response.status_code == 409 and "已处理" in response.get_json()["message"]
    assert len(console.store.decisions(finding.id)) == 1


def test_runs(console: Console) -> None:
    run = PatrolRun(id="r1", target="alpha", started_at=utcnow(), status="ok", pages=3)
    console.store.save_run(run)
    client, headers = console.client(), bearer(console, "support")
    items = client.get("/api/runs?target=alpha", headers=headers).get_json()["items"]
    assert [r["id"] for r in items] == ["r1"]
    assert client.get("/api/runs/r1", headers=headers).get_json()["pages"] == 3
    assert client.get("/api/runs/r2", headers=headers).status_code == 404


def test_openapi_describes_every_api_route(console: Console) -> None:
    doc = console.client().get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and doc["components"]["securitySchemes"]["bearer"]
    described = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in console.app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == described
    for ref in re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', __import__("json").dumps(doc)):
        assert ref[1] in doc["components"][ref[0]], ref


def test_runs_are_for_the_roles_that_see_patrols(console: Console) -> None:
    console.store.save_run(PatrolRun(id="r1", target="alpha", started_at=utcnow(), status="ok"))
    client = console.client()
    for role, code in (("support", 200), ("admin", 200), ("finance", 403), ("commerce", 403),
                       ("opinion", 403)):
        assert client.get("/api/runs", headers=bearer(console, role)).status_code == code, role
        assert client.get("/api/runs/r1", headers=bearer(console, role)).status_code == code, role


def test_dates_out_of_range_are_400_everywhere(console: Console) -> None:
    console.add(make_finding())
    api, headers = console.client(), bearer(console, "admin")
    for query in ("since=0001-01-01", "until=9999-12-31", "since=0001-01-01T00:00:00",
                  "since=2026-02-30"):
        response = api.get(f"/api/findings?{query}", headers=headers)
        assert response.status_code == 400 and response.is_json, query
    browser = console.client("admin")
    for path in ("/review?since=0001-01-01", "/review?until=9999-12-31&status=all",
                 "/reports?since=0001-01-01", "/reports/export.xlsx?until=9999-12-31",
                 "/reports?since=2026-13-01"):
        response = browser.get(path, follow_redirects=True)
        assert response.status_code == 400, path
        assert "日期" in response.get_data(as_text=True), path
    assert browser.get("/review?since=2026-01-01", follow_redirects=True).status_code == 200
