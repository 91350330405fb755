"""Security posture, passive (plan 四(三)): judged only from what the patrol already fetched
and kept as evidence (the JSON sidecar and gzip body of each page), never by scanning.

Checks: pages served over HTTPS or plain HTTP; password or ID-number fields on pages served
over plain HTTP; whether an ICP number is shown and well formed. The patrol does not record TLS
certificates, so validity and expiry are reported as not recorded rather than guessed.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
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


def _sidecars(data_dir: Path, targets: list[str]) -> list[Path]:
    """JSON sidecars of the latest patrol day of each target, newest first."""
    found: list[Path] = []
    for target in targets:
        root = data_dir / "evidence" / (_SAFE.sub("-", target)[:80] or "target")
        if not root.is_dir():
            continue
        days = sorted((d for d in root.iterdir() if d.is_dir()), reverse=True)
        if days:
            found += sorted(days[0].glob("*.json"))[:MAX_PAGES]
    return found[:MAX_PAGES]


def _body(data_dir: Path, meta: dict[str, Any]) -> str:
    rel = ((meta.get("files") or {}).get("body") or {}).get("path")
    if not isinstance(rel, str):
        return ""
    path = (data_dir / rel).resolve()
    if not path.is_relative_to(data_dir.resolve()) or not path.is_file():
        return ""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read(MAX_BODY)
    except (OSError, EOFError):
        return ""
    return raw.decode(str(meta.get("encoding") or "utf-8"), errors="replace") \
        if _known_codec(meta.get("encoding")) else raw.decode("utf-8", errors="replace")


def _known_codec(name: Any) -> bool:
    import codecs

    try:
        codecs.lookup(str(name))
    except LookupError:
        return False
    return bool(name)


def assess(data_dir: Path, targets: list[str]) -> Posture:
    """The posture from the evidence kept for the platform's patrol targets."""
    posture = Posture()
    for path in _sidecars(data_dir, targets):
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("unreadable evidence sidecar %s: %s", path, exc)
            continue
        url = str(meta.get("final_url") or meta.get("url") or "")
        parts = urlsplit(url)
        posture.pages += 1
        html = _body(data_dir, meta)
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
