"""Case packages: one zip that lets anyone check what a page said, when, and that nobody changed it.

Contents:
  captures.warc.gz   a new WARC: one warcinfo record, then each capture's records copied byte
                     for byte from the patrol's WARC files (same record ids, same digests)
  screenshots/       each screenshot once, named by its SHA-256
  index.html         the findings for people, in Chinese; inert (no script, a CSP that forbids
                     everything but the package's own images and inline style)
  manifest.json      every file's SHA-256 and size; per finding its URL, capture time, rule,
                     plan clause, where its capture is in captures.warc.gz, and the review
                     decisions with who and when (the chain of custody)
  manifest.json.tsr  RFC 3161 timestamp over the manifest's SHA-256, when evidence_tsa_url is set
  tsa-ca.pem         the CA certificate of evidence_tsa_ca_file, when set (for the recipient)

A tip's package also carries the tip (`manifest["tip"]`, shown first in index.html): what was
reported, when, through which channel and who handled it; never the tipster's contact.

A record of each package (`cases/<id>.json` in the evidence storage: the WARC files and blobs it
was built from, the manifest's hash) keeps pruning away from what an exported case needs.
`build_case` takes finding ids (and a tip's own record), so selections by finding, query,
platform or tip (platforms/cases.py) all end here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.timefmt import configured_zone
from findings import FindingRecord, Store, utcnow
from findings.model import to_iso
from settings import Settings

from .html import render_index
from .read import parse_capture, read_raw
from .storage import EvidenceError, EvidenceStorage, key_of, sha256_hex, write_atomic
from .timestamp import TimestampError, request_token
from .warc import WARC_VERSION, PatrolWARCWriter

FORMAT = "finance-patrol case package 1"
WARC_NAME = "captures.warc.gz"
MANIFEST = "manifest.json"
TOKEN = "manifest.json.tsr"
TSA_CA = "tsa-ca.pem"
MAX_FINDINGS = 10_000


@dataclass
class CaseResult:
    path: Path
    case_id: str
    manifest_sha256: str
    findings: int
    captures: int
    timestamped: bool
    warnings: list[str] = field(default_factory=list)
    warc_files: list[str] = field(default_factory=list)   # the patrol WARC files it drew on


def _warcinfo(case_id: str, title: str) -> bytes:
    buf = io.BytesIO()
    writer = PatrolWARCWriter(buf, gzip=True, warc_version=WARC_VERSION)
    writer.write_record(writer.create_warcinfo_record(WARC_NAME, {
        "software": "finance-patrol case export", "format": "WARC File Format 1.1",
        "description": f"case {case_id}: {title}"[:500],
        "note": "records after this one are copied byte for byte from the patrol's WARC files"}))
    return buf.getvalue()


def _finding_entry(f: FindingRecord, decisions: list[Any]) -> dict[str, Any]:
    return {
        "id": f.id, "rule": f.rule, "rule_name": f.rule_name, "severity": f.severity,
        "clause": f.clause, "lead": f.lead, "source": f.source,
        "url": (f.extra or {}).get("url") or f.source, "evidence": f.evidence,
        "context": f.context, "kind": f.kind, "platform": f.platform, "operator": f.operator,
        "status": f.status, "forwarded_to": f.forwarded_to,
        "captured_at": to_iso(f.captured_at), "first_seen": to_iso(f.first_seen),
        "last_seen": to_iso(f.last_seen), "gone_at": to_iso(f.gone_at),
        "page_id": f.page_id, "run_id": f.run_id,
        "decisions": [{"decision": d.decision, "by": d.by, "at": to_iso(d.at), "note": d.note,
                       "to": d.to} for d in decisions],
    }


def _pointer(store: Store, f: FindingRecord) -> tuple[str, int, int] | None:
    if f.warc_file and f.warc_offset is not None and f.warc_length:
        return f.warc_file, f.warc_offset, f.warc_length
    page = store.get_page(f.page_id) if f.page_id else None
    if page and page.warc_file and page.warc_offset is not None and page.warc_length:
        return page.warc_file, page.warc_offset, page.warc_length
    return None


class _CaseZip:
    """The package being written: members go to a temporary zip on disk as they come (memory
    stays bounded by one capture), each member's SHA-256 and size are kept for the manifest."""

    def __init__(self, out: Path, when: Any) -> None:
        self.out = out
        self.when = when
        self.tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        self.zip = zipfile.ZipFile(self.tmp, "w")
        self.files: dict[str, dict[str, Any]] = {}

    def add(self, name: str, data: bytes, listed: bool = True) -> None:
        packed = name.endswith((".json", ".html", ".pem"))
        self.zip.writestr(_entry(name, self.when), data, compress_type=(
            zipfile.ZIP_DEFLATED if packed else zipfile.ZIP_STORED))
        if listed:
            self.files[name] = {"path": name, "sha256": sha256_hex(data), "bytes": len(data)}

    def add_file(self, name: str, path: Path, digest: str, size: int) -> None:
        self.zip.write(path, name,
                       compress_type=zipfile.ZIP_STORED)
        self.files[name] = {"path": name, "sha256": digest, "bytes": size}

    def finish(self) -> None:
        self.zip.close()
        os.chmod(self.tmp, 0o640)
        os.replace(self.tmp, self.out)   # never a half-written package under the final name

    def abandon(self) -> None:
        self.zip.close()
        self.tmp.unlink(missing_ok=True)


