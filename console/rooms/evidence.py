"""Stored pages and evidence files: never live HTML in the console's origin.

A stored page is shown as its extracted text (escaped) in a console page, and its captured body
inside a sandboxed frame served from its own route with `Content-Security-Policy: sandbox` and
no network access at all. Evidence files are served only when the page record lists them and
their path stays inside the data home; anything else (`../`, absolute paths, symlinks leading
out) is a 404.
"""

from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, abort, render_template

from findings import FindingQuery, PageRecord

from ..context import services
from ..security import STORED_CONTENT_CSP, require

bp = Blueprint("evidence", __name__)

MAX_BODY = 20 * 1024 * 1024
TYPES = {"screenshot": "image/png", "headers": "text/plain; charset=utf-8"}


def confined(data_dir: Path, rel: str) -> Path | None:
    """`rel` as a file inside `data_dir`, or None if it could point anywhere else."""
    if not rel or "\x00" in rel or "\\" in rel:
        return None
    pure = PurePosixPath(rel)
    if pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or rel.startswith("~"):
        return None
    root = data_dir.resolve()
    try:
        path = (root / pure).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


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


def _read_body(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            return fh.read(MAX_BODY)
    with open(path, "rb") as fh:
        return fh.read(MAX_BODY)


def _sandboxed(data: bytes, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = STORED_CONTENT_CSP
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.get("/pages/<page_id>")
@require("findings.read")
def page(page_id: str):
    record = _page_or_404(page_id)
    findings = services().store.query_findings(
        FindingQuery(source=record.url, limit=50, sort="severity")).items
    body = next((e for e in record.evidence if isinstance(e, dict) and e.get("kind") == "body"),
                None)
    shots = [e for e in record.evidence if isinstance(e, dict) and e.get("kind") == "screenshot"]
    return render_template("evidence/page.html", page=record, findings=findings, body=body,
                           screenshots=shots)


@bp.get("/pages/<page_id>/frame")
@require("findings.read")
def frame(page_id: str):
    """The captured body, for a sandboxed <iframe>: scripts, forms, plugins and every network
    request are refused by the policy, and the frame gets an opaque origin."""
    record = _page_or_404(page_id)
    body = next((e for e in record.evidence if isinstance(e, dict) and e.get("kind") == "body"),
                None)
    path = confined(services().settings.data_dir, str(body.get("path", ""))) if body else None
    if path is None:
        abort(404)
    try:
        data = _read_body(path)
    except (OSError, EOFError, gzip.BadGzipFile):
        abort(404)
    return _sandboxed(data, "text/html")


@bp.get("/evidence/<page_id>/<path:rel>")
@require("findings.read")
def evidence_file(page_id: str, rel: str):
    path = confined(services().settings.data_dir, rel)
    if path is None:
        abort(404)
    record = _page_or_404(page_id)
    item = _listed(record, rel)
    if item is None:
        abort(404)
    kind = str(item.get("kind", ""))
    if kind == "body":
        mimetype = "text/plain; charset=utf-8"   # the raw capture, shown as text if opened
        try:
            data = _read_body(path)
        except (OSError, EOFError, gzip.BadGzipFile):
            abort(404)
        return _sandboxed(data, mimetype)
    mimetype = TYPES.get(kind) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/html") or "svg" in mimetype or "xml" in mimetype:
        mimetype = "text/plain; charset=utf-8"
    with open(path, "rb") as fh:
        data = fh.read(MAX_BODY)
    return _sandboxed(data, mimetype)
