"""What hostile sites really do to hide from a patrol (issue 16), each against the local site.

Two patrols of /evasions/ for the module: one static (no browser), one rendering every page in
Chromium. Each test checks that the hidden offer was still found and where the page tried to
send the patrol was followed under the usual rules (and never to another loopback host).
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

import pytest

from findings import FindingQuery
from findings.open import open_store
from tests.crawler.conftest import CrawlRun, run_patrol, write_targets

# Names the patrol resolves without DNS (crawl_resolve): each leads to a loopback address.
RESOLVE = ["evil.test=127.0.0.2", "multi.test=127.0.0.1", "multi.test=127.0.0.3",
           "good.test=127.0.0.1"]
NAMES = ["evil.test", "multi.test", "good.test"]


def _patrol(mockserver: Any, tmp_path_factory: pytest.TempPathFactory, name: str,
            render: str, chromium: str = "") -> tuple[CrawlRun, list[dict[str, Any]], Any]:
    data = tmp_path_factory.mktemp(name)
    targets = write_targets(data / "targets.yaml", [{
        "name": name, "start_urls": [mockserver.url("/evasions/")], "kind": "p2p",
        "max_pages": 60, "depth": 3, "render": render, "sitemaps": False,
        "allowed_domains": ["127.0.0.1", *NAMES],
    }])
    mockserver.clear_log()
    settings: dict[str, Any] = {"targets_file": str(targets), "chromium_path": chromium,
                                "crawl_resolve": ",".join(RESOLVE)}
    run = run_patrol(data, "--target", name, "--no-alerts", settings=settings)
    assert run.returncode == 0, run.stderr[-3000:]
    log = mockserver.log()
    store = open_store(f"sqlite:///{run.store_path}")
    return run, log, store


@pytest.fixture(scope="module")
def static(mockserver: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    run, log, store = _patrol(mockserver, tmp_path_factory, "evasions-static", "never",
                              chromium="/nonexistent/chromium")
    yield run, log, store
    store.close()


@pytest.fixture(scope="module")
def rendered(mockserver: Any, chromium_path: str,
             tmp_path_factory: pytest.TempPathFactory) -> Any:
    run, log, store = _patrol(mockserver, tmp_path_factory, "evasions-rendered", "always",
                              chromium=chromium_path)
    yield run, log, store
    store.close()


def _findings(store: Any, mockserver: Any, path: str) -> list[Any]:
    return store.query_findings(FindingQuery(source=mockserver.url(path), limit=100)).items


def _rules(store: Any, mockserver: Any, path: str) -> set[str]:
    return {f.rule for f in _findings(store, mockserver, path)}


def _page_text(run: CrawlRun, mockserver: Any, path: str) -> str:
    with sqlite3.connect(run.store_path) as db:
        row = db.execute("SELECT text FROM pages WHERE url = ? ORDER BY captured_at DESC",
                         (mockserver.url(path),)).fetchone()
    assert row, f"{path} was not stored"
    return row[0]


@pytest.fixture(params=["static", "rendered"])
def patrol(request: pytest.FixtureRequest) -> tuple[CrawlRun, list[dict[str, Any]], Any]:
    return request.getfixturevalue(request.param)


def test_refresh_to_another_host_does_not_hide_the_page(patrol: Any, mockserver: Any) -> None:
    """The issue's exact case: the page carrying a 60-second refresh to another host is
    analysed as received, with as many findings as the same page without the tag."""
    run, log, store = patrol
    with_tag = _findings(store, mockserver, "/evasions/refresh-offsite.html")
    without = _findings(store, mockserver, "/evasions/plain.html")
    assert len(without) >= 3
    assert {f.rule for f in with_tag} == {f.rule for f in without}
    assert len(with_tag) == len(without)
    assert run.summary["refreshes"] >= 5
    assert run.summary["skips"].get("blocked_address", 0) >= 1
    assert [e for e in log if e["host"] != "127.0.0.1"] == []


def test_delayed_and_noscript_refreshes_are_followed_as_links(patrol: Any,
                                                               mockserver: Any) -> None:
    _, log, store = patrol
    paths = {e["path"] for e in log}
    assert "/evasions/clean.html" in paths
    assert _findings(store, mockserver, "/evasions/refresh-delayed.html")
    assert "real_estate_finance" in _rules(store, mockserver, "/evasions/zero-target.html")
    assert _findings(store, mockserver, "/evasions/refresh-zero.html")   # carrier kept too
    assert "margin_financing" in _rules(store, mockserver, "/evasions/noscript-target.html")
    assert _findings(store, mockserver, "/evasions/refresh-noscript.html")
    # a timer that sets location after a minute: read, and its target followed
    assert _findings(store, mockserver, "/evasions/js-later.html")
    assert "fundraising_signal" in _rules(store, mockserver, "/evasions/js-target.html")


def test_refresh_to_private_addresses_is_blocked(patrol: Any, mockserver: Any) -> None:
    run, log, store = patrol
    paths = {e["path"] for e in log}
    assert "/secret-after-refresh" not in paths and "/localhost-after-refresh" not in paths
    assert _findings(store, mockserver, "/evasions/refresh-private.html")
    assert run.summary["skips"]["blocked_address"] >= 3


def test_scattered_and_attribute_text_is_read(patrol: Any, mockserver: Any) -> None:
    run, _, store = patrol
    assert "保本保息" in _page_text(run, mockserver, "/evasions/scattered.html")
    assert "guaranteed_principal" in _rules(store, mockserver, "/evasions/scattered.html")
    rules = _rules(store, mockserver, "/evasions/attributes.html")
    assert {"real_estate_finance", "unlicensed_payment", "margin_financing"} <= rules


def test_confusables_are_folded(patrol: Any, mockserver: Any) -> None:
    run, _, store = patrol
    findings = _findings(store, mockserver, "/evasions/confusables.html")
    text = _page_text(run, mockserver, "/evasions/confusables.html")
    assert "guaranteed_principal" in {f.rule for f in findings}
    assert {"⽆⻛险", "本⾦保障"} <= {text[f.start:f.end] for f in findings}
    for f in findings:   # offsets point into the text as the page wrote it
        assert text[f.start:f.end] == f.evidence


def test_rendered_page_that_leaves_keeps_its_dom(rendered: Any, mockserver: Any) -> None:
    run, log, store = rendered
    text = _page_text(run, mockserver, "/evasions/leaves.html")
    assert "体验金5888元" in text
    assert "improper_subsidy" in _rules(store, mockserver, "/evasions/leaves.html")
    assert "/evasions/left-to.html" in {e["path"] for e in log}   # followed as a link


def test_css_pseudo_element_text_is_read(rendered: Any, mockserver: Any) -> None:
    run, _, store = rendered
    assert "稳赚不赔" in _page_text(run, mockserver, "/evasions/pseudo.html")


def test_host_names_resolving_to_loopback_are_blocked(patrol: Any) -> None:
    """Links, a refresh and an image on names that resolve to 127.0.0.x: refused before any
    connection (the address checked is the address the connection would use)."""
    run, log, _ = patrol
    assert [e for e in log if e["host"] != "127.0.0.1"] == []
    paths = {e["path"] for e in log}
    for leaked in ("/evil-name.html", "/multi-name.html", "/good-name.html",
                   "/evil-refresh.html"):
        assert leaked not in paths
    assert run.summary["skips"]["blocked_address"] >= 8


# -- offers in pictures (OCR) ---------------------------------------------------------------
def _image_findings(store: Any, mockserver: Any, path: str) -> list[Any]:
    found = _findings(store, mockserver, path)
    assert all(f.kind == "image" for f in found)
    return found


def test_offer_only_in_a_poster_is_read(patrol: Any, mockserver: Any) -> None:
    run, log, store = patrol
    findings = _image_findings(store, mockserver, "/images/poster.png")
    assert {"guaranteed_principal", "promised_return"} <= {f.rule for f in findings}
    f = next(f for f in findings if f.rule == "guaranteed_principal")
    assert f.evidence == "保本保息" and f.extra["words"] == "保本保息"
    assert f.extra["page_url"] in (mockserver.url("/evasions/poster.html"),
                                   mockserver.url("/evasions/poster-again.html"))
    x0, y0, x1, y1 = f.extra["box"]
    assert 0 <= x0 < x1 <= 480 and 100 < y0 < y1 <= 240   # the second line of the poster
    # the evidence keeps the image file, with its hash
    page = store.get_page(f.page_id)
    (image,) = [e for e in page.evidence if e["kind"] == "image"]
    data = (run.data_dir / image["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == image["sha256"] == f.extra["image_sha256"]
    # shown on two pages, read once (and fetched once, when no browser loaded it for display)
    with sqlite3.connect(run.store_path) as db:
        (records,) = db.execute("SELECT count(*) FROM pages WHERE url = ?",
                                (mockserver.url("/images/poster.png"),)).fetchone()
    assert records == 1
    if run.summary["rendered"] == 0:
        assert [e["path"] for e in log].count("/images/poster.png") == 1
    assert run.summary["images_read"] >= 2 and run.summary["image_findings"] >= 3


def test_lazy_loaded_poster_is_read(patrol: Any, mockserver: Any) -> None:
    _, log, store = patrol
    rules = {f.rule for f in _image_findings(store, mockserver, "/images/poster-lazy.png")}
    assert "real_estate_finance" in rules


def test_picture_and_svg_posters_are_read(patrol: Any, mockserver: Any) -> None:
    _, _, store = patrol
    assert "margin_financing" in {
        f.rule for f in _image_findings(store, mockserver, "/images/poster-picture.png")}
    assert "unlicensed_payment" in {
        f.rule for f in _image_findings(store, mockserver, "/images/poster-svg.png")}


def test_no_image_can_stall_or_crash_a_patrol(patrol: Any) -> None:
    run, _, _ = patrol
    skips = run.summary["skips"]
    for kind in ("image_too_many_pixels", "image_bad_image", "image_svg", "image_not_image",
                 "image_icon", "image_timeout"):
        assert skips.get(kind, 0) >= 1, (kind, skips)
    assert run.summary["status"] == "ok"


def test_background_poster_is_read_in_the_browser(rendered: Any, mockserver: Any) -> None:
    _, _, store = rendered
    rules = {f.rule for f in _image_findings(store, mockserver, "/images/poster-bg.png")}
    assert {"guaranteed_principal", "fundraising_signal"} & rules


def test_an_unchanged_poster_is_never_read_again(static: Any, mockserver: Any) -> None:
    run, _, _ = static
    targets = write_targets(run.data_dir / "again.yaml", [{
        "name": "again", "start_urls": [mockserver.url("/evasions/poster.html")],
        "render": "never", "sitemaps": False, "depth": 0}])
    again = run_patrol(run.data_dir, "--target", "again", "--no-alerts",
                       settings={"targets_file": str(targets)})
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.summary["images_cached"] == 1 and again.summary["images_read"] == 0
    assert again.summary["image_findings"] >= 2