def _load_findings(store: Store, finding_ids: list[str], allow_none: bool = False
                   ) -> list[FindingRecord]:
    ids = list(dict.fromkeys(finding_ids))
    if not ids and not allow_none:
        raise EvidenceError("no findings selected: a case needs at least one finding")
    if len(ids) > MAX_FINDINGS:
        raise EvidenceError(f"{len(ids)} findings selected; a case holds at most {MAX_FINDINGS}")
    found = {fid: store.get_finding(fid) for fid in ids}
    missing = [fid for fid, f in found.items() if f is None]
    if missing:
        raise EvidenceError(f"unknown finding id(s): {', '.join(missing[:10])}")
    return [f for f in found.values() if f is not None]


def build_case(store: Store, storage: EvidenceStorage, settings: Settings,
               finding_ids: list[str], out: Path, *, title: str = "",
               actor: str = "", selection: dict[str, Any] | None = None,
               delivered: str = "", tip: dict[str, Any] | None = None) -> CaseResult:
    """Build the case package of `finding_ids` at `out` (a .zip); EvidenceError on failure.
    With `tip` (platforms.cases.tip_entry) the tip is part of the case, findings or none."""
    findings = _load_findings(store, finding_ids, allow_none=tip is not None)
    now = utcnow()
    case_id = f"case-{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"
    title = title or f"{len(findings)} 条发现"
    out = out if out.suffix == ".zip" else out.with_suffix(".zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    package = _CaseZip(out, now)
    try:
        result = _write_case(package, store, storage, settings, findings, case_id, title, now,
                             actor, selection, tip)
        package.finish()
    except BaseException:
        package.abandon()
        raise
    record_case(storage, case_id, result.manifest_sha256, delivered or str(out), findings,
                result.warc_files, now)
    return result


def _write_case(package: _CaseZip, store: Store, storage: EvidenceStorage, settings: Settings,
                findings: list[FindingRecord], case_id: str, title: str, now: Any, actor: str,
                selection: dict[str, Any] | None, tip: dict[str, Any] | None) -> CaseResult:
    warnings: list[str] = []
    captures: dict[tuple[str, int], dict[str, Any]] = {}
    entries = []
    warc_path = package.tmp.with_name(package.tmp.name + ".warc")
    warc_digest = hashlib.sha256()
    try:
        with open(warc_path, "wb") as warc:
            head = _warcinfo(case_id, title)
            warc.write(head)
            warc_digest.update(head)
            for f in findings:
                entry = _finding_entry(f, store.decisions(f.id))
                pointer = _pointer(store, f)
                if pointer is None:
                    entry["capture"] = None
                    if f.kind != "enterprise":
                        warnings.append(f"finding {f.id}: no WARC capture recorded")
                    entries.append(entry)
                    continue
                path, offset, length = pointer
                known = captures.get((path, offset))
                if known is None:
                    raw = read_raw(storage, path, offset, length)
                    parsed = parse_capture(raw)
                    if "response" not in parsed.types:
                        raise EvidenceError(f"{path} at {offset}: no response record")
                    shot = ""
                    if parsed.screenshot:
                        shot = f"screenshots/{sha256_hex(parsed.screenshot)}.png"
                        if shot not in package.files:
                            package.add(shot, parsed.screenshot)
                    known = {
                        "offset": warc.tell(), "length": len(raw), "source_file": path,
                        "source_offset": offset, "target_uri": parsed.target_uri,
                        "warc_date": parsed.date, "status": parsed.response_status,
                        "body_sha256": sha256_hex(parsed.body), "screenshot": shot,
                        "screenshot_load": (parsed.metadata.get("screenshot") or {}),
                        "rendered": parsed.dom is not None, "record_types": parsed.types,
                        "redirects": [{"status": s, "url": u, "location": loc, "warc_date": d}
                                      for s, u, loc, d in parsed.hops],
                    }
                    warc.write(raw)
                    warc_digest.update(raw)
                    captures[(path, offset)] = known
                entry["capture"] = dict(known)
                entries.append(entry)
            warc_size = warc.tell()
        package.add_file(WARC_NAME, warc_path, warc_digest.hexdigest(), warc_size)
    finally:
        warc_path.unlink(missing_ok=True)
    package.add("index.html", render_index(case_id, title, now, entries, captures,
                                           configured_zone(settings), tip))
    manifest = {
        "format": FORMAT, "case_id": case_id, "title": title, "created_at": to_iso(now),
        "created_by": actor,
        "selection": selection or {"finding_ids": [f.id for f in findings]},
        "plan": "清远市互联网金融风险专项整治工作实施方案（2016）",
        "files": [package.files[name] for name in sorted(package.files)],
        "findings": entries,
        **({"tip": tip} if tip is not None else {}),
        "verify": "patrol evidence verify PACKAGE.zip",
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1,
                                sort_keys=True).encode("utf-8")
    manifest_sha = sha256_hex(manifest_bytes)
    package.add(MANIFEST, manifest_bytes, listed=False)
    timestamped = _timestamp(package, settings, manifest_sha)
    return CaseResult(package.out, case_id, manifest_sha, len(findings), len(captures),
                      timestamped, warnings, sorted({p for p, _ in captures}))


def _timestamp(package: _CaseZip, settings: Settings, manifest_sha: str) -> bool:
    tsa_url = str(settings["evidence_tsa_url"] or "")
    if not tsa_url:
        return False
    try:
        package.add(TOKEN, request_token(tsa_url, manifest_sha), listed=False)
    except TimestampError as exc:
        raise EvidenceError(f"no timestamp for the package: {exc}") from None
    if settings["evidence_tsa_ca_file"]:
        ca_file = settings.path("evidence_tsa_ca_file")
        try:
            package.add(TSA_CA, ca_file.read_bytes(), listed=False)
        except OSError as exc:
            raise EvidenceError(f"evidence_tsa_ca_file {ca_file}: {exc.strerror}") from None
    return True


def _entry(name: str, when: Any) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.external_attr = 0o644 << 16
    return info


def record_case(storage: EvidenceStorage, case_id: str, manifest_sha: str, out: str,
                findings: list[FindingRecord], warc_files: list[str], when: Any) -> None:
    record = {"case_id": case_id, "created_at": to_iso(when), "manifest_sha256": manifest_sha,
              "package": out, "finding_ids": [f.id for f in findings],
              "warc_files": warc_files}
    data = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
    key = f"cases/{case_id}.json"
    path = storage.staging_path(key)
    write_atomic(path, data)
    storage.commit(key)


def case_records(storage: EvidenceStorage) -> list[dict[str, Any]]:
    """Every exported case's record (what it was built from)."""
    out = []
    for obj in storage.list("cases/"):
        try:
            out.append(json.loads(storage.read(obj.key)))
        except ValueError:  # unreadable: pruning must stop rather than guess what it protects
            raise EvidenceError(f"case record {obj.key} is not valid JSON") from None
    return out


__all__ = ["CaseResult", "build_case", "case_records", "key_of"]
