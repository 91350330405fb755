"""Read a capture back from its WARC byte range: for replay in the console, export and tests."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .storage import EvidenceError, EvidenceStorage, key_of

MAX_CAPTURE = 256 * 1024 * 1024  # a capture larger than this is not read into memory


@dataclass
class CaptureRecords:
    raw: bytes                                  # the records' bytes as stored (gzip members)
    response_status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""                           # payload, content coding removed
    target_uri: str = ""
    date: str = ""
    dom: bytes | None = None
    screenshot: bytes | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    types: list[str] = field(default_factory=list)
    # redirects followed before the page: (status, URL, Location, WARC-Date), oldest first
    hops: list[tuple[int, str, str, str]] = field(default_factory=list)


def read_raw(storage: EvidenceStorage, path: str, offset: int | None,
             length: int | None) -> bytes:
    key = key_of(path)
    if key is None or offset is None or length is None or offset < 0 or \
            not 0 < length <= MAX_CAPTURE:
        raise EvidenceError(f"not a capture pointer: {path!r} {offset!r} {length!r}")
    data = storage.read(key, offset, length)
    if len(data) != length:
        raise EvidenceError(f"{path}: capture at {offset} is cut short "
                            f"({len(data)} of {length} bytes)")
    return data


def parse_capture(raw: bytes) -> CaptureRecords:
    out = CaptureRecords(raw=raw)
    try:
        for record in ArchiveIterator(io.BytesIO(raw)):
            kind = record.rec_type
            out.types.append(kind)
            part = record.rec_headers.get_header("WARC-Patrol-Part") or ""
            if kind == "response" and part == "redirect-hop":
                status = int(record.http_headers.get_statuscode() or 0) \
                    if record.http_headers is not None else 0
                location = (record.http_headers.get_header("Location") or "") \
                    if record.http_headers is not None else ""
                out.hops.append((status, record.rec_headers.get_header("WARC-Target-URI") or "",
                                 location, record.rec_headers.get_header("WARC-Date") or ""))
                record.content_stream().read()
            elif kind == "response":
                out.target_uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                out.date = record.rec_headers.get_header("WARC-Date") or ""
                if record.http_headers is not None:
                    out.response_status = int(record.http_headers.get_statuscode() or 0)
                    out.response_headers = list(record.http_headers.headers)
                out.body = record.content_stream().read(MAX_CAPTURE)
            elif kind == "resource" and part == "rendered-dom":
                out.dom = record.content_stream().read(MAX_CAPTURE)
            elif kind == "resource" and part == "screenshot":
                out.screenshot = record.content_stream().read(MAX_CAPTURE)
            elif kind == "metadata":
                out.metadata = json.loads(record.content_stream().read(MAX_CAPTURE) or b"{}")
            else:
                record.content_stream().read()
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
        raise EvidenceError(f"capture is not readable WARC: {exc}") from None
    return out


def read_capture(storage: EvidenceStorage, path: str, offset: int | None,
                 length: int | None) -> CaptureRecords:
    return parse_capture(read_raw(storage, path, offset, length))
