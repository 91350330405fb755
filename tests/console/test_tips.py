"""The public /tip page and the officers' 举报 queue: hostile tips are refused or kept inert."""

from __future__ import annotations

import re

import pytest

from platforms import open_ledger

from .conftest import CSRF_RE

RECEIPT = re.compile(r'id="receipt">(JB-\d{8}-[A-Z2-9]{8})<')


def _send(client, **fields):
    token = CSRF_RE.search(client.get("/tip").get_data(as_text=True)).group(1)
    return client.post("/tip", data={"csrf_token": token, **fields})


def test_public_tip_gets_a_receipt_without_login(console) -> None:
    client = console.client()
    page = client.get("/tip")
    assert page.status_code == 200 and "举报互联网金融违法违规线索" in page.get_data(as_text=True)
    assert client.post("/tip", data={"text": "x", "url": "https://a.example/"}).status_code == 400
    done = _send(client, url="https://jucai.example.test/invest", platform_name="聚财宝",
                 text="宣称年化 18% 保本保息")
    receipt = RECEIPT.search(done.get_data(as_text=True)).group(1)
    with open_ledger(console.settings) as ledger:
        tip = ledger.get_tip(receipt)
        assert tip.url == "https://jucai.example.test/invest" and tip.status == "new"
        assert tip.addr_key and "127.0.0.1" not in tip.to_dict().values()


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:8600/admin", "内部或保留地址"),
    ("http://10.1.2.3/", "内部或保留地址"),
    ("http://169.254.169.254/latest/meta-data/", "内部或保留地址"),
    ("http://[::1]/", "内部或保留地址"),
    ("http://0x7f.1/", "内部或保留地址"),
    ("http://localhost/", "内部或保留地址"),
    ("http://metadata.google.internal/", "内部或保留地址"),
    ("file:///etc/passwd", "只能以 http:// 或 https:// 开头"),
    ("javascript:alert(1)", "只能以 http:// 或 https:// 开头"),
    ("http://exa mple.com/", "格式不正确"),
])
def test_private_and_non_http_urls_are_refused(console, url: str, message: str) -> None:
    reply = _send(console.client(), url=url, text="看到可疑网站")
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    with open_ledger(console.settings) as ledger:
        assert ledger.list_tips() == []


def test_size_limits(console) -> None:
    client = console.client()
    megabyte = _send(client, platform_name="聚财宝", text="a" * (1024 * 1024))
    assert megabyte.status_code == 400 and "举报内容过长" in megabyte.get_data(as_text=True)
    # 1 MB of Chinese text is 9 MB form-encoded: over the request limit, refused unread
    too_big = _send(client, platform_name="聚财宝", text="字" * (1024 * 1024))
    assert too_big.status_code == 413
    assert _send(client, text="内容").status_code == 400          # neither URL nor name
    assert _send(client, platform_name="名" * 201, text="内容").status_code == 400
    with open_ledger(console.settings) as ledger:
        assert ledger.list_tips() == []


def test_script_payloads_stay_inert_for_officers(console) -> None:
    payload = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    done = _send(console.client(), url="https://evil.example/\"><script>alert(2)</script>",
                 platform_name=payload, text=payload, contact="javascript:alert(3)")
    receipt = RECEIPT.search(done.get_data(as_text=True)).group(1)
    officer = console.client("finance")
    for path in ("/tips", f"/tips/{receipt}"):
        html = officer.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html
        assert 'href="https://evil.example' not in html and 'href="javascript' not in html


def test_burst_from_one_address_and_overall_limit(console_factory) -> None:
    console = console_factory(tips_per_address_hour=5, tips_per_hour=12)
    client = console.client()
    token = CSRF_RE.search(client.get("/tip").get_data(as_text=True)).group(1)
    codes = [client.post("/tip", data={"csrf_token": token, "platform_name": "聚财宝",
                                       "text": f"第 {n} 条"}).status_code for n in range(1000)]
    assert codes.count(200) == 5 and codes.count(429) == 995 and codes[:5] == [200] * 5
    others = []
    for n in range(3):
        other = console.app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"127.0.0.{n + 2}"
        token = CSRF_RE.search(other.get("/tip").get_data(as_text=True)).group(1)
        others += [other.post("/tip", data={"csrf_token": token, "platform_name": "鑫盈",
                                            "text": "线索"}).status_code for _ in range(5)]
    assert others.count(200) == 7 and "当前举报较多" in other.post(
        "/tip", data={"csrf_token": token, "platform_name": "x", "text": "y"}).get_data(as_text=True)
    with open_ledger(console.settings) as ledger:
        assert len(ledger.list_tips(limit=2000)) == 12


