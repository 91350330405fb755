"""Hand every page's text to the analyzers; name the site operator once per host.

The page text (title, meta description, main text, furniture, alt texts) is analysed as the
target's kind reads it (ad, page, post, news). The operator named in the footer is extracted
once per host and checked with check_enterprise: one restricted_name finding per site (source
`site:HOST`), not one per page; the per-page operator findings the analyzer would add are
dropped for that reason. A failure here never stops the patrol: it is counted and the page is
still stored.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import NotConfigured

from ..context import PatrolContext, context_of
from ..items import PageItem
from ..posts import DEFAULT, PostSelectors, selectors_from, split_posts
from ..skips import count_error

logger = logging.getLogger(__name__)
MAX_OPERATOR_TRIES = 20   # pages per host searched for the operator before giving up


class AnalyzePipeline:
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        self.stats = crawler.stats
        self.analyzer = ctx.analyzer
        self.kind = ctx.target.analysis_kind
        self.posts = post_selectors(ctx.target.posts, ctx.target.kind)
        self.operators: dict[str, str] = {}
        self.tries: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> AnalyzePipeline:
        ctx = context_of(crawler)
        if ctx is None or ctx.analyzer is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler, ctx)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        try:
            if self._analyze_posts(item):
                findings = []  # the page's words are its posts', cited post by post
            else:
                findings = self.analyzer.analyze(item.text, kind=self.kind)
        except Exception as exc:  # noqa: BLE001 - hostile text must not stop the patrol
            logger.exception("analysis failed on %s", item.url)
            count_error(self.stats, "analyze_failed", item.url, repr(exc))
            findings = []
        item.findings = [f for f in findings if not (
            f.rule == "restricted_name" and (f.extra or {}).get("field") == "operator")]
        if item.record_kind == "image":
            self.stats.inc_value("patrol/ocr/findings", len(item.findings))
            return item   # the site operator is named in the page's footer, not in pictures
        self._operator(item)
        return item

    def _analyze_posts(self, item: PageItem) -> bool:
        """Analyze a forum page post by post; False when it has no posts to split."""
        if self.posts is None:
            return False
        html = item.rendered_html or item.body.decode(item.encoding or "utf-8", "replace")
        posts = split_posts(html, self.posts, item.url)
        if not posts:
            return False
        self.stats.inc_value("patrol/posts", len(posts))
        item.post_findings = [(post, f) for post in posts
                              for f in self.analyzer.analyze(post.text, kind="post")]
        return True

    def _operator(self, item: PageItem) -> None:
        host = item.host
        if host in self.operators:
            item.operator = self.operators[host]
            return
        if self.tries.get(host, 0) >= MAX_OPERATOR_TRIES:
            return
        self.tries[host] = self.tries.get(host, 0) + 1
        try:
            operator = self.analyzer.extract_operator(item.footer_text or item.text[-3000:])
            if not operator:
                return
            self.operators[host] = item.operator = operator
            item.site_findings = list(self.analyzer.check_enterprise(operator))
        except Exception as exc:  # noqa: BLE001
            logger.exception("operator check failed on %s", item.url)
            count_error(self.stats, "analyze_failed", item.url, repr(exc))
            return
        self.stats.set_value(f"patrol/operator/{host}", operator)


def post_selectors(configured: dict[str, str] | None, target_kind: str) -> PostSelectors | None:
    """The target's post selectors; forum targets split posts with the default ones."""
    if configured:
        return selectors_from(configured, "targets")
    return DEFAULT if target_kind == "forum" else None
