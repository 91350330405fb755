"""Is a patrol that ended normally healthy? Small monitors judge the run's figures.

Like Spidermon's monitors on crawl stats: each monitor is one function taking the run's facts
and returning a verdict; a run that fails any of them is recorded "degraded" instead of "ok",
its verdicts are kept in the run record (stats["health"]) and the support team is told. A new
monitor is one more function in MONITORS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

# Fewer pages than this share of the previous run's is a sharp drop.
DROP_RATIO = 0.5


@dataclass(frozen=True)
class RunFacts:
    """What the monitors look at: the run's figures and the previous run's page count."""

    target: str
    pages: int
    errors: dict[str, int] = field(default_factory=dict)  # error kind -> count
    skips: dict[str, int] = field(default_factory=dict)   # skip kind -> count
    previous_pages: int | None = None   # pages of the target's previous completed run
    previous_run: str | None = None

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass(frozen=True)
class Verdict:
    monitor: str
    ok: bool
    message: str          # Chinese, for support staff

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def some_pages(facts: RunFacts) -> Verdict:
    """A run that stored no page at all patrolled nothing."""
    if facts.pages == 0 and facts.error_count == 0:
        return Verdict("some_pages", False, "未抓取到任何页面（入口网址全部被跳过或没有可抓取的链接）")
    return Verdict("some_pages", True, f"抓取页面 {facts.pages} 个")


def not_only_errors(facts: RunFacts) -> Verdict:
    """Every request failed: HTTP 4xx/5xx, timeouts, refused connections, DNS."""
    if facts.pages == 0 and facts.error_count > 0:
        kinds = "，".join(f"{k} {v}" for k, v in sorted(facts.errors.items()))
        return Verdict("not_only_errors", False, f"所有请求均出错，没有抓取到页面（{kinds}）")
    return Verdict("not_only_errors", True, f"出错 {facts.error_count} 次")


def no_sharp_drop(facts: RunFacts) -> Verdict:
    """Far fewer pages than the previous run of the target, unless a page limit stopped it."""
    before = facts.previous_pages
    if before and facts.pages < before * DROP_RATIO and not facts.skips.get("page_limit"):
        return Verdict("no_sharp_drop", False,
                       f"抓取页面 {facts.pages} 个，不到上次巡查（{facts.previous_run}，"
                       f"{before} 个）的一半")
    return Verdict("no_sharp_drop", True,
                   f"上次巡查 {before} 个页面" if before else "没有可比较的上次巡查")


MONITORS: tuple[Callable[[RunFacts], Verdict], ...] = (some_pages, not_only_errors,
                                                       no_sharp_drop)


def judge(facts: RunFacts) -> list[Verdict]:
    return [monitor(facts) for monitor in MONITORS]


def failed(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if not v.ok]
