"""Blacklist exchange between cities: platforms classified 取缔 or flagged (proposed 取缔 by
their score), as JSON or CSV, with a versioned schema and the SHA-256 of the content.

docs/platforms.md documents the schema. An import checks the hash before reading a single
record, validates every record like a registration (credit code check digit, ICP format), and
adds or updates platforms by credit code, domain or name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime
from typing import Any

from common.text import FORMULA_STARTS, clean, spreadsheet_cell
from findings.model import to_iso, utcnow

from .base import PlatformQuery, PlatformStore
from .ledger import LedgerError, classify, register
from .model import Platform

SCHEMA = "patrol.blacklist"
VERSION = 1
FIELDS = ("id", "name", "aliases", "operator", "credit_code", "icp", "domains", "apps", "kind",
          "lead", "status", "reason", "classified_at", "score")
LIST_FIELDS = ("aliases", "domains", "apps")
LIST_SEP = "|"
MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_RECORDS = 100_000


class ExchangeError(ValueError):
    """A file that cannot be imported; one line of Simplified Chinese."""


def blacklisted(ledger: PlatformStore) -> list[tuple[Platform, str, str, datetime | None]]:
    """(platform, status, reason, when): 取缔 platforms with their last decision's reason, and
    platforms whose score proposes 取缔 (flagged) that no officer has classified yet."""
    out = []
    for p in ledger.query(PlatformQuery(limit=100_000)):
        if p.classification == "取缔":
            last = ledger.classifications(p.id)[-1:]
            out.append((p, "取缔", last[0].reason if last else "", last[0].at if last else None))
        elif p.proposed == "取缔" and p.classification == "待定":
            reasons = ledger.scores(p.id, limit=1)
            text = "；".join(r["text"] for r in reasons[0].reasons) if reasons else ""
            out.append((p, "flagged", f"风险评分 {p.score}：{text}",
                        reasons[0].at if reasons else None))
    return sorted(out, key=lambda item: item[0].id)


def _record(p: Platform, status: str, reason: str, at: datetime | None) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "aliases": list(p.aliases), "operator": p.operator,
            "credit_code": p.credit_code, "icp": p.icp, "domains": list(p.domains),
            "apps": list(p.apps), "kind": p.kind, "lead": p.lead, "status": status,
            "reason": reason, "classified_at": to_iso(at), "score": p.score}


def content_hash(records: list[dict[str, Any]]) -> str:
    canonical = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def export_json(ledger: PlatformStore) -> tuple[str, int]:
    records = [_record(*item) for item in blacklisted(ledger)]
    doc = {"schema": SCHEMA, "version": VERSION, "exported_at": to_iso(utcnow()),
           "count": len(records), "sha256": content_hash(records), "platforms": records}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n", len(records)


def export_csv(ledger: PlatformStore) -> tuple[str, int]:
    """First line `#patrol.blacklist;version=1;sha256=HEX`: the hash of every byte after it."""
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\n")
    writer.writerow(FIELDS)
    items = blacklisted(ledger)
    for item in items:
        rec = _record(*item)
        writer.writerow([spreadsheet_cell(LIST_SEP.join(rec[f]) if f in LIST_FIELDS else
                                          "" if rec[f] is None else str(rec[f])) for f in FIELDS])
    text = body.getvalue()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"#{SCHEMA};version={VERSION};sha256={digest}\n{text}", len(items)


def _unguard(value: str) -> str:
    return value[1:] if value[:1] == "'" and value[1:2] and value[1:].startswith(
        FORMULA_STARTS) else value


def parse(raw: bytes) -> list[dict[str, Any]]:
    """The records of an exported file (JSON or CSV, told apart by the first byte), after the
    schema, version and hash checks."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ExchangeError(f"文件过大（超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB）")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeError("文件不是 UTF-8 编码") from None
    if text.startswith("#"):
        return _parse_csv(text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExchangeError(f"不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ExchangeError(f"不是黑名单文件（schema 应为 {SCHEMA}）")
    if doc.get("version") != VERSION:
        raise ExchangeError(f"不支持的黑名单版本 {clean(doc.get('version'))!s:.20}（支持 {VERSION}）")
    records = doc.get("platforms")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ExchangeError("platforms 应为对象列表")
    if content_hash(records) != doc.get("sha256"):
        raise ExchangeError("SHA-256 校验失败：文件内容与其声明的哈希不符，已拒绝导入")
    return records


def _parse_csv(text: str) -> list[dict[str, Any]]:
    first, _, body = text.partition("\n")
    meta = dict(part.split("=", 1) for part in first[1:].split(";")[1:] if "=" in part)
    if not first[1:].startswith(SCHEMA):
        raise ExchangeError(f"不是黑名单文件（首行应以 #{SCHEMA} 开头）")
    if meta.get("version") != str(VERSION):
        raise ExchangeError(f"不支持的黑名单版本 {clean(meta.get('version'))[:20]}（支持 {VERSION}）")
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != meta.get("sha256"):
        raise ExchangeError("SHA-256 校验失败：文件内容与其声明的哈希不符，已拒绝导入")
    rows = list(csv.DictReader(io.StringIO(body)))
    records = []
    for row in rows:
        rec: dict[str, Any] = {k: _unguard(row.get(k) or "") for k in FIELDS}
        for f in LIST_FIELDS:
            rec[f] = [x for x in rec[f].split(LIST_SEP) if x]
        rec["score"] = int(rec["score"]) if str(rec["score"]).isdigit() else 0
        records.append(rec)
    return records


def import_records(ledger: PlatformStore, records: list[dict[str, Any]], by: str,
                   origin: str) -> tuple[int, int, list[str]]:
    """Add or update every record; 取缔 records are classified 取缔 here too, with the sending
    city's reason. Returns (created, updated, problems) — a bad record is skipped, not fatal."""
    if len(records) > MAX_RECORDS:
        raise ExchangeError(f"记录过多（超过 {MAX_RECORDS} 条）")
    created = updated = 0
    problems: list[str] = []
    for n, rec in enumerate(records, 1):
        def text(key: str, limit: int = 500, rec: dict[str, Any] = rec) -> str:
            value = rec.get(key)
            return clean(value)[:limit].strip() if isinstance(value, str | int) else ""

        def items(key: str, rec: dict[str, Any] = rec) -> list[str]:
            value = rec.get(key) or []
            return [clean(v)[:253].strip() for v in value if isinstance(v, str)][:200] \
                if isinstance(value, list) else []

        try:
            platform, was_new = register(
                ledger, name=text("name", 200), by=by, source=f"import:{origin}",
                operator=text("operator", 200), credit_code=text("credit_code", 40),
                icp=text("icp", 60), domains=items("domains"), apps=items("apps"),
                kind=text("kind", 20), lead=text("lead", 60), aliases=items("aliases"))
            if text("status") == "取缔" and platform.classification != "取缔":
                classify(ledger, platform.id, "取缔", by=by, departments=None,
                         reason=f"导入自 {origin}：{text('reason', 1500)}")
        except (LedgerError, ValueError) as exc:
            problems.append(f"第 {n} 条：{exc}")
            continue
        created += was_new
        updated += not was_new
    return created, updated, problems


def targets_yaml(records: list[dict[str, Any]], origin: str) -> tuple[str, int]:
    """Patrol targets (config/targets.yaml format) for the imported platforms' domains, for
    technical support to review and add: one target per platform, https start URLs."""
    import yaml

    from .intake import is_name_host
    from .ledger import clean_domain

    targets = []
    for rec in records:
        domains = []
        for d in rec.get("domains") or []:
            try:
                host = clean_domain(str(d))
            except ValueError:
                continue
            if is_name_host(host) and host not in domains:
                domains.append(host)
        if not domains or not isinstance(rec.get("id"), str):
            continue
        name = "blk-" + "".join(c for c in rec["id"] if c.isalnum() or c in "-_")[:40]
        targets.append({"name": name, "start_urls": [f"https://{d}/" for d in domains[:10]],
                        "allowed_domains": domains[:10], "kind": "p2p",
                        "platform": clean(rec.get("name") or "")[:200], "tags": ["blacklist"],
                        "description": f"黑名单导入（{clean(origin)[:60]}）"})
    header = "# Targets for platforms imported from a blacklist; review, then add to targets.yaml.\n"
    return header + yaml.safe_dump({"targets": targets}, allow_unicode=True, sort_keys=False), \
        len(targets)