def test_queue_link_patrol_close(console) -> None:
    launched: list[str] = []
    # Patrolling a public address cannot run here: record what would be launched.
    console.app.extensions["patrol"].launch_tip_patrol = \
        lambda settings, url: launched.append(url) or {"pid": 0}
    done = _send(console.client(), url="https://jucai.example.test/invest", text="保本保息")
    receipt = RECEIPT.search(done.get_data(as_text=True)).group(1)
    assert console.client("support").get("/tips").status_code == 403
    assert console.client().get("/tips").status_code == 302                # login first
    officer = console.client("finance")
    assert receipt in officer.get("/tips").get_data(as_text=True)
    token = CSRF_RE.search(officer.get(f"/tips/{receipt}").get_data(as_text=True)).group(1)
    linked = officer.post(f"/tips/{receipt}/link", data={"csrf_token": token, "platform": ""},
                          follow_redirects=True).get_data(as_text=True)
    assert "已关联平台 jucai.example.test" in linked
    assert "巡查该网址" not in linked                       # finance may not start patrols
    admin = console.client("admin")
    token = CSRF_RE.search(admin.get(f"/tips/{receipt}").get_data(as_text=True)).group(1)
    admin.post(f"/tips/{receipt}/patrol", data={"csrf_token": token})
    assert launched == ["https://jucai.example.test/invest"]
    other = RECEIPT.search(_send(console.client(), url="https://pay.example.test/",
                                 platform_name="某支付", text="无证支付").get_data(
        as_text=True)).group(1)
    admin.post(f"/tips/{other}/patrol", data={"csrf_token": token})
    with open_ledger(console.settings) as ledger:
        tip = ledger.get_tip(other)        # patrolled before anyone linked it: linked now
        assert tip.status == "patrolled" and ledger.get(tip.platform_id).name == "某支付"
        assert ledger.get(tip.platform_id).domains == ["pay.example.test"]
    with open_ledger(console.settings) as ledger:
        tip = ledger.get_tip(receipt)
        assert tip.status == "patrolled" and tip.handled_by == "admin"
        assert ledger.get(tip.platform_id).domains == ["jucai.example.test"]
    admin.post(f"/tips/{receipt}/close", data={"csrf_token": token, "note": "已处理"})
    with open_ledger(console.settings) as ledger:
        assert ledger.get_tip(receipt).status == "closed"


def test_behind_a_trusted_proxy_each_tipster_has_their_own_limit(console_factory) -> None:
    console = console_factory(tips_per_address_hour=2, tips_per_hour=100,
                              console_trusted_proxies=["127.0.0.1"])

    def send(addr: str) -> int:
        client = console.client()
        token = CSRF_RE.search(client.get("/tip").get_data(as_text=True)).group(1)
        return client.post("/tip", headers={"X-Forwarded-For": addr},
                           data={"csrf_token": token, "url": "https://a.example.test/",
                                 "text": "宣称保本保息"}).status_code

    assert [send("198.51.100.7") for _ in range(3)] == [200, 200, 429]
    assert send("198.51.100.8") == 200     # another person behind the same proxy


def test_tip_case_package_holds_the_tip_and_its_findings_but_not_the_contact(
        console, tmp_path) -> None:
    """举报 → 案件证据包: the tip (escaped, inert) and the findings of its URL's host; the
    tipster's contact never leaves the console. A tip with no findings yet still exports."""
    from .conftest import download_package, make_finding

    client = console.client()
    receipt = RECEIPT.search(_send(
        client, url="https://jucai.example.test/invest", platform_name="聚财宝",
        contact="13800138000", text="宣称年化 18% 保本保息<script>alert(1)</script>",
    ).get_data(as_text=True)).group(1)
    finance = console.client("finance")
    assert f"/tips/{receipt}/case.zip" in finance.get(f"/tips/{receipt}").get_data(as_text=True)
    empty = download_package(finance, f"/tips/{receipt}/case.zip", tmp_path)
    assert empty["manifest"]["findings"] == [] and empty["manifest"]["tip"]["receipt"] == receipt
    console.add(make_finding(source="https://jucai.example.test/p/1", domain="jucai.example.test"),
                make_finding(source="https://other.example.test/p/1", domain="other.example.test"))
    files = download_package(finance, f"/tips/{receipt}/case.zip", tmp_path)
    manifest = files.pop("manifest")
    assert manifest["tip"]["receipt"] == receipt and manifest["selection"]["tip"] == receipt
    assert [f["source"] for f in manifest["findings"]] == ["https://jucai.example.test/p/1"]
    index = files["index.html"].decode()
    assert receipt in index and "&lt;script&gt;alert(1)" in index and "<script>" not in index
    assert all(b"13800138000" not in data for data in files.values())
    assert "不随证据包导出" in index
    assert console.client("support").get(f"/tips/{receipt}/case.zip").status_code == 403
    assert finance.get("/tips/JB-20260101-AAAAAAAA/case.zip").status_code == 404
