"""The item a patrol spider yields: one fetched page, what it says, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class PageItem:
    url: str                      # canonical URL: the page's identity and the findings' source
    final_url: str                # where the fetch ended, after redirects
    status: int
    headers: dict[str, list[str]]
    body: bytes                   # raw HTTP body as received (decompressed)
    captured_at: datetime
    content_hash: str             # SHA-256 of body
    encoding: str
    charset_source: str           # header, meta, bom, detected, browser
    title: str
    text: str                     # everything the analyzers read; finding offsets point here
    footer_text: str
    host: str
    depth: int = 0
    rendered: bool = False
    render_reason: str = ""
    rendered_html: str | None = None   # the DOM after rendering
    page_id: str = ""
    operator: str | None = None
    findings: list[Any] = field(default_factory=list)        # analyzers.Finding
    site_findings: list[Any] = field(default_factory=list)   # restricted_name of the operator
    post_findings: list[Any] = field(default_factory=list)   # (posts.Post, Finding) per post
    evidence: list[dict[str, Any]] = field(default_factory=list)
    live_page: Any = None         # the Playwright page, open until evidence is taken
    record_kind: str = "page"     # page, or image: text read by OCR from an image of a page
    image: dict[str, Any] | None = None   # image records: page_url, sha256, format, ocr result
    wire: dict[str, Any] | None = None   # the exchange as received (size_limit.wire_of)
    hops: list[dict[str, Any]] = field(default_factory=list)  # redirects on the way (redirect_guard)
    render_loaded_at: datetime | None = None   # when the browser load of rendered_html ended
    warc: dict[str, Any] | None = None   # WarcPointer.to_dict() of this capture
