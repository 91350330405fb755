"""What the ledger (台账) knows: platforms, their classifications, scores and history.

Plain dataclasses, (de)serialised like the findings' records. Times are aware UTC datetimes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from findings.model import _Record

KINDS = ("P2P网贷", "股权众筹", "互联网保险", "第三方支付", "互联网资产管理", "代销", "其他")
CLASSES = ("合规", "整改", "取缔", "待定")
LICENCE_STATUSES = ("licensed", "unlicensed", "unknown")
LICENCE_LABELS = {"licensed": "持牌", "unlicensed": "未见于持牌名单", "unknown": "未知"}

# Lead department of each kind, after the plan's 二: P2P lending's daily work lies with
# 清远银监分局, payment with 人民银行清远市中心支行, the rest with 市金融局.
DEFAULT_LEAD = {
    "P2P网贷": "清远银监分局",
    "股权众筹": "市金融局",
    "互联网保险": "市金融局",
    "第三方支付": "人民银行清远市中心支行",
    "互联网资产管理": "市金融局",
    "代销": "市金融局",
    "其他": "市金融局",
}


def platform_id(key: str) -> str:
    """Stable id from the credit code (or, without one, the name): two cities exporting the
    same business arrive at the same id."""
    folded = re.sub(r"\s+", "", key).upper()
    return "pf-" + hashlib.sha256(folded.encode("utf-8")).hexdigest()[:12]


@dataclass
class Platform(_Record):
    id: str
    name: str
    operator: str = ""           # enterprise name of the operator
    credit_code: str = ""        # 统一社会信用代码, check digit verified
    icp: str = ""                # ICP 备案号, format checked
    domains: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    kind: str = "其他"
    lead: str = "市金融局"
    licence: str = "unknown"
    targets: list[str] = field(default_factory=list)   # patrol targets that cover it
    aliases: list[str] = field(default_factory=list)   # names of records merged into it
    source: str = ""             # target, operator, tip, import, manual
    classification: str = "待定"
    deadline: datetime | None = None   # of 整改
    score: int = 0
    proposed: str = "待定"
    merged_into: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    _times = ("deadline", "created_at", "updated_at")

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Classification(_Record):
    platform_id: str
    classification: str
    by: str
    at: datetime
    reason: str
    deadline: datetime | None = None
    proposed: str = ""           # what the score proposed when the officer decided
    score: int | None = None

    _times = ("at", "deadline")


@dataclass
class Reason(_Record):
    points: int
    text: str                    # Simplified Chinese, shown to officers
    code: str = ""               # machine key: rule id, rate, posts, licence...


@dataclass
class Score(_Record):
    platform_id: str
    at: datetime
    score: int
    proposed: str
    reasons: list[dict[str, Any]] = field(default_factory=list)   # Reason.to_dict()s
    deviation: float | None = None    # return-deviation index (points above the reference)
    reference: float | None = None    # the reference rate it was measured against
    posture: dict[str, Any] = field(default_factory=dict)         # posture.Posture.to_dict()

    _times = ("at",)


EVENT_LABELS = {"created": "登记", "updated": "补充信息", "merged": "合并", "split": "拆分",
                "rechecked": "整改复查"}


@dataclass
class Event(_Record):
    """One line of a platform's history: created, updated, merged, classified, imported."""

    platform_id: str
    at: datetime
    by: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)

    _times = ("at",)
