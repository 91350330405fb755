"""The risk score of a platform, explained: every point comes with a reason in Chinese.

Inputs are the platform's live findings (rule, severity, recency), the highest annual rate it
states against the analyzers' thresholds, public-risk posts about it and its licence status.
The return-deviation index of its products and its passive security posture add their own
reasons. The score (0-100) proposes a class: 取缔 at or above `ledger_ban_score`, 整改 at or above
`ledger_rectify_score`; below that 待定 while public-risk posts report trouble the patrol did not
see (a regulator checks first), 合规 once the platform has been patrolled, else 待定.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from common.vocabulary import OPINION_TARGET_KINDS
from findings import FindingQuery, FindingRecord, Store, walk_findings
from findings.model import utcnow
from settings import RULE_NAMES

from .model import Platform, Reason, Score
from .posture import Posture, assess
from .products import Product, deviation_index, products_from_findings

SEVERITY_POINTS = {"high": 20, "medium": 8, "low": 3}
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
RULE_CAP = 40            # one rule cannot make the whole score
POST_POINTS, POST_CAP = 3, 15
MAX_FINDINGS = 2000      # read per platform; a ledger score needs no more


log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ScoreSettings:
    rate_high: float
    rate_warning: float
    ban_score: int
    rectify_score: int
    recent_days: int
    reference: float = 6.0           # one-year LPR + margin
    evidence: Any = None             # the evidence storage (evidence_url), for the posture
    # targets where the public talks about platforms (kind forum or news): their pages are not
    # the platform's own site, so they say nothing of its security posture
    opinion_targets: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Any) -> ScoreSettings:
        from .products import reference_rate

        return cls(settings["rate_high_threshold"], settings["rate_warning_threshold"],
                   settings["ledger_ban_score"], settings["ledger_rectify_score"],
                   settings["ledger_recent_days"], reference_rate(settings),
                   _evidence(settings), _opinion_targets(settings))


def _opinion_targets(settings: Any) -> frozenset[str]:
    from settings.models import load_targets_file

    try:
        targets = load_targets_file(settings.path("targets_file")).targets.values()
    except Exception as exc:  # noqa: BLE001 - a bad targets file is reported by the crawler
        log.warning("targets file not read, every target counts as a platform's own site: %s",
                    exc)
        return frozenset()
    return frozenset(t.name for t in targets if t.kind in OPINION_TARGET_KINDS)


def _evidence(settings: Any) -> Any:
    from evidence.storage import EvidenceError, open_storage

    try:
        return open_storage(settings)
    except (EvidenceError, OSError) as exc:  # the score still counts findings without it
        log.warning("evidence storage not opened, posture not assessed: %s", exc)
        return None


def platform_findings(store: Store, platform: Platform, live: bool = True) -> list[FindingRecord]:
    """Findings attached to the platform: on its domains, from its patrol targets, and
    public-risk posts naming it. Ordered newest first, no duplicates."""
    queries = []
    if platform.domains:
        queries.append(FindingQuery(domains=list(platform.domains)))
    if platform.targets:
        queries.append(FindingQuery(targets=list(platform.targets)))
    queries.append(FindingQuery(rules=["public_risk"], platforms=list(platform.names)))
    found: dict[str, FindingRecord] = {}
    for q in queries:
        q.include_gone = not live
        for f in walk_findings(store, q, MAX_FINDINGS):
            found.setdefault(f.id, f)
    return sorted(found.values(), key=lambda f: f.last_seen or f.captured_at, reverse=True)


def _recency(f: FindingRecord, now: datetime, recent_days: int) -> float:
    seen = f.last_seen or f.captured_at
    age = now - seen
    if age <= timedelta(days=recent_days):
        return 1.0
    if age <= timedelta(days=3 * recent_days):
        return 0.5
    return 0.25


def compute(platform: Platform, found: list[FindingRecord], cfg: ScoreSettings,
            now: datetime | None = None, products: list[Product] | None = None,
            posture: Posture | None = None) -> Score:
    """The score and its reasons from the platform's live findings, products and posture
    (a pure function)."""
    now = now or utcnow()
    reasons: list[Reason] = []
    live = [f for f in found if f.gone_at is None and f.status != "dismissed"]
    posts = [f for f in live if f.rule == "public_risk"]
    by_rule: dict[str, list[FindingRecord]] = defaultdict(list)
    for f in live:
        if f.rule != "public_risk":
            by_rule[f.rule].append(f)
    for rule, items in sorted(by_rule.items()):
        raw = sum(SEVERITY_POINTS.get(f.severity, 0) * _recency(f, now, cfg.recent_days)
                  for f in items)
        points = min(RULE_CAP, round(raw))
        worst = min((f.severity for f in items), key=lambda s: list(SEVERITY_POINTS).index(s)
                    if s in SEVERITY_POINTS else 9)
        name = items[0].rule_name or RULE_NAMES.get(rule, rule)
        recent = sum(1 for f in items if _recency(f, now, cfg.recent_days) == 1.0)
        reasons.append(Reason(points, f"{name}（{rule}）：在案发现 {len(items)} 条，最高风险"
                              f"{SEVERITY_LABELS.get(worst, worst)}，近 {cfg.recent_days} 天内"
                              f" {recent} 条", code=rule))
    rates = [f.annual_rate for f in live if f.annual_rate is not None]
    if rates:
        top = max(rates)
        if top >= cfg.rate_high:
            reasons.append(Reason(15, f"宣称年化收益最高 {top:.1f}%，达到高风险阈值 "
                                      f"{cfg.rate_high:g}%", code="rate"))
        elif top >= cfg.rate_warning:
            reasons.append(Reason(6, f"宣称年化收益最高 {top:.1f}%，达到提示阈值 "
                                     f"{cfg.rate_warning:g}%", code="rate"))
    if posts:
        reasons.append(Reason(min(POST_CAP, POST_POINTS * len(posts)),
                              f"公众风险舆情 {len(posts)} 条提及该平台", code="posts"))
    deviation = None
    if products:
        deviation = deviation_index(products, cfg.reference)
        if deviation > 0:
            top = products[0]
            reasons.append(Reason(min(10, round(deviation / 2) or 1),
                                  f"产品收益偏离指数 {deviation:.1f} 个百分点（参考利率 "
                                  f"{cfg.reference:g}%；最高为“{top.name}”年化 "
                                  f"{top.annual_rate:.1f}%）", code="deviation"))
    if posture is not None:
        if posture.password_over_http or posture.id_over_http:
            reasons.append(Reason(5, "以明文 HTTP 收集密码或身份证号（被动检查）", code="posture"))
        if posture.pages and not posture.icp_shown:
            reasons.append(Reason(3, "网站未展示格式正确的 ICP 备案号", code="icp"))
    if platform.licence == "unlicensed" and platform.kind in ("第三方支付", "互联网保险"):
        reasons.append(Reason(10, f"运营主体“{platform.operator}”不在持牌机构名单中，"
                                  f"却从事{platform.kind}", code="licence"))
    total = max(0, min(100, sum(r.points for r in reasons)))
    if total >= cfg.ban_score:
        proposed = "取缔"
    elif total >= cfg.rectify_score:
        proposed = "整改"
    elif posts:
        # The public reports trouble that the site's own pages do not show: a regulator checks
        # before anyone calls the platform compliant.
        proposed = "待定"
        reasons.append(Reason(0, "有公众风险舆情但巡查未见违规，建议核查后再分类",
                              code="verify"))
    elif found or platform.targets:
        proposed = "合规"
    else:
        proposed = "待定"
    if not reasons:
        reasons.append(Reason(0, "暂无在案发现" if found or platform.targets
                              else "尚未巡查，无可评分的依据", code="none"))
    reasons.sort(key=lambda r: -r.points)
    return Score(platform.id, now, total, proposed, [r.to_dict() for r in reasons],
                 deviation=deviation, reference=cfg.reference if products else None,
                 posture=posture.to_dict() if posture is not None else {})


def rescore(ledger: Any, store: Store, platform: Platform, cfg: ScoreSettings,
            now: datetime | None = None) -> Score:
    """Read the platform's products and posture, compute and record its score (the history
    keeps changes only)."""
    found = platform_findings(store, platform)
    texts: dict[str, str | None] = {}

    def page_text(page_id: str) -> str | None:
        if page_id not in texts:
            page = store.get_page(page_id)
            texts[page_id] = page.text if page else None
        return texts[page_id]

    products = products_from_findings(platform.id, found, page_text)
    if products:
        ledger.save_products(platform.id, products)
    own_sites = [t for t in platform.targets if t not in cfg.opinion_targets]
    posture = assess(cfg.evidence, own_sites) if cfg.evidence and own_sites else None
    score = compute(platform, found, cfg, now, products=products, posture=posture)
    ledger.record_score(score)
    return score
