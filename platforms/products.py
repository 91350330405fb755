"""Products offered on a platform's pages and the return-deviation index.

A product is read from a finding that states an annual rate (the analyzers annualize 月息2分,
日息 and the like): its name is the nearest heading or `"name": "..."` before the rate on the
page, its term and minimum investment are looked for in the same paragraph. The index is how far
the platform's offered rates stand above the reference (one-year LPR plus a margin, settings),
in percentage points, kept over time with the products' rate observations.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from findings import FindingRecord
from findings.model import _Record

_HEADING = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9·（）()\-]{2,16}$")
_JSON_NAME = re.compile(r'"(?:name|title|product)"\s*:\s*"([^"\n]{2,30})"')
_NAMEISH = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]{1,8}(?:宝|盈|计划|标|贷|通|财|利|享)")
_TERM = re.compile(r"(?:期限|周期)?\s*(\d{1,4})\s*(天|日|个月|月|年)(?:期|标|定期)")
_TERM_LABELLED = re.compile(r"(?:期限|周期)[:：]?\s*(\d{1,4})\s*(天|日|个月|月|年)")
_MINIMUM = re.compile(r"(\d[\d,，.]*)\s*(万)?\s*元\s*起(?:投|购)|起(?:投|购)(?:金额)?[:：]?\s*"
                      r"(\d[\d,，.]*)\s*(万)?\s*元")
WINDOW = 300


@dataclass
class Product(_Record):
    id: str
    platform_id: str
    name: str
    annual_rate: float
    term: str = ""
    minimum: float | None = None         # yuan
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    source: str = ""
    finding_id: str = ""
    rates: list[list[Any]] = field(default_factory=list)   # [[iso time, rate], ...] over time

    _times = ("first_seen", "last_seen")


def product_id(platform_id: str, name: str) -> str:
    return "pr-" + hashlib.sha256(f"{platform_id}\x1f{name}".encode()).hexdigest()[:12]


def _paragraph(text: str, start: int, end: int) -> str:
    left = max(text.rfind("\n", 0, start), start - WINDOW)
    right = text.find("\n", end)
    return text[max(0, left):right if right != -1 else min(len(text), end + WINDOW)]


def product_name(text: str, start: int, fallback: str) -> str:
    """The nearest heading line or JSON name before `start`, else a name-like word."""
    before = text[max(0, start - WINDOW):start]
    names = _JSON_NAME.findall(before)
    if names:
        return names[-1].strip()
    lines = before.splitlines()
    if not before.endswith("\n"):
        lines = lines[:-1]        # the rate's own line, up to the rate: not a heading
    lines = [ln.strip() for ln in lines]
    for line in reversed(lines):
        if _HEADING.match(line):
            return line
    local = _NAMEISH.findall(text[max(0, start - 40):start + 10])
    return local[-1] if local else fallback


def _term(paragraph: str) -> str:
    m = _TERM_LABELLED.search(paragraph) or _TERM.search(paragraph)
    return f"{m.group(1)}{m.group(2)}" if m else ""


def _minimum(paragraph: str) -> float | None:
    m = _MINIMUM.search(paragraph)
    if not m:
        return None
    number, wan = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    try:
        value = float(number.replace(",", "").replace("，", ""))
    except ValueError:
        return None
    return value * 10000 if wan else value


def products_from_findings(platform_id: str, found: list[FindingRecord],
                           page_text: Callable[[str], str | None]) -> list[Product]:
    """One product per name from the platform's rate-stating findings (highest rate kept)."""
    out: dict[str, Product] = {}
    for f in found:
        if f.annual_rate is None or f.rule == "public_risk":
            continue
        text = (page_text(f.page_id) if f.page_id else None) or ""
        if text and f.start < len(text) and text[f.start:f.end] == f.evidence:
            start, end = f.start, f.end
        else:
            text, start, end = f.context, f.start - f.context_start, f.end - f.context_start
            start, end = max(0, start), max(0, end)
        name = product_name(text, start, fallback=f"（{f.domain or '页面'}的产品）")[:40]
        paragraph = _paragraph(text, start, end)
        seen = f.last_seen or f.captured_at
        product = Product(product_id(platform_id, name), platform_id, name, float(f.annual_rate),
                          _term(paragraph), _minimum(paragraph), f.first_seen or seen, seen,
                          f.source, f.id)
        old = out.get(name)
        if old is None or product.annual_rate > old.annual_rate:
            if old is not None:
                product.first_seen = min(old.first_seen or seen, product.first_seen or seen)
            out[name] = product
    return sorted(out.values(), key=lambda p: -p.annual_rate)


def reference_rate(settings: Any) -> float:
    return float(settings["ledger_lpr_one_year"]) + float(settings["ledger_rate_margin"])


def deviation_index(products: list[Product], reference: float) -> float:
    """Mean excess of the offered rates over the reference, in percentage points (0 when none
    stands above it): a platform with one 24% product and one 4% is as visible as its offers."""
    excess = [p.annual_rate - reference for p in products]
    return round(max(0.0, sum(excess) / len(excess)), 2) if excess else 0.0
