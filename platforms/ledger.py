"""The ledger's one set of operations: register or update a platform, merge two records, and
classify with sign-off. Commands, the console, the demo and imports all come through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from common.text import clean
from findings.model import utcnow

from .base import PlatformStore
from .codes import InvalidCode, normalize_credit_code, normalize_icp
from .model import CLASSES, DEFAULT_LEAD, KINDS, Classification, Event, Platform, platform_id


class LedgerError(ValueError):
    """A refused ledger operation; the message is one line of Simplified Chinese."""


class NotAllowed(LedgerError):
    """The officer is not of the platform's lead department."""


def licence_status(operator: str, licensed: frozenset[str] | None) -> str:
    if licensed is None or not operator:
        return "unknown"
    from analyzers.enterprise import licensed_key

    return "licensed" if licensed_key(operator) in licensed else "unlicensed"


def load_licensed_names(settings: Any) -> frozenset[str] | None:
    path = settings.path("licensed_file")
    if not str(settings["licensed_file"]) or not path.is_file():
        return None
    from analyzers.enterprise import load_licensed

    return load_licensed(path)


def clean_domain(domain: str) -> str:
    host = domain.strip().lower().rstrip(".")
    if "://" in host:
        from urllib.parse import urlsplit

        host = urlsplit(host).hostname or ""
    if not host or any(c in host for c in " /\\@") or len(host) > 253:
        raise LedgerError(f"域名格式不正确：{domain[:80]}")
    return host


def _merge_list(old: list[str], new: Iterable[str]) -> list[str]:
    out = list(old)
    for item in new:
        if item and item not in out:
            out.append(item)
    return out


def register(store: PlatformStore, *, name: str, by: str, source: str, operator: str = "",
             credit_code: str = "", icp: str = "", domains: Iterable[str] = (),
             apps: Iterable[str] = (), kind: str = "", lead: str = "",
             targets: Iterable[str] = (), aliases: Iterable[str] = (),
             licensed: frozenset[str] | None = None,
             now: datetime | None = None) -> tuple[Platform, bool]:
    """Create the platform, or add what is new to the record it matches (by credit code, then
    a domain, then a name). Returns (platform, created). Invalid codes raise LedgerError."""
    now = now or utcnow()
    # Names may come from crawled pages: control and direction characters become spaces.
    name = " ".join(clean(name or "").split())[:200]
    operator = " ".join(clean(operator or "").split())[:200]
    aliases = [" ".join(clean(a).split())[:200] for a in aliases if a and a.strip()]
    if not name:
        raise LedgerError("平台名称不能为空")
    try:
        code = normalize_credit_code(credit_code) if credit_code else ""
        icp_no = normalize_icp(icp) if icp else ""
    except InvalidCode as exc:
        raise LedgerError(str(exc)) from None
    if kind and kind not in KINDS:
        raise LedgerError(f"未知的平台类别：{kind}（可选：{'、'.join(KINDS)}）")
    hosts = [clean_domain(d) for d in domains if d and d.strip()]
    existing = (code and store.by_credit_code(code)) or None
    for host in hosts:
        existing = existing or store.by_domain(host)
    existing = existing or store.by_name(name) or (operator and store.by_name(operator)) or None
    if existing is None:
        platform = Platform(
            id=platform_id(code or name), name=name, operator=operator.strip(), credit_code=code,
            icp=icp_no, domains=_merge_list([], hosts), apps=_merge_list([], apps),
            kind=kind or "其他", lead=lead or DEFAULT_LEAD[kind or "其他"],
            targets=_merge_list([], targets), source=source, created_at=now, updated_at=now,
            aliases=_merge_list([], [a for a in aliases if a != name]))
        platform.licence = licence_status(platform.operator, licensed)
        if store.get(platform.id) is not None:     # a merged-away record with the same key
            platform.id = platform_id(f"{code or name}\x1f{now.isoformat()}")
        store.save(platform, Event(platform.id, now, by, "created", {"source": source}))
        return platform, True
    before = existing.to_dict()
    updated = replace(
        existing,
        operator=existing.operator or operator.strip(),
        credit_code=existing.credit_code or code,
        icp=existing.icp or icp_no,
        domains=_merge_list(existing.domains, hosts),
        apps=_merge_list(existing.apps, apps),
        targets=_merge_list(existing.targets, targets),
        aliases=_merge_list(existing.aliases, [a for a in (name, *aliases)
                                               if a and a != existing.name]),
    )
    if kind and existing.kind == "其他":
        updated.kind = kind
        updated.lead = lead or DEFAULT_LEAD[kind]
    if updated.operator and (updated.licence == "unknown" or updated.operator != existing.operator):
        updated.licence = licence_status(updated.operator, licensed)
    after = updated.to_dict()
    changed = {k: after[k] for k in after if after[k] != before[k] and k != "updated_at"}
    if changed:
        updated.updated_at = now
        store.save(updated, Event(existing.id, now, by, "updated",
                                  {"source": source, "changed": sorted(changed)}))
    return updated, False


