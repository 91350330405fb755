"""Store what a page said: the page record (text, content hash, evidence), its findings, and
which of its earlier findings are gone.

Each page of each patrol run is a PageRecord with its content hash, so a later patrol knows
what changed; the page's findings are upserted (a known finding only gets a new last_seen) and
findings of this URL that are no longer there are marked gone.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import _schedule_coro
from twisted.internet import reactor, threads
from twisted.python.threadpool import ThreadPool

from common.posttime import post_time
from common.timefmt import configured_zone
from findings.model import FindingRecord, PageRecord, finding_id, to_iso
from ocr import OcrResult
from patrols.exit_codes import storage_failure

from ..context import PatrolContext, context_of
from ..items import PageItem
from ..skips import count_error

STORAGE_FAILED = "storage_failed"   # the close reason; the run is recorded failed

logger = logging.getLogger(__name__)
CONTEXT_CHARS = 80


def finding_record(f: Any, *, source: str, text: str, item: PageItem, ctx: PatrolContext,
                   kind: str) -> FindingRecord:
    start = max(0, f.start - CONTEXT_CHARS)
    return FindingRecord(
        id=finding_id(source, f.rule, f.normalized or f.evidence), rule=f.rule,
        severity=f.severity, evidence=f.evidence, start=f.start, end=f.end, clause=f.clause,
        lead=f.lead, source=source, captured_at=item.captured_at, rule_name=f.rule_name,
        annual_rate=f.annual_rate, normalized=f.normalized,
        context=text[start:f.end + CONTEXT_CHARS], context_start=start,
        content_hash=item.content_hash, domain=item.host, target=ctx.target.name, kind=kind,
        page_id=item.page_id, run_id=ctx.run.id, platform=f.platform, sentiment=f.sentiment,
        operator=item.operator,
        extra={**(f.extra or {}), "url": item.final_url, "rendered": item.rendered,
               **image_extra(item, f)},
        **warc_fields(item),
    )


def image_extra(item: PageItem, f: Any) -> dict[str, Any]:
    """For a finding read from an image: the page that showed it, the image, its hash and
    size, and the box of the words (the console draws it over the image)."""
    if item.record_kind != "image" or not item.image:
        return {}
    ocr = OcrResult.from_dict(item.image["ocr"])
    box = ocr.box_at(f.start)
    return {"page_url": item.image["page_url"], "image_url": item.image["image_url"],
            "image_sha256": item.image["sha256"], "image_size": [ocr.width, ocr.height],
            "box": list(box.box) if box else None, "words": box.text if box else f.evidence}


def warc_fields(item: PageItem) -> dict[str, Any]:
    warc = item.warc or {}
    if not warc:
        return {}
    return {"warc_file": warc["path"], "warc_offset": warc["offset"],
            "warc_length": warc["length"]}


class StorePipeline:
    def __init__(self, crawler: Any, ctx: PatrolContext) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.stopping = False
        self.ctx = ctx
        self.store = ctx.store
        self.sites_done: set[str] = set()
        self.zone = configured_zone(ctx.settings)   # of post times written without a zone
        self._writer: ThreadPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        ctx = context_of(crawler)
        if ctx is None or ctx.store is None:
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler, ctx)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        if self.ctx.distributed is None:
            return self._written(item, *self._write(item))
        # A worker of a distributed run writes in its own thread: while another worker holds the
        # shared SQLite file's write lock (or hangs holding it), this write waits up to the
        # store's write_timeout, and the reactor must go on renewing leases, taking back the
        # hung worker's pages and downloading. One thread, so the writes keep their order.
        if self._writer is None:
            self._writer = ThreadPool(1, 1, name="patrol-store-writer")
            self._writer.start()
        d = threads.deferToThreadPool(reactor, self._writer, self._write, item)
        d.addCallback(lambda result: self._written(item, *result))
        return d

    def close_spider(self, spider: Any = None) -> None:
        if self._writer is not None:
            self._writer.stop()   # every item is handled before the spider closes

    def _write(self, item: PageItem) -> tuple[list[tuple[FindingRecord, bool]],
                                              BaseException | None, list[tuple[str, int]]]:
        """(what was stored, the failure, stats to add): runs in the writer thread of a
        distributed worker, so the stats are added by `_written`, in the reactor's."""
        stats: list[tuple[str, int]] = []
        try:
            # the page, its findings and what is gone from it land together or not at all
            with self.store.batch():
                return self._store(item, stats), None, stats
        except Exception as exc:  # noqa: BLE001 - one bad page must not end the patrol
            return [], exc, stats

    def _written(self, item: PageItem, stored: list[tuple[FindingRecord, bool]],
                 exc: BaseException | None, stats: list[tuple[str, int]]) -> PageItem:
        for key, count in stats:
            self.stats.inc_value(key, count)
        if exc is not None:
            if storage_failure(exc):
                self._stop(item, exc)
                return item
            logger.error("storing %s failed", item.url, exc_info=exc)
            count_error(self.stats, "store_failed", item.url, repr(exc))
            return item
        self._count(stored)
        return item

    def _stop(self, item: PageItem, exc: BaseException) -> None:
        """The data directory cannot be written (disk full, read-only): every further page
        would be fetched for nothing, so the patrol stops, once, and says why in one line."""
        count_error(self.stats, "storage_failed", item.url, repr(exc))
        if self.stopping:
            return
        self.stopping = True
        logger.error("the store cannot be written (%s): the patrol stops; %s was not stored",
                     exc, item.url)
        _schedule_coro(self.crawler.engine.close_spider_async(reason=STORAGE_FAILED))

    def _store(self, item: PageItem,
               stats: list[tuple[str, int]]) -> list[tuple[FindingRecord, bool]]:
        ctx, store = self.ctx, self.store
        kind = "image" if item.record_kind == "image" else ctx.target.analysis_kind
        if self._fetched_again(item):
            # Fetched again in this run (its request went back to the frontier when the lease
            # ran out, though a worker had stored it): the same record is written again, and
            # the page is counted once.
            stats.append(("patrol/pages_fetched_again", 1))
            if item.record_kind == "page":
                stats.append(("patrol/pages", -1))
        elif item.record_kind == "page":   # images are not pages of the site
            previous = store.previous_hash(item.url)
            change = "new" if previous is None else (
                "unchanged" if previous == item.content_hash else "changed")
            stats.append((f"patrol/pages_{change}", 1))
        store.save_page(PageRecord(
            id=item.page_id, url=item.url, captured_at=item.captured_at,
            final_url=item.final_url, status=item.status, title=item.title, text=item.text,
            operator=item.operator, content_hash=item.content_hash, domain=item.host,
            target=ctx.target.name, run_id=ctx.run.id, rendered=item.rendered,
            evidence=item.evidence, **warc_fields(item)))
        records = [finding_record(f, source=item.url, text=item.text, item=item, ctx=ctx,
                                  kind=kind) for f in item.findings]
        # a forum post is cited as itself: the thread URL with the post's anchor, its author,
        # time and words; it is dated when it was written (spikes and the opinion timeline
        # count it then), when its time text can be read
        for post, f in item.post_findings:
            record = finding_record(f, source=f"{item.url}#{post.anchor()}", text=post.text,
                                    item=item, ctx=ctx, kind="post")
            record.posted_at = post_time(post.time, item.captured_at, self.zone)
            record.extra.update(post={**post.as_dict(), "posted_at": to_iso(record.posted_at)},
                                thread_url=item.url)
            records.append(record)
        records = list({r.id: r for r in records}.values())
        # one operator check per site: host and port, so two sites on one address stay apart
        site = f"site:{urlsplit(item.final_url or item.url).netloc}"
        site_records = [finding_record(f, source=site, text=item.operator or "", item=item,
                                       ctx=ctx, kind="site") for f in item.site_findings]
        site_records = list({r.id: r for r in site_records}.values())
        everything = records + site_records
        new_flags = store.upsert_findings(everything) if everything else []
        store.mark_gone(item.url, {r.id for r in records}, item.captured_at)
        if item.operator and site not in self.sites_done:
            # the first page naming the operator is the one its check ran on
            self.sites_done.add(site)
            store.mark_gone(site, {r.id for r in site_records}, item.captured_at)
        return list(zip(everything, new_flags, strict=True))

    def _fetched_again(self, item: PageItem) -> bool:
        """Did this run store the page already? Only a distributed run fetches a URL twice."""
        if self.ctx.distributed is None:
            return False
        from findings.cluster import ClusterUnavailable

        try:
            return self.store.get_page(item.page_id) is not None
        except ClusterUnavailable:
            return False   # the cluster is away (its writes wait in the spool): a first fetch

    def _count(self, stored: list[tuple[FindingRecord, bool]]) -> None:
        """What the run found, counted once the page's writes are in the store."""
        if stored and self.ctx.distributed is not None:
            self.ctx.distributed.add_findings([r.id for r, _ in stored])
        for record, is_new in stored:
            self.ctx.all_finding_ids.add(record.id)
            self.ctx.findings_by_rule[record.rule] = self.ctx.findings_by_rule.get(record.rule, 0) + 1
            self.stats.inc_value(f"patrol/findings_by_rule/{record.rule}")
            self.stats.inc_value("patrol/findings")
            if is_new:
                self.ctx.new_findings.append(record)
                self.stats.inc_value("patrol/findings_new")
