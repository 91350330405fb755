"""Security posture, passive (plan 四(三)): judged only from what the patrol already fetched
and kept as evidence (the WARC response records of the target's latest patrol day, read from
the evidence storage), never by scanning.

Checks: pages served over HTTPS or plain HTTP; password or ID-number fields on pages served
over plain HTTP; whether an ICP number is shown and well formed. The patrol does not record TLS
certificates, so validity and expiry are reported as not recorded rather than guessed.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from findings.model import _Record

from .codes import ICP_IN_TEXT, InvalidCode, normalize_icp

log = logging.getLogger(__name__)

MAX_PAGES = 200
MAX_BODY = 2 * 1024 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PASSWORD = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password", re.I)
_ID_FIELD = re.compile(r"<input\b[^>]*\b(?:name|id|placeholder)\s*=\s*[\"']?[^\"'>]*"
                       r"(?:idcard|id_card|idno|id_no|sfz|certno|身份证)", re.I)


@dataclass
class Posture(_Record):
    pages: int = 0
    https_pages: int = 0
    http_pages: int = 0
    password_over_http: list[str] = field(default_factory=list)   # URLs
    id_over_http: list[str] = field(default_factory=list)
    icp_shown: str = ""          # the well-formed number shown, if any
    icp_malformed: str = ""      # something that looks like an ICP number but is not well formed
    certificate: str = "未记录（巡查不采集证书信息）"

    def findings(self) -> list[str]:
        """The posture's problems, in Chinese, for the platform page and the score."""
        out = []
        if self.pages and self.http_pages:
            out.append(f"{self.http_pages}/{self.pages} 个页面未使用 HTTPS")
        if self.password_over_http:
            out.append(f"{len(self.password_over_http)} 个页面以明文 HTTP 收集密码")
        if self.id_over_http:
            out.append(f"{len(self.id_over_http)} 个页面以明文 HTTP 收集身份证号")
        if self.pages and not self.icp_shown:
            out.append("页面未展示格式正确的 ICP 备案号" + (
                f"（见到“{self.icp_malformed}”）" if self.icp_malformed else ""))
        return out


def _responses(storage: Any, targets: list[str]) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of the response records of each target's latest patrol day, at most
    MAX_PAGES in all; an unreadable file is logged and passed over."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from evidence.storage import EvidenceError

    seen = 0
    for target in targets:
        prefix = f"warc/{_SAFE.sub('-', target)[:80] or 'target'}/"
        try:
            keys = sorted(o.key for o in storage.list(prefix) if o.key.endswith(".warc.gz"))
        except (EvidenceError, OSError) as exc:
            log.warning("evidence of %s not listed: %s", target, exc)
            continue
        latest = keys[-1].split("/")[2] if keys else ""
        for key in (k for k in keys if k.split("/")[2] == latest):
            try:
                records = ArchiveIterator(io.BytesIO(storage.read(key)))
                for record in records:
                    if record.rec_type != "response":
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    charset = "utf-8"
                    headers = record.http_headers
                    ctype = (headers.get_header("Content-Type") or "") if headers else ""
                    if "charset=" in ctype and _known_codec(ctype.split("charset=")[-1].strip()):
                        charset = ctype.split("charset=")[-1].strip()
                    raw = record.content_stream().read(MAX_BODY)
                    yield url, raw.decode(charset, errors="replace")
                    seen += 1
                    if seen >= MAX_PAGES:
                        return
            except (EvidenceError, OSError, ValueError, ArchiveLoadFailed) as exc:
                log.warning("unreadable WARC file %s: %s", key, exc)


def _known_codec(name: Any) -> bool:
    import codecs

    try:
        codecs.lookup(str(name))
    except LookupError:
        return False
    return bool(name)


def assess(storage: Any, targets: list[str]) -> Posture:
    """The posture from the captures kept for the platform's patrol targets."""
    posture = Posture()
    for url, html in _responses(storage, targets):
        parts = urlsplit(url)
        posture.pages += 1
        if parts.scheme == "https":
            posture.https_pages += 1
        else:
            posture.http_pages += 1
            if _PASSWORD.search(html):
                posture.password_over_http.append(url)
            if _ID_FIELD.search(html):
                posture.id_over_http.append(url)
        if not posture.icp_shown:
            for match in ICP_IN_TEXT.finditer(html):
                try:
                    posture.icp_shown = normalize_icp(match.group(0))
                    break
                except InvalidCode:
                    posture.icp_malformed = match.group(0)[:40]
            if not posture.icp_shown and not posture.icp_malformed:
                loose = re.search(r"ICP[^<\n]{0,20}", html)
                if loose:
                    posture.icp_malformed = loose.group(0)[:40]
    return posture
