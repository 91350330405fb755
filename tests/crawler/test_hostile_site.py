"""One patrol of the hostile mock site (with Chromium), and what it must and must not do.

The crawl runs once for the module; each test checks one promise against the JSON summary,
the real SQLite store and the mock site's request log.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from findings import FindingQuery
from findings.open import open_store
from tests.crawler.conftest import CrawlRun, run_patrol, write_targets

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def patrol(mockserver: Any, chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> \
        tuple[CrawlRun, list[dict[str, Any]]]:
    data = tmp_path_factory.mktemp("hostile")
    targets = write_targets(data / "targets.yaml", [{
        "name": "hostile", "start_urls": [mockserver.url("/")], "kind": "p2p",
        "max_pages": 200, "depth": 4, "tags": ["test"],
    }])
    mockserver.clear_log()
    run = run_patrol(data, "--target", "hostile",
                     settings={"targets_file": str(targets), "chromium_path": chromium_path})
    assert run.returncode == 0, run.stderr[-3000:]
    return run, mockserver.log()


@pytest.fixture(scope="module")
def store(patrol: tuple[CrawlRun, Any]) -> Any:
    run, _ = patrol
    s = open_store(f"sqlite:///{run.store_path}")
    yield s
    s.close()


def findings_of(store: Any, url: str) -> list[Any]:
    return store.query_findings(FindingQuery(source=url, limit=100)).items


def rules_of(store: Any, url: str) -> set[str]:
    return {f.rule for f in findings_of(store, url)}


def test_crawl_ran_and_counted(patrol: tuple[CrawlRun, Any]) -> None:
    run, _ = patrol
    s = run.summary
    assert s["status"] == "ok"
    assert s["pages"] >= 20
    assert s["rendered"] >= 4
    assert s["browsers"] == 1     # one Chromium for every scheme (Scrapy builds two handlers)
    assert s["bytes"] > 10_000
    assert s["findings"] > 0 and s["findings_new"] == s["findings"]


def test_no_request_reached_another_loopback_host(patrol: tuple[CrawlRun, Any]) -> None:
    """Links, sitemap entries, redirects and in-browser requests to .2/.3, decimal, octal,
    IPv4-mapped and localhost forms were all refused before a connection was made."""
    _, log = patrol
    foreign = [e for e in log if e["host"] != "127.0.0.1"]
    assert foreign == []
    paths = {e["path"] for e in log}
    for leaked in ("/secret-after-redirect", "/secret-from-browser", "/pixel-from-browser.png",
                   "/localhost-from-browser", "/decimal.html", "/octal.html", "/mapped.html"):
        assert leaked not in paths


def test_blocked_and_foreign_schemes_are_counted(patrol: tuple[CrawlRun, Any]) -> None:
    run, _ = patrol
    skips = run.summary["skips"]
    # links: .3, decimal .2, octal .3, mapped .2, localhost, other port, sitemap .2, redirects
    # to .2/.3, and four in-browser requests (two fetches, an image, a redirect hop)
    assert skips["blocked_address"] >= 12
    assert skips["scheme"] >= 4            # file:, data:, ftp: links; file: and data: redirects
    assert skips["offsite"] >= 1           # example.invalid (never resolved)


def test_browser_requests_to_private_addresses_are_blocked(patrol: tuple[CrawlRun, Any],
                                                           store: Any) -> None:
    run, log = patrol
    # the page itself rendered and was analysed; only its requests elsewhere were refused
    page_url = next(e["path"] for e in log if e["path"] == "/js/ssrf.html")
    assert page_url
    assert "redirect-to-private-from-browser" in " ".join(e["path"] for e in log)
    assert rules_of(store, _url(run, "/js/ssrf.html")) >= {"guaranteed_principal"}


def test_size_limit_and_bombs_are_skipped(patrol: tuple[CrawlRun, Any]) -> None:
    run, _ = patrol
    skips = run.summary["skips"]
    assert skips["too_large"] == 2             # Content-Length over the limit, chunked over it
    assert skips["decompression_bomb"] == 4    # gzip, deflate, br pages; a gzipped sitemap


def test_gzipped_sitemap_bomb_is_skipped(patrol: tuple[CrawlRun, Any]) -> None:
    """robots.txt names a .xml.gz sitemap of a few KB that inflates to 64 MiB: decompression
    stops at the sitemap limit, the bomb is counted and the other sitemap is still read."""
    run, log = patrol
    assert "/sitemap-bomb.xml.gz" in {e["path"] for e in log}
    assert run.summary["skips"]["decompression_bomb"] >= 1
    assert run.summary["sitemaps"] >= 1 and run.summary["sitemap_pages"] >= 1


def test_redirect_loops_end(patrol: tuple[CrawlRun, Any]) -> None:
    run, log = patrol
    assert run.summary["skips"]["redirect_loop"] == 2
    hits = Counter(e["path"].split("?")[0] for e in log)
    assert hits["/loop/a"] == 1 and hits["/loop/b"] == 1
    assert hits["/loop-n"] <= 12


def test_slow_and_trickling_servers_time_out(patrol: tuple[CrawlRun, Any]) -> None:
    run, log = patrol
    assert run.summary["errors"]["timeout"] == 2
    # each gave up by the per-page deadline and was tried again at most once (RETRY_TIMES), so
    # neither the slow server's 120 s nor the trickle's 14 hours held up the patrol
    hits = Counter(e["path"] for e in log)
    assert 1 <= hits["/slow.html"] <= 2 and 1 <= hits["/trickle.html"] <= 2


def test_endless_url_spaces_are_capped(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, log = patrol
    hits = Counter(e["path"].split("?")[0].split(";")[0] for e in log)
    assert hits["/calendar"] == 6               # crawl_max_pages_per_pattern in the tests
    assert run.summary["skips"]["pattern_cap"] > 20
    # session ids dropped: one page, fetched once, whatever its links invent
    assert hits["/session.html"] == 1


def test_downloads_are_refused(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    assert run.summary["skips"]["download"] >= 4   # zip, apk, attachment, in-browser download
    assert run.summary["skips"]["non_html"] >= 1   # image
    stored = {p.page.url for p in store.search_pages("下载", limit=50)}
    assert not any(u.endswith((".zip", ".apk", ".png")) for u in stored)
    # the page whose script clicked a download link still rendered, with what the script wrote
    offer = findings_of(store, _url(run, "/js/download.html"))
    assert {f.rule for f in offer} >= {"improper_subsidy"}
    assert all(f.extra["rendered"] is True for f in offer)
    assert "render_failed" not in run.summary["errors"]


@pytest.mark.parametrize("path, rules", [
    ("/gbk-nodecl.html", {"promised_return", "guaranteed_principal"}),
    ("/gbk-meta.html", {"promised_return", "guaranteed_principal"}),
    ("/wrong-header.html", {"promised_return", "guaranteed_principal"}),
    ("/big5.html", {"promised_return", "real_estate_finance"}),
])
def test_charsets_are_read_correctly(patrol: tuple[CrawlRun, Any], store: Any, path: str,
                                     rules: set[str]) -> None:
    run, _ = patrol
    assert rules <= rules_of(store, _url(run, path))


def test_script_built_pages_are_rendered(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    # filled from fetch() after load; filled by a 1.5 s timer
    assert "promised_return" in rules_of(store, _url(run, "/js/app.html"))
    assert "improper_subsidy" in rules_of(store, _url(run, "/js/timer.html"))
    assert findings_of(store, _url(run, "/js/app.html"))[0].extra["rendered"] is True


def test_discovery_beyond_links(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    assert "real_estate_finance" in rules_of(store, _url(run, "/hidden/sitemap-only.html"))
    assert "margin_financing" in rules_of(store, _url(run, "/framed.html"))
    assert "unlicensed_payment" in rules_of(store, _url(run, "/next2.html"))
    # robots.txt Disallow is not obeyed by default (an official inspection)
    assert "fundraising_signal" in rules_of(store, _url(run, "/private/disallowed.html"))


def test_furniture_is_analysed(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    assert "improper_subsidy" in rules_of(store, _url(run, "/furniture.html"))


def test_one_operator_finding_per_site(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    netloc = _url(run, "/").split("/")[2]  # host and port: two sites on one address differ
    site = findings_of(store, f"site:{netloc}")
    assert [f.rule for f in site] == ["restricted_name"]
    assert site[0].operator == "清远测试投资管理有限公司"
    page_level = store.query_findings(FindingQuery(rules=["restricted_name"], limit=100)).items
    assert len(page_level) == 1
    # the capture of the page that named the operator proves the site finding, apart from its own
    meta = _capture(run, store.get_page(site[0].page_id)).metadata
    assert [r["rule"] for r in meta["site_rules"]] == ["restricted_name"]
    assert "restricted_name" not in {r["rule"] for r in meta["rules"]}


def _capture(run: CrawlRun, page: Any) -> Any:
    from evidence.read import read_capture
    from evidence.storage import LocalStorage

    return read_capture(LocalStorage(run.data_dir / "evidence"), page.warc_file,
                        page.warc_offset, page.warc_length)


def test_evidence_capture_proves_the_page(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    finding = findings_of(store, _url(run, "/utf8.html"))[0]
    page = store.get_page(finding.page_id)
    files = {e["kind"]: e for e in page.evidence}
    assert {"warc", "screenshot"} <= set(files)
    assert (finding.warc_file, finding.warc_offset, finding.warc_length) == (
        page.warc_file, page.warc_offset, page.warc_length)
    assert page.warc_file.startswith("evidence/warc/hostile/")
    capture = _capture(run, page)
    assert capture.types == ["response", "request", "resource", "metadata"]
    assert capture.response_status == 200 and capture.target_uri == _url(run, "/utf8.html")
    assert hashlib.sha256(capture.body).hexdigest() == files["warc"]["sha256"] == \
        page.content_hash
    assert "保本保息".encode() in capture.body
    meta = capture.metadata
    assert meta["final_url"] == _url(run, "/utf8.html") and meta["run"] == run.summary["run_id"]
    assert meta["body"]["sha256_decoded"] == page.content_hash and meta["captured_at"]
    assert {r["rule"] for r in meta["rules"]} == rules_of(store, _url(run, "/utf8.html"))
    # a static page is photographed in a second load, and the evidence says so
    assert meta["screenshot"]["load"] == "second" and meta["screenshot"]["taken_at"]
    png = (run.data_dir / files["screenshot"]["path"]).read_bytes()
    assert png == capture.screenshot and png.startswith(b"\x89PNG")
    assert hashlib.sha256(png).hexdigest() == files["screenshot"]["sha256"]
    assert files["screenshot"]["path"].startswith("evidence/blobs/")


def test_warc_files_pass_warcio_check(patrol: tuple[CrawlRun, Any]) -> None:
    import subprocess
    import sys

    run, _ = patrol
    files = sorted((run.data_dir / "evidence" / "warc").rglob("*.warc.gz"))
    assert files
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", "-v", *map(str, files)],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "digest pass" in check.stdout and "digest fail" not in check.stdout


def test_redirect_chain_is_kept_before_the_page_it_led_to(patrol: tuple[CrawlRun, Any],
                                                          store: Any, tmp_path: Path) -> None:
    """/hop/1 -302-> /hop/2 -301-> /hop-final.html: the page's capture holds both redirects as
    response/request pairs (as received, oldest first) before the page's own records; a case
    package copies them and lists the chain; the reader's page fields stay the final page's."""
    import gzip
    import json
    import zipfile

    from cli.main import main

    run, _ = patrol
    page = next(p for p in (store.get_page(f.page_id) for f in store.query_findings(
        FindingQuery(text="保本保息", limit=100)).items) if p.final_url.endswith("/hop-final.html"))
    capture = _capture(run, page)
    assert [(s, u.rsplit("/", 2)[-2:], loc) for s, u, loc, _ in capture.hops] == [
        (302, ["hop", "1"], "/hop/2"), (301, ["hop", "2"], "/hop-final.html")]
    assert capture.response_status == 200 and "落地页".encode() in capture.body
    assert capture.types[:4] == ["response", "request", "response", "request"]
    assert [h["status"] for h in capture.metadata["redirects"]] == [302, 301]
    assert b"X-Hop: 1" in gzip.decompress(capture.raw)   # the 3xx headers as received
    finding = next(f for f in store.query_findings(FindingQuery(text="保本保息", limit=100)).items
                   if f.page_id == page.id)
    out = tmp_path / "hop.zip"
    with pytest.raises(SystemExit) as done:
        main(["--data-dir", str(run.data_dir), "evidence", "export", "--finding", finding.id,
              "--out", str(out)])
    assert done.value.code in (0, None)
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        index = z.read("index.html").decode()
    cap = manifest["findings"][0]["capture"]
    assert [h["status"] for h in cap["redirects"]] == [302, 301] and cap["status"] == 200
    assert "跳转经过" in index and "/hop-final.html" in index


def test_gzipped_response_is_kept_as_received(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    finding = findings_of(store, _url(run, "/gzipped.html"))[0]
    page = store.get_page(finding.page_id)
    capture = _capture(run, page)
    raw = capture.raw
    headers = dict((k.lower(), v) for k, v in capture.response_headers)
    assert headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == capture.metadata["body"]["bytes_received"]
    assert capture.metadata["body"]["as_received"] is True
    # the reader removes the content coding: the decoded body is the page the analyzers read
    assert hashlib.sha256(capture.body).hexdigest() == page.content_hash
    assert "保本保息".encode() in capture.body and raw


def test_rendered_page_keeps_raw_body_and_dom(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    finding = findings_of(store, _url(run, "/js/app.html"))[0]
    capture = _capture(run, store.get_page(finding.page_id))
    assert "年化15%".encode() not in capture.body and capture.dom is not None
    assert "年化15%".encode() in capture.dom
    shot = capture.metadata["screenshot"]
    if capture.screenshot:  # high severity: photographed in the very load that built the DOM
        assert shot["load"] == "same"


def test_run_is_recorded(patrol: tuple[CrawlRun, Any], store: Any) -> None:
    run, _ = patrol
    record = store.get_run(run.summary["run_id"])
    assert record.status == "ok" and record.ended_at is not None
    assert record.pages == run.summary["pages"]
    assert record.stats["skips"]["decompression_bomb"] == 4   # three pages and the gzipped sitemap
    assert store.lock_holder("patrol:hostile") is None


def _url(run: CrawlRun, path: str) -> str:
    base = run.summary["start_urls"][0].rstrip("/")
    return base + path


def test_crawl_then_export_then_verify(patrol: tuple[CrawlRun, Any], store: Any,
                                       tmp_path: Path) -> None:
    """The patrol's own captures make a package that `patrol evidence verify` accepts."""
    import subprocess
    import sys

    from settings import ROOT

    run, _ = patrol
    ids = [f.id for f in findings_of(store, _url(run, "/utf8.html"))]
    ids += [f.id for f in findings_of(store, _url(run, "/js/app.html"))]
    out = tmp_path / "case.zip"
    base = [sys.executable, "-m", "cli.main", "--data-dir", str(run.data_dir), "evidence"]
    args = [*base, "export", "--out", str(out)] + sum((["--finding", i] for i in ids), [])
    export = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    check = subprocess.run([*base, "verify", str(out)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert check.returncode == 0 and "核验通过" in check.stdout, check.stdout + check.stderr
