"""Skips and errors, counted by kind in the crawl stats (and so in the summary and the run).

A skip is a page the patrol refused on purpose (too large, a bomb, a blocked address, off
site...); an error is a page it could not get (timeout, DNS, HTTP 500...). Stats keys are
`patrol/skip/<kind>` and `patrol/error/<kind>`.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger("crawler.skips")

SKIP_PREFIX = "patrol/skip/"
ERROR_PREFIX = "patrol/error/"
# Kinds logged at INFO; the rest (caps, off-site links) are routine and logged at DEBUG.
_NOTABLE = {"too_large", "decompression_bomb", "redirect_loop", "blocked_address", "scheme",
            "download", "malformed_url", "render_unavailable"}


class SkipRequest(IgnoreRequest):
    """Raised by our middlewares: the request is refused and has already been counted."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


def count_skip(stats: Any, kind: str, url: str, detail: str = "") -> None:
    stats.inc_value(SKIP_PREFIX + kind)
    level = logging.INFO if kind in _NOTABLE else logging.DEBUG
    logger.log(level, "skipped (%s) %s%s", kind, url[:300], f": {detail}" if detail else "")


def skip(stats: Any, kind: str, url: str, detail: str = "") -> SkipRequest:
    """Count a skip and return the exception to raise."""
    count_skip(stats, kind, url, detail)
    return SkipRequest(kind, detail)


def count_error(stats: Any, kind: str, url: str, detail: str = "") -> None:
    stats.inc_value(ERROR_PREFIX + kind)
    logger.info("failed (%s) %s%s", kind, url[:300], f": {detail[:200]}" if detail else "")


def by_prefix(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in sorted(stats.items())
            if k.startswith(prefix) and isinstance(v, int)}
