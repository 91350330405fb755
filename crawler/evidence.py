"""The evidence of one fetched page, as a WARC capture plus a content-addressed screenshot.

Turns a PageItem into an `evidence.warc.Capture` (request, response as received, rendered DOM,
screenshot, metadata) and writes it through the run's WarcRunWriter into the evidence storage
(`evidence_url`). The page record lists what was written (EvidenceFile dicts): the capture
(`kind="warc"`: file, offset, length, response record id, SHA-256 of the decoded body), the
screenshot blob (`kind="screenshot"`) and, for an image read by OCR, the image blob
(`kind="image"`), with paths under `evidence/`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from evidence.storage import PREFIX, EvidenceStorage, open_storage
from evidence.warc import Capture, Hop, HttpExchange, WarcRunWriter
from findings.model import EvidenceFile, from_iso, to_iso
from settings import Settings

from .items import PageItem


def _exchange(wire: dict[str, Any]) -> HttpExchange:
    return HttpExchange(method=wire["method"], url=wire["url"],
                        request_headers=list(wire["request_headers"]),
                        status=int(wire["status"]), response_headers=list(wire["headers"]),
                        body=wire["body"], protocol=wire.get("protocol") or "HTTP/1.1")


def hops_of(item: PageItem) -> list[Hop]:
    """The redirects followed on the way to the page (redirect_guard.hop_of), oldest first."""
    return [Hop(_exchange(h), from_iso(h["at"]) or item.captured_at, bool(h.get("truncated")))
            for h in item.hops]


def exchange_of(item: PageItem) -> HttpExchange:
    """The HTTP exchange of the item: as received when the middleware kept it; otherwise (a
    page that did not pass it, e.g. built by a test) the decoded body with its headers."""
    wire = item.wire or {}
    if wire:
        return _exchange(wire)
    headers = [(k, v) for k, values in item.headers.items() for v in values
               if k.lower() != "content-encoding"]
    return HttpExchange(method="GET", url=item.final_url, request_headers=[],
                        status=item.status, response_headers=headers, body=item.body)


def shot_info(item: PageItem, taken_at: datetime | None, same_load: bool) -> dict[str, Any]:
    if taken_at is None:
        return {}
    if same_load:
        return {"load": "same", "taken_at": to_iso(taken_at),
                "note": "截图与渲染后的DOM来自同一次浏览器加载"}
    return {"load": "second", "taken_at": to_iso(taken_at),
            "note": f"页面抓取时未经浏览器渲染；截图为之后的第二次加载，时间 {to_iso(taken_at)}，"
                    f"内容可能与抓取时的响应不同"}


def _rule_of(f: Any) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "clause": f.clause,
            "evidence": f.evidence, "start": f.start, "end": f.end}


def metadata_of(item: PageItem, settings_target: str, run_id: str, shot: dict[str, Any],
                skips: list[str]) -> dict[str, Any]:
    wire = item.wire or {}
    findings = [*item.findings, *item.site_findings]
    return {
        "run": run_id, "target": settings_target, "page_id": item.page_id, "url": item.url,
        "final_url": item.final_url, "captured_at": to_iso(item.captured_at),
        # the redirects that led here, each also a response/request pair before this capture's
        "redirects": [{"url": h["url"], "status": h["status"], "at": h["at"],
                       "location": next((v for k, v in h["headers"] if k.lower() == "location"),
                                        "")} for h in item.hops],
        "platforms": sorted({f.platform for f in findings if getattr(f, "platform", None)}),
        "operator": item.operator,
        # the page's own findings; the operator's are stored once per site (source site:HOST)
        # and kept apart so a reader can match each list to the findings it proves
        "rules": [_rule_of(f) for f in item.findings],
        "site_rules": [_rule_of(f) for f in item.site_findings],
        "body": {"sha256_decoded": item.content_hash, "bytes_decoded": len(item.body),
                 "bytes_received": len(wire.get("body", item.body)),
                 "encoding": item.encoding, "charset_source": item.charset_source,
                 "as_received": bool(wire)},
        "rendered": {"rendered": item.rendered, "reason": item.render_reason,
                     "loaded_at": to_iso(item.render_loaded_at)},
        "screenshot": shot, "skip_reasons": skips,
        "image": item.image,   # an image read by OCR: the page that showed it, words, boxes
    }


class CaptureWriter:
    """The evidence of one patrol run (one per crawling process)."""

    def __init__(self, settings: Settings, target: str, run_id: str,
                 storage: EvidenceStorage | None = None) -> None:
        self.storage = storage or open_storage(settings)
        self.target = target
        self.run_id = run_id
        self.warc = WarcRunWriter(self.storage, target, run_id,
                                  max_bytes=int(settings["evidence_warc_max_bytes"]),
                                  info={"patrol-target": target})

    def write(self, item: PageItem, screenshot: bytes | None = None,
              shot: dict[str, Any] | None = None,
              skips: list[str] | None = None) -> list[dict[str, Any]]:
        """Write the capture; returns the EvidenceFile dicts and sets `item.warc`."""
        capture = Capture(
            page_id=item.page_id, url=item.final_url, captured_at=item.captured_at,
            exchange=exchange_of(item), dom=item.rendered_html, screenshot=screenshot,
            metadata=metadata_of(item, self.target, self.run_id, shot or {}, skips or []),
            hops=hops_of(item))
        pointer = self.warc.write(capture)
        item.warc = pointer.to_dict()
        records = [{**EvidenceFile(kind="warc", path=pointer.path, sha256=item.content_hash,
                                   bytes=len(item.body)).to_dict(),
                    "offset": pointer.offset, "length": pointer.length,
                    "record_id": pointer.response_id}]
        if item.record_kind == "image":
            # the picture itself, stored once by its SHA-256, so the console can draw the box
            # of the words over it (the WARC response record holds the same bytes as fetched)
            fmt = re.sub(r"[^a-z0-9]", "", str((item.image or {}).get("format") or "img").lower())
            key = self.storage.put_blob(item.body, fmt[:8] or "img")
            records.append(EvidenceFile(kind="image", path=PREFIX + key, sha256=item.content_hash,
                                        bytes=len(item.body)).to_dict())
        if screenshot:
            key = self.storage.put_blob(screenshot, "png")
            records.append(EvidenceFile(kind="screenshot", path=PREFIX + key,
                                        sha256=key.rsplit("/", 1)[-1].split(".")[0],
                                        bytes=len(screenshot)).to_dict())
        return records

    def close(self) -> None:
        self.warc.close()
        self.storage.replay()
