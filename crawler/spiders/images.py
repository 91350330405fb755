"""The images side of the patrol spider: which pictures of a page to fetch, and reading them.

A mixin of PatrolSpider (crawler/spiders/patrol.py), kept apart so the spider stays readable:
candidate images are fetched as ordinary Scrapy requests (so the address guard, redirect
guard, size limit and timeouts apply), read by the OCR worker (crawler/image_reader.py) and
yielded as page items of kind `image` for the analyze, evidence and store pipelines.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import StopDownload
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from findings.model import page_id, utcnow
from ocr import ImageRejected
from settings import Settings

from ..extract import PageContent
from ..failures import classify_failure
from ..image_reader import OcrUnavailable
from ..images import ImageRef, rendered_backgrounds, select_images
from ..items import PageItem
from ..skips import SkipRequest, count_error, count_skip
from ..summary import OCR_OFF_STAT
from ..urls import canonical_url

logger = logging.getLogger(__name__)

# An image is fetched right after the page that shows it, ahead of the pages waiting in the
# queue (links are 0-5, minus one per level of depth; start URLs, sitemaps and robots.txt stay
# first). Reading then goes on in the OCR worker while the crawl continues; behind the pages
# (as it was, priority -1) every image was fetched and read after the last page, one by one,
# and a site with a poster on every tenth page took 2.4 times as long as without OCR.
IMAGE_PRIORITY = 10


class ImageReading:
    patrol: Any
    target: Any
    crawler: Any

    def init_images(self, settings: Settings) -> None:
        self.image_budget = settings["ocr_max_images_per_run"]
        self.image_limits = {"min_side": settings["ocr_min_side"],
                             "max_repeat": settings["ocr_max_repeat"],
                             "limit": settings["ocr_max_images_per_page"]}
        self.image_max_bytes = settings["ocr_max_image_bytes"]
        self.images_requested: set[str] = set()

    def note_images_off(self) -> None:
        """Say in the run's stats (and so once in its summary) why pictures are not read."""
        if self.patrol.images_off:
            self.crawler.stats.set_value(OCR_OFF_STAT, self.patrol.images_off)

    def _image_requests(self, response: TextResponse, item: PageItem,
                        content: PageContent) -> Iterator[scrapy.Request]:
        """Fetch the page's candidate images through the same middlewares as pages (address
        guard, redirect guard, size limit, timeout); each URL once per run."""
        if self.patrol.images is None or self.patrol.images.unavailable:
            return
        refs = list(content.images)
        for url in rendered_backgrounds(response.meta):
            refs.append(ImageRef(urljoin(response.url, url), "background"))
        limits = dict(self.image_limits)
        if self.target.kind == "ads":
            # on an ad target every picture is an ad, wherever it is and however often shown
            limits["max_repeat"] = 10**6
        for ref in select_images(refs, **limits):
            canonical = canonical_url(ref.url)
            if canonical in self.images_requested:
                continue   # read once per run, for the first page that showed it
            if self.image_budget <= 0:
                count_skip(self.crawler.stats, "image_limit", ref.url)
                continue
            reason = self.patrol.guard.check_url(ref.url)
            if reason:
                count_skip(self.crawler.stats, reason, ref.url, "image")
                continue
            self.image_budget -= 1
            self.images_requested.add(canonical)
            yield scrapy.Request(
                ref.url, callback=self.parse_image, errback=self.image_failed,
                priority=IMAGE_PRIORITY,
                meta={"patrol_kind": "image", "patrol_url": canonical,
                      "patrol_image_of": item.url, "patrol_image_source": ref.source,
                      "patrol_page_title": item.title, "patrol_page_host": item.host,
                      "patrol_depth": item.depth, "download_maxsize": self.image_max_bytes,
                      "download_warnsize": 0, "dont_retry": True})

    async def parse_image(self, response: Response) -> AsyncIterator[PageItem]:
        """Read the words in one image (in the OCR worker) and hand them to the analyzers as a
        record of kind `image`. Whatever the image is, a skip is counted, never a crash."""
        stats = self.crawler.stats
        reader = self.patrol.images
        if reader is None:
            return
        try:
            read = await reader.read(response.body)
        except ImageRejected as exc:
            count_skip(stats, f"image_{exc.kind}", response.url, str(exc)[:200])
            return
        except TimeoutError:
            count_skip(stats, "image_timeout", response.url)
            return
        except OcrUnavailable as exc:
            self.crawler.stats.set_value(OCR_OFF_STAT, str(exc))   # said once in the summary
            return
        except Exception as exc:  # noqa: BLE001 - the OCR engine failed on this image
            logger.exception("OCR failed on %s", response.url)
            count_error(stats, "ocr_failed", response.url, repr(exc)[:200])
            return
        stats.inc_value("patrol/ocr/cached" if read.cached else "patrol/ocr/read")
        if not read.result.text:
            return
        meta = response.meta
        now = utcnow()
        canonical = meta["patrol_url"]
        yield PageItem(
            url=canonical, final_url=response.url, status=response.status,
            headers={k.decode("latin-1"): [v.decode("latin-1") for v in vs]
                     for k, vs in response.headers.items()},
            body=response.body, captured_at=now, content_hash=read.sha256, encoding="",
            charset_source="", title=f"图片：{meta.get('patrol_page_title', '')}"[:300],
            text=read.result.text, footer_text="", host=meta["patrol_page_host"],
            depth=meta.get("patrol_depth", 0), page_id=page_id(self.patrol.run.id, canonical),
            record_kind="image",
            image={"page_url": meta["patrol_image_of"], "image_url": response.url,
                   "sha256": read.sha256, "format": read.format,
                   "source": meta.get("patrol_image_source", ""),
                   "ocr": read.result.to_dict()})

    def image_failed(self, failure: Failure) -> None:
        """An image that could not be fetched is a skip of the image, not a page error."""
        if failure.check(SkipRequest) or failure.check(StopDownload):
            return  # counted where it was raised
        category, kind = classify_failure(failure)
        count_skip(self.crawler.stats, kind if category == "skip" else f"image_{kind}",
                   failure.request.url, str(failure.value)[:200])