def merge(store: PlatformStore, keep_id: str, gone_id: str, by: str, reason: str,
          now: datetime | None = None) -> Platform:
    """Fold record `gone_id` into `keep_id`: its names become aliases, its domains, apps and
    targets move; `gone` stays, marked merged, so its history and links still resolve."""
    now = now or utcnow()
    keep, gone = store.get(keep_id), store.get(gone_id)
    if keep is None or gone is None:
        raise LedgerError(f"没有这个平台：{keep_id if keep is None else gone_id}")
    if keep.id == gone.id:
        raise LedgerError("不能把平台与自身合并")
    if keep.merged_into or gone.merged_into:
        raise LedgerError("已被合并的记录不能再合并")
    if not reason.strip():
        raise LedgerError("合并需要填写理由")
    if keep.credit_code and gone.credit_code and keep.credit_code != gone.credit_code:
        raise LedgerError("两条记录的统一社会信用代码不同，不是同一主体")
    merged = replace(
        keep, domains=_merge_list(keep.domains, gone.domains),
        apps=_merge_list(keep.apps, gone.apps), targets=_merge_list(keep.targets, gone.targets),
        aliases=_merge_list(keep.aliases, [n for n in gone.names if n != keep.name]),
        operator=keep.operator or gone.operator, credit_code=keep.credit_code or gone.credit_code,
        icp=keep.icp or gone.icp, updated_at=now)
    folded = replace(gone, merged_into=keep.id, domains=[], updated_at=now)
    moved: dict[str, list[str]] = {
        key: [x for x in getattr(merged, key) if x not in getattr(keep, key)]
        for key in ("domains", "apps", "targets", "aliases")}
    moved["fields"] = [k for k in ("operator", "credit_code", "icp")
                       if not getattr(keep, k) and getattr(gone, k)]
    store.save_pair(merged, folded, Event(keep.id, now, by, "merged", {
        "kept": keep.id, "merged": gone.id, "reason": reason, "moved": moved}))
    return merged


def split(store: PlatformStore, gone_id: str, by: str, reason: str,
          now: datetime | None = None) -> tuple[Platform, Platform]:
    """Undo a merge: the merged record lives again with what the merge moved (its domains,
    apps, targets, names); returns (kept, restored)."""
    now = now or utcnow()
    gone = store.get(gone_id)
    if gone is None or not gone.merged_into:
        raise LedgerError(f"{gone_id} 不是被合并的记录")
    if not reason.strip():
        raise LedgerError("拆分需要填写理由")
    keep = store.get(gone.merged_into)
    merges = [e for e in store.events(gone.merged_into) if e.action == "merged"
              and e.detail.get("merged") == gone.id] if keep else []
    if keep is None or keep.merged_into or not merges:
        raise LedgerError("找不到对应的合并记录，无法拆分")
    moved = merges[-1].detail.get("moved") or {}
    shrunk = replace(keep, updated_at=now, **{
        key: [x for x in getattr(keep, key) if x not in set(moved.get(key, []))]
        for key in ("domains", "apps", "targets", "aliases")})
    for key in ("operator", "credit_code", "icp"):
        if key in moved.get("fields", []):
            setattr(shrunk, key, "")          # it came with the merged record: it goes back
    restored = replace(gone, merged_into=None, updated_at=now,
                       domains=list(moved.get("domains", [])))
    store.save_pair(shrunk, restored, Event(keep.id, now, by, "split", {
        "kept": keep.id, "restored": gone.id, "reason": reason}))
    return shrunk, restored


def resolve(store: PlatformStore, platform_id: str) -> Platform | None:
    """The live record an id stands for (following merges)."""
    seen: set[str] = set()
    platform = store.get(platform_id)
    while platform and platform.merged_into and platform.id not in seen:
        seen.add(platform.id)
        platform = store.get(platform.merged_into)
    return platform


def lookup(store: PlatformStore, key: str) -> Platform | None:
    """The live platform a person means by `key`: its id (merges followed), name, alias,
    operator or domain. One lookup for the command line, the console and case packages."""
    key = key.strip()
    if not key:
        return None
    return resolve(store, key) or store.by_name(key) or store.by_domain(key.lower())


def classify(store: PlatformStore, platform_id: str, classification: str, *, by: str,
             departments: Iterable[str] | None, reason: str, deadline: datetime | None = None,
             rectify_days: int = 30, now: datetime | None = None) -> Platform:
    """An officer's decision. `departments` are the officer's own (None: an administrator).
    Only an officer of the platform's lead department may decide; a reason is required; 整改
    carries a deadline (given, or `rectify_days` from now)."""
    now = now or utcnow()
    platform = resolve(store, platform_id)
    if platform is None:
        raise LedgerError(f"没有这个平台：{platform_id}")
    if classification not in CLASSES:
        raise LedgerError(f"未知的分类：{classification}（可选：{'、'.join(CLASSES)}）")
    reason = " ".join(reason.split())[:2000]
    if not reason:
        raise LedgerError("分类需要填写理由")
    if departments is not None and platform.lead not in set(departments):
        raise NotAllowed(f"只有牵头部门（{platform.lead}）的人员或管理员可以为该平台分类")
    if classification == "整改":
        deadline = deadline or now + timedelta(days=rectify_days)
        if deadline <= now:
            raise LedgerError("整改期限必须晚于现在")
    else:
        deadline = None
    return store.classify(Classification(platform.id, classification, by, now, reason, deadline,
                                         proposed=platform.proposed, score=platform.score))
