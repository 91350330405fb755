"""Tips (举报) from the public: bounded, checked, inert. One intake for the public page, the
command line and file imports.

A tip's URL is checked by the crawler's address guard (a pure function: no DNS, no fetch)
before it is stored, so that nothing a tipster writes can point a later patrol at the machine
or its network. The text is kept as text: the console shows it escaped and never links it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from common.text import clean
from findings.model import _Record, utcnow

MAX_URL = 2000
MAX_NAME = 200
MAX_TEXT = 5000
MAX_CONTACT = 200
TIP_STATUSES = ("new", "linked", "patrolled", "closed")
TIP_STATUS_LABELS = {"new": "待处理", "linked": "已关联平台", "patrolled": "已巡查", "closed": "已办结"}
_RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TipRefused(ValueError):
    """A tip that cannot be accepted; the message is one line of Simplified Chinese."""


class TooManyTips(TipRefused):
    """The rate limit (per address or overall) is reached; try later."""


@dataclass
class Tip(_Record):
    receipt: str
    at: datetime
    text: str
    url: str = ""
    platform_name: str = ""
    contact: str = ""
    source: str = "web"          # web, cli, file:NAME
    addr_key: str = ""           # keyed hash of the tipster's address (rate limit only)
    status: str = "new"
    platform_id: str | None = None
    handled_by: str = ""
    handled_at: datetime | None = None
    note: str = ""

    _times = ("at", "handled_at")


def new_receipt(now: datetime) -> str:
    """JB-YYYYMMDD-XXXXXX: what the tipster quotes later (not guessable, not sequential)."""
    tail = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))
    return f"JB-{now.strftime('%Y%m%d')}-{tail}"


def address_key(address: str, secret: str) -> str:
    """The tipster's address is not stored, only a keyed hash for the rate limit."""
    return hashlib.sha256(f"{secret}\x1f{address}".encode()).hexdigest()[:24]


def check_tip_url(url: str) -> str:
    """The URL, trimmed, if a patrol could be pointed at it; TipRefused otherwise.

    The address guard is the crawler's own pure check (no Scrapy import, no DNS), with no
    exemptions: loopback, private, link-local and metadata hosts are refused, and so is
    anything but http(s) (file:, javascript:, data:...)."""
    from crawler.address_guard import BLOCKED, SCHEME, AddressGuard

    url = url.strip()
    if len(url) > MAX_URL:
        raise TipRefused(f"网址过长（最多 {MAX_URL} 个字符）")
    reason = AddressGuard().check_url(url)
    if reason == SCHEME:
        raise TipRefused("网址只能以 http:// 或 https:// 开头")
    if reason == BLOCKED:
        raise TipRefused("该网址指向内部或保留地址，不予受理")
    if reason is not None:
        raise TipRefused("网址格式不正确")
    return url


def make_tip(*, text: str, url: str = "", platform_name: str = "", contact: str = "",
             source: str = "web", addr_key: str = "", now: datetime | None = None) -> Tip:
    """A validated tip (not yet stored). Limits are on characters after trimming."""
    now = now or utcnow()
    text = (text or "").strip()
    platform_name = " ".join((platform_name or "").split())
    contact = (contact or "").strip()
    if len(text) > MAX_TEXT:
        raise TipRefused(f"举报内容过长（最多 {MAX_TEXT} 字，收到 {len(text)} 字）")
    if len(platform_name) > MAX_NAME:
        raise TipRefused(f"平台名称过长（最多 {MAX_NAME} 字）")
    if len(contact) > MAX_CONTACT:
        raise TipRefused(f"联系方式过长（最多 {MAX_CONTACT} 字）")
    if not text:
        raise TipRefused("请填写您看到的情况")
    if not url.strip() and not platform_name:
        raise TipRefused("请填写网址或平台名称（至少一项）")
    checked = check_tip_url(url) if url.strip() else ""
    return Tip(receipt=new_receipt(now), at=now, text=text, url=checked,
               platform_name=platform_name, contact=contact, source=source, addr_key=addr_key)


def check_rate(store: Any, addr_key: str, per_address: int, overall: int,
               now: datetime | None = None) -> None:
    """TooManyTips when the address or everyone together sent too many in the last hour."""
    since = (now or utcnow()) - timedelta(hours=1)
    if overall <= 0 or store.count_tips(since) >= overall:
        raise TooManyTips("当前举报较多，请稍后再试")
    if addr_key and store.count_tips(since, addr_key) >= per_address:
        raise TooManyTips("您提交得太频繁，请一小时后再试")


def tip_summary(tip: Tip) -> str:
    """One line for a terminal: control and direction characters neutralised."""
    about = tip.platform_name or tip.url
    return clean(f"{tip.receipt}  {TIP_STATUS_LABELS.get(tip.status, tip.status)}  "
                 f"{about[:60]}  {tip.text[:60]}")
