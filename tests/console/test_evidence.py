"""Stored pages and evidence files: text escaped, the body only in a sandbox, files only from
inside the data home and only those the page record lists."""

from __future__ import annotations

import gzip
import hashlib
import os

from findings import EvidenceFile

from .conftest import Console, make_finding

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a5e0a1c20000000049454e44ae426082")
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def evidence(console: Console, rel: str, data: bytes, kind: str) -> dict:
    path = console.settings.data_path(*rel.split("/"))
    path.write_bytes(data)
    return EvidenceFile(kind=kind, path=rel, sha256=hashlib.sha256(data).hexdigest(),
                        bytes=len(data)).to_dict()


def stored_page(console: Console, **kw):
    body = gzip.compress(f"<html><body><h1>{HOSTILE}</h1></body></html>".encode())
    files = [evidence(console, "evidence/ab/page.html.gz", body, "body"),
             evidence(console, "evidence/ab/shot.png", PNG, "screenshot")]
    return console.page(url="http://127.0.0.1:9/hostile", title=HOSTILE,
                        text=f"正文 {HOSTILE} 保本保息", evidence=files, **kw)


def test_stored_page_text_is_escaped_and_body_only_in_a_sandboxed_frame(console: Console) -> None:
    page = stored_page(console, operator=HOSTILE)
    client = console.client("commerce")
    html = client.get(f"/pages/{page.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "onerror=\"alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'<iframe class="stored" sandbox="" referrerpolicy="no-referrer" src="/pages/{page.id}/frame"' in html
    frame = client.get(f"/pages/{page.id}/frame")
    assert frame.status_code == 200 and frame.mimetype == "text/html"
    csp = frame.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp and "script" not in csp
    assert HOSTILE.encode() in frame.data        # the capture itself, unchanged, but sandboxed


def test_evidence_files_are_served_from_the_page_record(console: Console) -> None:
    page = stored_page(console)
    client = console.client("finance")
    shot = client.get(f"/evidence/{page.id}/evidence/ab/shot.png")
    assert shot.status_code == 200 and shot.mimetype == "image/png" and shot.data == PNG
    assert shot.headers["Content-Security-Policy"].startswith("sandbox;")
    body = client.get(f"/evidence/{page.id}/evidence/ab/page.html.gz")
    assert body.status_code == 200 and body.mimetype == "text/plain"   # never as HTML here


def test_paths_out_of_the_data_home_or_not_listed_give_404(console: Console, tmp_path) -> None:
    page = stored_page(console)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    link = console.settings.data_path("evidence", "ab", "link.png")
    os.symlink(outside, link)
    hostile = console.page(url="http://127.0.0.1:9/bad", evidence=[
        {"kind": "screenshot", "path": "../outside.txt", "sha256": ""},
        {"kind": "screenshot", "path": str(outside), "sha256": ""},
        {"kind": "screenshot", "path": "evidence/ab/link.png", "sha256": ""},
        {"kind": "body", "path": "../../etc/passwd", "sha256": ""}])
    client = console.client("admin")
    for url in (
        f"/evidence/{page.id}/../outside.txt",
        f"/evidence/{page.id}/%2e%2e/outside.txt",
        f"/evidence/{page.id}/evidence/../../outside.txt",
        f"/evidence/{page.id}/{outside}",
        f"/evidence/{page.id}//etc/passwd",
        f"/evidence/{page.id}/console/users.sqlite3",      # inside, but not evidence
        f"/evidence/{page.id}/patrol.sqlite3",
        f"/evidence/{hostile.id}/../outside.txt",
        f"/evidence/{hostile.id}/{outside}",
        f"/evidence/{hostile.id}/evidence/ab/link.png",
        f"/pages/{hostile.id}/frame",
        "/evidence/no-such-page/evidence/ab/shot.png",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"secret" not in response.data


def test_screenshot_and_stored_page_appear_on_the_finding(console: Console) -> None:
    page = stored_page(console)
    finding = console.add(make_finding(page_id=page.id))[0]
    html = console.client("finance").get(f"/review/finding/{finding.id}").get_data(as_text=True)
    assert f'src="/evidence/{page.id}/evidence/ab/shot.png"' in html
    assert f'href="/pages/{page.id}"' in html


def test_urls_are_linked_only_when_http(console: Console) -> None:
    hostile_sources = ["javascript:alert(document.cookie)", " javascript:alert(1)",
                       "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                       "http://127.0.0.1:9/ok\" onmouseover=\"alert(1)"]
    for source in hostile_sources:
        console.add(make_finding(source=source, evidence=f"年化{len(source)}%"))
    good = console.add(make_finding(source="https://127.0.0.1:9/fine?a=1&b=2"))[0]
    html = console.client("admin").get("/review").get_data(as_text=True)
    hrefs = [h for h in __import__("re").findall(r'href="([^"]*)"', html)
             if not h.startswith(("/", "?"))]
    assert hrefs == [good.source.replace("&", "&amp;")]
    assert "javascript:alert(document.cookie)" in html          # shown, as text


def test_secrets_of_the_data_home_are_never_served_whatever_a_record_says(
        console: Console) -> None:
    """Issue 15: a page record listing console/secret_key (or the accounts database, or the
    demo account file) and a run record whose log is console/secret_key get nothing."""
    from console.security import secret_keys
    from findings import PatrolRun, utcnow

    key = secret_keys(console.settings)[0]   # creates DATA_DIR/console/secret_key
    demo = console.settings.data_path("console", "demo-account.txt")
    demo.write_text("demo 123456")
    secrets = ["console/secret_key", "console/users.sqlite3", "console/demo-account.txt",
               "patrol.sqlite3", "evidence/../console/secret_key", "logs/../console/secret_key"]
    page = console.page(url="http://127.0.0.1:9/leak", evidence=[
        {"kind": kind, "path": rel, "sha256": ""} for rel in secrets
        for kind in ("screenshot", "body", "metadata")])
    client = console.client("admin")
    for rel in secrets:
        response = client.get(f"/evidence/{page.id}/{rel}")
        assert response.status_code == 404, rel
        assert key.encode() not in response.data
    for n, rel in enumerate(secrets):
        console.store.save_run(PatrolRun(id=f"run-leak-{n}", target="alpha",
                                         started_at=utcnow(), status="ok", log_path=rel))
        response = client.get(f"/patrols/runs/run-leak-{n}/log")
        assert response.status_code == 404, rel
        assert key not in response.get_data(as_text=True)
    absolute = console.settings.data_dir.resolve() / "console" / "secret_key"
    console.store.save_run(PatrolRun(id="run-leak-abs", target="alpha", started_at=utcnow(),
                                     status="ok", log_path=str(absolute)))
    assert client.get("/patrols/runs/run-leak-abs/log").status_code == 404


def _warc_page(console: Console):
    """A page captured into a real WARC file, with a high-severity finding on it."""
    from datetime import UTC, datetime

    from evidence.storage import open_storage
    from evidence.warc import Capture, HttpExchange, WarcRunWriter

    url = "http://127.0.0.1:9/warc.html"
    at = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    storage = open_storage(console.settings)
    writer = WarcRunWriter(storage, "demo", "run-c")
    body = gzip.compress(f"<html><body><h1>{HOSTILE}</h1><p>保本保息</p></body></html>".encode())
    pointer = writer.write(Capture("pid", url, at, HttpExchange(
        "GET", url, [], 200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        body), screenshot=PNG, metadata={"run": "run-c"}))
    writer.close()
    shot = storage.put_blob(PNG, "png")
    page = console.page(url=url, captured_at=at, title="warc", text="保本保息",
                        warc_file=pointer.path, warc_offset=pointer.offset,
                        warc_length=pointer.length, evidence=[
                            {"kind": "warc", "path": pointer.path, "sha256": "",
                             "offset": pointer.offset, "length": pointer.length},
                            {"kind": "screenshot", "path": "evidence/" + shot, "sha256": ""}])
    finding = console.add(make_finding(page_id=page.id, source=url, warc_file=pointer.path,
                                       warc_offset=pointer.offset,
                                       warc_length=pointer.length))[0]
    return page, finding, pointer


def test_capture_is_replayed_from_the_warc_in_the_sandboxed_frame(console: Console) -> None:
    page, _, pointer = _warc_page(console)
    client = console.client("finance")
    frame = client.get(f"/pages/{page.id}/frame")
    assert frame.status_code == 200 and frame.mimetype == "text/html"
    assert frame.headers["Content-Security-Policy"].startswith("sandbox;")
    assert HOSTILE.encode() in frame.data and "保本保息".encode() in frame.data  # decoded gzip
    html = client.get(f"/pages/{page.id}").get_data(as_text=True)
    assert f'src="/pages/{page.id}/frame"' in html
    # the capture's own records, not the run's whole WARC file, as a download
    records = client.get(f"/evidence/{page.id}/{pointer.path}")
    assert records.status_code == 200 and records.mimetype == "application/warc"
    assert len(records.data) == pointer.length and "attachment" in \
        records.headers["Content-Disposition"]


def test_finding_page_offers_its_case_package_which_verifies(console: Console,
                                                             tmp_path) -> None:
    from evidence.verify import verify_package

    _, finding, _ = _warc_page(console)
    client = console.client("finance")
    html = client.get(f"/review/finding/{finding.id}").get_data(as_text=True)
    assert f'href="/findings/{finding.id}/case.zip"' in html
    response = client.get(f"/findings/{finding.id}/case.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    path = tmp_path / "case.zip"
    path.write_bytes(response.data)
    report = verify_package(path)
    assert report.ok, report.problems
    assert report.findings == 1
    assert console.client().get(f"/findings/{finding.id}/case.zip").status_code in (302, 401)
    assert client.get("/findings/nope/case.zip").status_code == 404
