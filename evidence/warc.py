"""Captures as WARC/1.1 records (warcio): files per run, rotated at a size limit, gzip per record.

One capture is written contiguously. When the page was reached through redirects, each
followed 3xx comes first, oldest first, as its own pair (WARC-Date: when it was received;
`WARC-Patrol-Part: redirect-hop`, `WARC-Patrol-Hop: N`; a body cut at the crawler's limit
carries `WARC-Truncated: length`):

  response   the 3xx status line, headers (Location) and body as received
  request    the request that got it                            (Concurrent-To that response)

then the page itself, all records with the same WARC-Date:

  response   the HTTP status line, headers and body as received (see "What the bytes are")
  request    the request line and headers the crawler sent       (Concurrent-To the response)
  resource   the rendered DOM, text/html, when the page was rendered (Concurrent-To the response)
  resource   the screenshot, image/png, when one was taken          (Concurrent-To the response)
  metadata   JSON: run, target, page id, platform, rules found, skip reasons, and how the DOM
             and the screenshot relate to the response (same browser load or a second load,
             and when)                                                (Concurrent-To the response)

Every record carries WARC-Block-Digest and, for HTTP records, WARC-Payload-Digest (SHA-256,
base32). Each file starts with one `warcinfo` record. A capture is located by the file, the
offset of its first record and the length of all its records: `WarcPointer`; reading that byte
range gives a valid stream of gzip members that any WARC reader accepts on its own.

What the bytes are: Scrapy's HTTP client removes chunked transfer coding before anyone sees the
body, and its decompression middleware removes gzip/br/zstd. The crawler keeps the body *before*
decompression, so the response record holds the content-coded bytes exactly as the server sent
them, with their Content-Encoding header. Transfer-Encoding cannot be kept: the record drops that
header, sets Content-Length to the body's length, and says so in `WARC-Patrol-Note`. The request
record is rebuilt from the request as the crawler sent it (method, target, headers); the
socket-level bytes are not available to Scrapy.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import responses as REASONS
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from .storage import PREFIX, EvidenceStorage

SOFTWARE = "finance-patrol (warcio)"
WARC_VERSION = "WARC/1.1"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive"}


GZIP_LEVEL = 1


class _Gzip:
    """One gzip member per record at level 1. warcio's own wrapper uses level 9: on the crawl
    benchmark's pages level 1 writes a capture in 0.50 ms instead of 0.70 ms (level 6) for 2%
    more bytes, and WARC writing must stay under 10% of a patrol's time."""

    def __init__(self, out: IO[bytes], level: int = GZIP_LEVEL) -> None:
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class PatrolWARCWriter(WARCWriter):
    """warcio's writer with SHA-256 digests (warcio's default is SHA-1) and gzip level 1."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")

    def _write_warc_record(self, out: IO[bytes], record: Any) -> None:
        if not self.gzip:
            super()._write_warc_record(out, record)
            return
        self.gzip = False   # warcio would wrap `out` in its own level-9 compressor
        try:
            super()._write_warc_record(_Gzip(out), record)   # ends with flush(): member done
        finally:
            self.gzip = True


@dataclass
class HttpExchange:
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes                       # as received: still content-coded when it was
    protocol: str = "HTTP/1.1"


@dataclass
class Hop:
    """A redirect followed on the way to the page."""

    exchange: HttpExchange
    at: datetime
    truncated: bool = False           # the body was cut at the crawler's limit


@dataclass
class Capture:
    page_id: str
    url: str                          # the URL fetched last (after redirects)
    captured_at: datetime
    exchange: HttpExchange
    dom: str | None = None            # rendered DOM
    screenshot: bytes | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    hops: list[Hop] = field(default_factory=list)   # redirects followed, oldest first


@dataclass(frozen=True)
class WarcPointer:
    path: str          # evidence/warc/...warc.gz
    offset: int
    length: int
    response_id: str   # WARC-Record-ID of the response record

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "offset": self.offset, "length": self.length,
                "record_id": self.response_id}


def warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def _request_line(exchange: HttpExchange) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(exchange.request_headers)
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return f"{exchange.method} {target} {exchange.protocol}", headers


def _response_headers(exchange: HttpExchange) -> tuple[list[tuple[str, str]], str]:
    """Headers as received minus the hop-by-hop ones the client consumed, and a note."""
    kept, dropped = [], []
    for name, value in exchange.response_headers:
        if name.lower() in HOP_BY_HOP:
            dropped.append(name)
        elif name.lower() == "content-length":
            continue
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(len(exchange.body))))
    note = ""
    if dropped:
        note = (f"header(s) {', '.join(sorted(set(dropped)))} removed: the HTTP client consumed "
                f"the transfer coding; the body is the message body as decoded from it, "
                f"content coding kept")
    return kept, note


class WarcRunWriter:
    """The WARC files of one patrol run. Not thread-safe: one writer per crawling process."""

    def __init__(self, storage: EvidenceStorage, target: str, run_id: str,
                 max_bytes: int = 1_000_000_000, info: dict[str, Any] | None = None) -> None:
        self.storage = storage
        self.target = _SAFE.sub("-", target)[:80] or "target"
        self.run_id = _SAFE.sub("-", run_id)[:64] or "run"
        self.max_bytes = max(1, max_bytes)
        self.info = dict(info or {})
        self.seq = 0
        # Several workers (processes, machines) may write captures of one run into the same
        # shared storage: each writer's files carry its own id, so no two ever share a name.
        self.writer_id = secrets.token_hex(3)
        self.key = ""
        self._fh: IO[bytes] | None = None
        self._writer: PatrolWARCWriter | None = None
        self.files: list[str] = []
        self._handovers: list[threading.Thread] = []

    # -- files ---------------------------------------------------------------------------------
    def _open(self, when: datetime) -> None:
        self.seq += 1
        day = when.astimezone(UTC).strftime("%Y-%m-%d")
        self.key = (f"warc/{self.target}/{day}/{self.run_id}-{self.writer_id}-"
                    f"{self.seq:05d}.warc.gz")
        self._fh = open(self.storage.staging_path(self.key), "wb")  # noqa: SIM115 - kept open
        self._writer = PatrolWARCWriter(self._fh, gzip=True, warc_version=WARC_VERSION)
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                              "warc-format/warc-1.1/",
                "run": self.run_id, "target": self.target, **self.info}
        self._writer.write_record(self._writer.create_warcinfo_record(
            self.key.rsplit("/", 1)[-1], info))
        self.files.append(PREFIX + self.key)

    def _rotate_if_needed(self, when: datetime) -> None:
        if self._fh is not None and self._fh.tell() >= self.max_bytes:
            self.close_file(wait=False)
        if self._fh is None:
            self._open(when)

    def close_file(self, wait: bool = True) -> None:
        if self._fh is None:
            return
        self._fh.close()
        self._fh, self._writer = None, None
        if wait:
            self.storage.commit(self.key)
            return
        # A rotated file is handed over beside the crawl: uploading a gigabyte to object
        # storage must not stall the reactor thread that writes the next captures.
        handover = threading.Thread(target=self.storage.commit, args=(self.key,),
                                    name=f"warc-commit-{self.seq}", daemon=True)
        handover.start()
        self._handovers.append(handover)

    def close(self) -> None:
        self.close_file()
        for handover in self._handovers:
            handover.join()
        self._handovers.clear()

    # -- records -------------------------------------------------------------------------------
    def _write_exchange(self, ex: HttpExchange, date: str, extra: dict[str, str]) -> str:
        """A response record and its request record; returns the response's record id."""
        w = self._writer
        assert w is not None
        headers, note = _response_headers(ex)
        reason = REASONS.get(ex.status, "")
        warc_headers = {"WARC-Date": date, **extra}
        if note:
            warc_headers["WARC-Patrol-Note"] = note
        response = w.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
            warc_headers_dict=warc_headers,
            http_headers=StatusAndHeaders(f"{ex.status} {reason}".strip(), headers,
                                          protocol=ex.protocol))
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        w.write_record(response)
        line, req_headers = _request_line(ex)
        w.write_record(w.create_warc_record(
            ex.url, "request", payload=io.BytesIO(b""), length=0,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
            http_headers=StatusAndHeaders(line, req_headers, is_http_request=True)))
        return response_id

    def write(self, capture: Capture) -> WarcPointer:
        self._rotate_if_needed(capture.captured_at)
        assert self._fh is not None and self._writer is not None
        w = self._writer
        start = self._fh.tell()
        for n, hop in enumerate(capture.hops, 1):
            extra = {"WARC-Patrol-Page": capture.page_id, "WARC-Patrol-Part": "redirect-hop",
                     "WARC-Patrol-Hop": str(n)}
            if hop.truncated:
                extra["WARC-Truncated"] = "length"
            self._write_exchange(hop.exchange, warc_date(hop.at), extra)
        date = warc_date(capture.captured_at)
        response_id = self._write_exchange(capture.exchange, date,
                                           {"WARC-Patrol-Page": capture.page_id})
        linked = {"WARC-Date": date, "WARC-Concurrent-To": response_id}
        if capture.dom is not None:
            dom = capture.dom.encode("utf-8")
            w.write_record(w.create_warc_record(
                capture.url, "resource", payload=io.BytesIO(dom), length=len(dom),
                warc_content_type="text/html; charset=utf-8",
                warc_headers_dict={**linked, "WARC-Patrol-Part": "rendered-dom"}))
        if capture.screenshot:
            w.write_record(w.create_warc_record(
                capture.url, "resource", payload=io.BytesIO(capture.screenshot),
                length=len(capture.screenshot), warc_content_type="image/png",
                warc_headers_dict={**linked, "WARC-Patrol-Part": "screenshot"}))
        meta = json.dumps(capture.metadata, ensure_ascii=False, sort_keys=True,
                          default=str).encode("utf-8")
        w.write_record(w.create_warc_record(
            capture.url, "metadata", payload=io.BytesIO(meta), length=len(meta),
            warc_content_type="application/json",
            warc_headers_dict={**linked, "WARC-Patrol-Part": "capture-metadata"}))
        self._fh.flush()
        return WarcPointer(PREFIX + self.key, start, self._fh.tell() - start, response_id)
