"""Stored pages and evidence: never live HTML in the console's origin, never a file outside evidence/.

A stored page is shown as its extracted text (escaped) in a console page, and its capture is
replayed from the WARC record inside a sandboxed frame served from its own route with
`Content-Security-Policy: sandbox` and no network access at all. Evidence files are served only
when the page record lists them AND their path is a plain key under `evidence/` of the evidence
storage; a record naming `console/secret_key`, `../`, an absolute path, or a symlink leading out
gets a 404 whatever it says. The case package of a finding, a platform or a tip is built on
request for download (selections: platforms/cases.py).
"""

from __future__ import annotations

import gzip
import io
import mimetypes
import tempfile
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, render_template, request, send_file

from evidence.package import build_case
from evidence.read import read_capture
from evidence.storage import EvidenceError, EvidenceStorage, key_of, open_storage
from findings import FindingQuery, PageRecord, utcnow
from platforms.cases import MAX_CASE_FINDINGS, platform_case, tip_case

from ..context import current_user, services
from ..security import STORED_CONTENT_CSP, require

bp = Blueprint("evidence", __name__)

MAX_BODY = 20 * 1024 * 1024
TYPES = {"screenshot": "image/png", "headers": "text/plain; charset=utf-8"}
SERVED_AREAS = ("evidence", "logs")


def confined(data_dir: Path, rel: str, area: str | None = None) -> Path | None:
    """`rel` as a file inside `data_dir` (and inside its `area` subdirectory when given: the
    console serves only evidence/ and logs/), or None if it could point anywhere else."""
    if not rel or "\x00" in rel or "\\" in rel:
        return None
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or rel.startswith("~"):
        return None
    if area is not None and (area not in SERVED_AREAS or pure.parts[0] != area):
        return None
    root = data_dir.resolve()
    try:
        path = (root / pure).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    allowed = root / area if area else root
    if not path.is_relative_to(allowed) or not path.is_file():
        return None
    return path


def storage() -> EvidenceStorage:
    shared = services()
    if shared.evidence is None:
        shared.evidence = open_storage(shared.settings)
    return shared.evidence


def _page_or_404(page_id: str) -> PageRecord:
    page = services().store.get_page(page_id[:64])
    if page is None:
        abort(404)
    return page


def _listed(page: PageRecord, rel: str) -> dict | None:
    for item in page.evidence:
        if isinstance(item, dict) and item.get("path") == rel:
            return item
    return None


