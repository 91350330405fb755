"""Evidence files of one page: gzip body, rendered DOM, screenshot and a JSON sidecar.

Layout: DATA_DIR/evidence/<target>/<YYYY-MM-DD>/<page id>.{body.gz,dom.html.gz,png,json}.
The sidecar repeats what the page record holds (URL, final URL, status, headers, capture time)
with the SHA-256 of the body as received and of every file, so the files can be checked on
their own, years later, without the store.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from findings.model import EvidenceFile
from settings import Settings

from .items import PageItem

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceWriter:
    def __init__(self, settings: Settings, target: str) -> None:
        self.settings = settings
        self.root = settings.data_dir
        self.target = _SAFE.sub("-", target)[:80] or "target"

    def _path(self, item: PageItem, suffix: str) -> Path:
        day = item.captured_at.strftime("%Y-%m-%d")
        return self.settings.data_path("evidence", self.target, day, f"{item.page_id}.{suffix}")

    def _write(self, path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # never a half-written evidence file under the final name

    def _record(self, kind: str, path: Path, data: bytes, content_sha: str | None = None,
                size: int | None = None) -> dict[str, Any]:
        return EvidenceFile(kind=kind, path=path.relative_to(self.root).as_posix(),
                            sha256=content_sha or sha256(data),
                            bytes=size if size is not None else len(data)).to_dict()

    def write_image(self, item: PageItem) -> dict[str, Any]:
        """Keep an image OCR read, byte for byte, named by its format, with its SHA-256: the
        proof of what the picture said (its text and boxes are in the sidecar)."""
        fmt = _SAFE.sub("", str((item.image or {}).get("format") or "img"))[:8] or "img"
        path = self._path(item, fmt)
        self._write(path, item.body)
        return self._record("image", path, item.body, item.content_hash, len(item.body))

    def write(self, item: PageItem, screenshot: bytes | None = None) -> list[dict[str, Any]]:
        """Write the files; return EvidenceFile dicts. For `body` the hash and size are those
        of the body as received (= the page's content hash); for the others, of the file."""
        records: list[dict[str, Any]] = []
        files: dict[str, dict[str, Any]] = {}
        if item.record_kind == "image":
            records.append(self.write_image(item))
            files["image"] = {"path": records[-1]["path"], "sha256": records[-1]["sha256"]}
        else:
            body_path = self._path(item, "body.gz")
            packed = gzip.compress(item.body, compresslevel=6, mtime=0)
            self._write(body_path, packed)
            records.append(self._record("body", body_path, packed, item.content_hash,
                                        len(item.body)))
            files["body"] = {"path": records[-1]["path"], "sha256_gz": sha256(packed)}
        if item.rendered_html is not None:
            dom = item.rendered_html.encode("utf-8")
            dom_path = self._path(item, "dom.html.gz")
            packed_dom = gzip.compress(dom, compresslevel=6, mtime=0)
            self._write(dom_path, packed_dom)
            records.append(self._record("rendered", dom_path, packed_dom, sha256(dom), len(dom)))
            files["rendered"] = {"path": records[-1]["path"], "sha256_gz": sha256(packed_dom)}
        if screenshot:
            shot_path = self._path(item, "png")
            self._write(shot_path, screenshot)
            records.append(self._record("screenshot", shot_path, screenshot))
            files["screenshot"] = {"path": records[-1]["path"], "sha256": sha256(screenshot)}
        sidecar = {
            "url": item.url, "final_url": item.final_url, "status": item.status,
            "headers": item.headers, "captured_at": item.captured_at.isoformat(),
            "body_sha256": item.content_hash, "body_bytes": len(item.body),
            "encoding": item.encoding, "charset_source": item.charset_source,
            "rendered": item.rendered, "render_reason": item.render_reason,
            "page_id": item.page_id, "target": self.target, "files": files,
            "findings": [{"rule": f.rule, "severity": f.severity, "evidence": f.evidence,
                          "start": f.start, "end": f.end} for f in item.findings],
            "operator": item.operator,
            "image": item.image,
        }
        meta = json.dumps(sidecar, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        meta_path = self._path(item, "json")
        self._write(meta_path, meta)
        records.append(self._record("metadata", meta_path, meta))
        return records
