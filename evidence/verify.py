"""Check a case package: every file's hash and size, the WARC digests, the captures the findings
name, and the timestamp token. Every problem is reported, each in one sentence naming the file.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .package import FORMAT, MANIFEST, TOKEN, TSA_CA, WARC_NAME
from .storage import sha256_hex
from .timestamp import TimestampError, inspect_token, signer_certs, verify_token

MAX_SMALL = 64 * 1024 * 1024   # manifest, token, certificate: read whole
CHUNK = 1024 * 1024


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: int = 0
    files: int = 0
    case_id: str = ""
    manifest_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _read(z: zipfile.ZipFile, name: str, report: Report) -> bytes | None:
    """A small member, whole (manifest, token, certificate)."""
    try:
        info = z.getinfo(name)
    except KeyError:
        report.problems.append(f"{name}: missing from the package")
        return None
    if info.file_size > MAX_SMALL:
        report.problems.append(f"{name}: larger than 64 MiB, not read")
        return None
    try:
        return z.read(name)
    except Exception as exc:  # noqa: BLE001 - CRC mismatch, zlib and lzma errors alike
        report.problems.append(f"{name}: damaged inside the zip ({exc})")
        return None


def _digest(z: zipfile.ZipFile, name: str, report: Report) -> tuple[str, int] | None:
    """SHA-256 and size of a member, streamed (a package may hold gigabytes of captures)."""
    try:
        z.getinfo(name)
    except KeyError:
        report.problems.append(f"{name}: listed in the manifest but missing from the package")
        return None
    digest, size = hashlib.sha256(), 0
    try:
        with z.open(name) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except Exception as exc:  # noqa: BLE001 - a changed byte: CRC mismatch, or a zlib error
        report.problems.append(f"{name}: damaged inside the zip ({exc})")
        return None
    return digest.hexdigest(), size


def _check_warc(stream: IO[bytes], report: Report) -> dict[int, tuple[str, str]]:
    """Digest check of every record; returns offset -> (type, record id)."""
    records: dict[int, tuple[str, str]] = {}
    try:
        it = ArchiveIterator(stream, check_digests=True)
        for record in it:
            record.content_stream().read()
            rid = record.rec_headers.get_header("WARC-Record-ID") or ""
            offset = it.get_record_offset()
            records[offset] = (record.rec_type, rid)
            if record.digest_checker.passed is False:
                detail = "; ".join(str(p) for p in record.digest_checker.problems)
                report.problems.append(f"{WARC_NAME}: {record.rec_type} record {rid} at offset "
                                       f"{offset} fails its digest ({detail})")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        report.problems.append(f"{WARC_NAME}: not readable WARC ({exc})")
    return records


def _check_captures(manifest: dict[str, Any], records: dict[int, tuple[str, str]],
                    report: Report) -> None:
    for entry in manifest.get("findings") or []:
        cap = entry.get("capture")
        if not cap:
            continue
        at = records.get(int(cap.get("offset", -1)))
        if at is None or at[0] != "response":
            report.problems.append(f"finding {entry.get('id')}: no response record at offset "
                                   f"{cap.get('offset')} of {WARC_NAME}")


def _check_token(z: zipfile.ZipFile, manifest_sha: str, ca_pem: bytes | None,
                 report: Report) -> None:
    names = set(z.namelist())
    if TOKEN not in names:
        report.notes.append("没有时间戳：清单只受本包自身哈希保护（未配置 evidence_tsa_url）")
        return
    token = _read(z, TOKEN, report)
    if token is None:
        return
    trusted = ca_pem is not None
    if ca_pem is None and TSA_CA in names:
        ca_pem = _read(z, TSA_CA, report)
    try:
        if ca_pem is None:
            info = inspect_token(token)
            if not info.ok:
                report.problems.append(f"{TOKEN}: {info.message}")
                return
            ca_pem = signer_certs(token)
            if ca_pem is None:
                report.problems.append(f"{TOKEN}: carries no certificate to check it with")
                return
        check = verify_token(token, manifest_sha, ca_pem, partial_chain=not trusted)
    except (TimestampError, OSError, subprocess.SubprocessError) as exc:
        report.problems.append(f"{TOKEN}: cannot be checked ({exc})")
        return
    if not check.ok:
        report.problems.append(f"{TOKEN}: {check.message}")
        return
    report.notes.append(f"时间戳有效：{check.gen_time}，签发者 {check.tsa}")
    if not trusted:
        report.notes.append("时间戳签名者未用您信任的根证书核验（使用包内证书）；"
                            "请用 --tsa-ca 指定时间戳机构的根证书")


def check_against_record(report: Report, record: dict[str, Any] | None) -> None:
    """Compare with the exporting installation's record of the case (cases/<id>.json), which
    holds the manifest's hash as exported: a rewritten manifest without a timestamp shows here."""
    if record is None:
        report.notes.append("本机没有该证据包的导出记录（在其他系统导出，或记录已不在）")
    elif record.get("manifest_sha256") != report.manifest_sha256:
        report.problems.append(f"{MANIFEST}: SHA-256 {report.manifest_sha256} differs from the "
                               f"one recorded at export ({record.get('manifest_sha256')})")
    else:
        report.notes.append(f"清单哈希与导出记录一致（{record.get('created_at', '')} 导出）")


def verify_package(path: Path, ca_pem: bytes | None = None) -> Report:
    report = Report()
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.problems.append(f"{path.name}: not a readable zip ({exc})")
        return report
    with z:
        raw = _read(z, MANIFEST, report)
        if raw is None:
            return report
        try:
            manifest = json.loads(raw)
        except ValueError as exc:
            report.problems.append(f"{MANIFEST}: not valid JSON ({exc})")
            return report
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            report.problems.append(f"{MANIFEST}: not a case package manifest ({FORMAT})")
            return report
        manifest_sha = sha256_hex(raw)
        report.case_id, report.manifest_sha256 = str(manifest.get("case_id", "")), manifest_sha
        listed = {MANIFEST, TOKEN, TSA_CA}
        warc_listed = False
        for item in manifest.get("files") or []:
            name = str(item.get("path", ""))
            listed.add(name)
            found = _digest(z, name, report)
            if found is None:
                continue
            digest, size = found
            report.files += 1
            if size != item.get("bytes"):
                report.problems.append(f"{name}: {size} bytes, the manifest says "
                                       f"{item.get('bytes')}")
            if digest != item.get("sha256"):
                report.problems.append(f"{name}: SHA-256 {digest} does not match the "
                                       f"manifest's {item.get('sha256')}")
            warc_listed |= name == WARC_NAME
        for name in z.namelist():
            if name not in listed:
                report.problems.append(f"{name}: in the package but not in the manifest")
        if not warc_listed or WARC_NAME not in z.namelist():
            report.problems.append(f"{WARC_NAME}: missing")
        else:
            try:
                with z.open(WARC_NAME) as stream:
                    records = _check_warc(stream, report)
            except Exception as exc:  # noqa: BLE001 - already reported by _digest above
                records = {}
                report.problems.append(f"{WARC_NAME}: cannot be read ({exc})")
            _check_captures(manifest, records, report)
        report.findings = len(manifest.get("findings") or [])
        _check_token(z, manifest_sha, ca_pem, report)
    return report