def _sandboxed(data: bytes, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = STORED_CONTENT_CSP
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _read_key(rel: str) -> bytes:
    """The bytes of an evidence path (`evidence/<key>`), or 404. The storage refuses keys that
    are not plain relative names and local files that a symlink leads out of its root."""
    key = key_of(rel)
    if key is None:
        abort(404)
    try:
        return storage().read(key, 0, MAX_BODY)
    except EvidenceError:
        abort(404)


def _capture(page: PageRecord):
    if not page.warc_file:
        return None
    try:
        return read_capture(storage(), page.warc_file, page.warc_offset, page.warc_length)
    except EvidenceError:
        return None


@bp.get("/pages/<page_id>")
@require("findings.read")
def page(page_id: str):
    record = _page_or_404(page_id)
    findings = services().store.query_findings(
        FindingQuery(source=record.url, limit=50, sort="severity")).items
    has_body = bool(record.warc_file) or any(
        isinstance(e, dict) and e.get("kind") == "body" for e in record.evidence)
    shots = [e for e in record.evidence if isinstance(e, dict) and e.get("kind") == "screenshot"]
    # the redirects that led to the page, as its capture recorded them (read only when there
    # were some: the final URL differs)
    capture = _capture(record) if record.final_url and record.final_url != record.url else None
    return render_template("evidence/page.html", page=record, findings=findings, body=has_body,
                           screenshots=shots, hops=capture.hops if capture else [])


@bp.get("/pages/<page_id>/frame")
@require("findings.read")
def frame(page_id: str):
    """The capture replayed from its WARC response record, for a sandboxed <iframe>: scripts,
    forms, plugins and every network request are refused by the policy, and the frame gets an
    opaque origin."""
    record = _page_or_404(page_id)
    capture = _capture(record)
    if capture is not None:
        return _sandboxed(capture.body[:MAX_BODY], "text/html")
    body = next((e for e in record.evidence if isinstance(e, dict) and e.get("kind") == "body"),
                None)   # evidence written before WARC captures: a gzip body file
    if body is None:
        abort(404)
    data = _read_key(str(body.get("path", "")))
    try:
        data = gzip.decompress(data) if str(body.get("path", "")).endswith(".gz") else data
    except (OSError, EOFError):
        abort(404)
    return _sandboxed(data[:MAX_BODY], "text/html")


@bp.get("/evidence/<page_id>/<path:rel>")
@require("findings.read")
def evidence_file(page_id: str, rel: str):
    if key_of(rel) is None:
        abort(404)
    record = _page_or_404(page_id)
    item = _listed(record, rel)
    if item is None:
        abort(404)
    kind = str(item.get("kind", ""))
    if kind == "warc":   # the capture's records, not the whole run's WARC file
        capture = _capture(record)
        if capture is None:
            abort(404)
        response = Response(capture.raw, mimetype="application/warc")
        response.headers["Content-Disposition"] = f'attachment; filename="{record.id}.warc.gz"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    data = _read_key(rel)
    if kind == "body":
        try:
            data = gzip.decompress(data) if rel.endswith(".gz") else data
        except (OSError, EOFError):
            abort(404)
        return _sandboxed(data[:MAX_BODY], "text/plain; charset=utf-8")
    mimetype = TYPES.get(kind) or mimetypes.guess_type(rel)[0] or "application/octet-stream"
    if mimetype.startswith("text/html") or "svg" in mimetype or "xml" in mimetype:
        mimetype = "text/plain; charset=utf-8"
    return _sandboxed(data, mimetype)


def _download_case(ids: list[str], title: str, selection: dict, name: str,
                   tip: dict | None = None):
    """Build the case package of `ids` now (the builder of `patrol evidence export`) and send
    it; the temporary file is gone before the response leaves."""
    user = current_user()
    actor = user.name if user else ""
    with tempfile.TemporaryDirectory(prefix="patrol-case-") as tmp:
        out = Path(tmp) / "case.zip"
        try:
            build_case(services().store, storage(), services().settings, ids, out, title=title,
                       actor=actor, selection={**selection, "from": "console"},
                       delivered=f"控制台下载（{actor}）", tip=tip)
        except EvidenceError as exc:
            abort(503, description=f"无法生成证据包：{exc}")
        data = out.read_bytes()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"case-{name}-{stamp}.zip")


@bp.get("/findings/<finding_id>/case.zip")
@require("findings.read")
def case_package(finding_id: str):
    """One finding's case package."""
    finding = services().store.get_finding(finding_id[:64])
    if finding is None:
        abort(404)
    return _download_case([finding.id], f"发现 {finding.id}", {"finding_ids": [finding.id]},
                          finding.id)


@bp.get("/platform-case.zip")
@require("findings.read")
def platform_case_view():
    """The case package of a platform (`?name=`: ledger id, name or domain, or a platform name
    found only in posts): the findings its ledger page lists."""
    from .ledger import ledger

    key = (request.args.get("name") or "").strip()[:200]
    case = platform_case(services().store, ledger(), key, MAX_CASE_FINDINGS) if key else None
    if case is None or not case.finding_ids:
        abort(404, description="该平台没有可导出的发现。")
    return _download_case(case.finding_ids, case.title, case.selection, "platform")


@bp.get("/tips/<receipt>/case.zip")
@require("tips.review")
def tip_case_view(receipt: str):
    """The case package of a tip: the tip, and the findings of its platform and URL's host."""
    from .ledger import ledger

    record = ledger().get_tip(receipt[:40])
    if record is None:
        abort(404)
    case = tip_case(services().store, ledger(), record, MAX_CASE_FINDINGS)
    return _download_case(case.finding_ids, case.title, case.selection, "tip", case.tip)
