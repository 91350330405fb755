"""What one patrol run shares between its Scrapy components: our settings, the target, the
store, the analyzer, the address guard and what the run has produced so far.

It travels as the spider's `patrol` attribute (a spider argument), not through Scrapy's
settings, because Scrapy copies its settings and live objects (a store connection, a socket)
must not be copied. Components find it in `from_crawler` and switch themselves off
(NotConfigured) when a crawl has none, as the bare benchmark spider does.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from findings.model import FindingRecord, PatrolRun
from settings import Settings

from .address_guard import AddressGuard
from .targets import Target

if TYPE_CHECKING:
    from findings.base import Store


@dataclass
class PatrolContext:
    settings: Settings
    target: Target                  # resolved: every limit filled in
    run: PatrolRun
    store: Store | None
    analyzer: Any | None            # analyzers.Analyzer
    guard: AddressGuard
    chromium: str | None = None     # path of the browser, None when rendering is off
    proxy_socket: socket.socket | None = None  # bound listening socket of the browser proxy
    images: Any | None = None       # crawler.image_reader.ImageReader, None when OCR is off
    images_off: str = ""            # why images are not read (said once in the summary)
    new_findings: list[FindingRecord] = field(default_factory=list)
    all_finding_ids: set[str] = field(default_factory=set)
    evidence_paths: list[str] = field(default_factory=list)
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)   # final Scrapy stats, set at close
    close_reason: str = ""
    lock_owner: str = ""
    distributed: Any | None = None  # crawler.distributed.member.RunMember in a worker


def context_of(crawler: Any) -> PatrolContext | None:
    spider = getattr(crawler, "spider", None)
    ctx = getattr(spider, "patrol", None)
    return ctx if isinstance(ctx, PatrolContext) else None
