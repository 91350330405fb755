"""The OCR side of a patrol run: images fetched by the spider are checked, read in a worker
thread (never on the reactor thread, so crawling goes on) and remembered by SHA-256.

One reader per process, shared by the runs of `patrol crawl`: one model in memory, one worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ocr import ImageLimits, ImageRejected, OcrCache, OcrEngine, OcrResult, inspect_image
from ocr.engine import ocr_installed
from settings import Settings

logger = logging.getLogger(__name__)


class OcrUnavailable(RuntimeError):
    """The OCR engine cannot be loaded here (a package or a system library is missing)."""


@dataclass(frozen=True)
class ImageRead:
    result: OcrResult
    sha256: str
    format: str
    cached: bool


class ImageReader:
    def __init__(self, settings: Settings) -> None:
        self.limits = ImageLimits(max_pixels=settings["ocr_max_pixels"],
                                  min_side=settings["ocr_min_side"],
                                  max_aspect=settings["ocr_max_aspect"])
        self.timeout = float(settings["ocr_image_timeout"])
        self.cache = OcrCache(settings.data_path("ocr", "cache.sqlite3"))
        self.engine = OcrEngine()
        self.rejected: dict[str, ImageRejected] = {}
        self.unavailable = ""   # why the engine could not be loaded, once it failed
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr")

    async def read(self, data: bytes) -> ImageRead:
        """Read one image; raises ImageRejected (counted as a skip by kind), TimeoutError, or
        OcrUnavailable (said once; no image is read after it)."""
        if self.unavailable:
            raise OcrUnavailable(self.unavailable)
        try:
            return await self._read(data)
        except ImportError as exc:   # the engine is loaded with the first picture
            self.unavailable = f"{type(exc).__name__}: {exc}"[:200]
            logger.warning("OCR unavailable, images are not read: %s", exc)
            raise OcrUnavailable(self.unavailable) from None

    async def _read(self, data: bytes) -> ImageRead:
        sha = hashlib.sha256(data).hexdigest()
        if sha in self.rejected:
            raise self.rejected[sha]
        try:
            info = inspect_image(data, self.limits)
        except ImageRejected as exc:
            self.rejected[sha] = exc
            raise
        hit = self.cache.get(sha)
        if hit is not None:
            return ImageRead(hit, sha, info.format, cached=True)
        loop = asyncio.get_running_loop()
        started = loop.create_future()

        def read_now() -> OcrResult:
            loop.call_soon_threadsafe(_resolve, started)
            result = self.engine.read(data, info)
            try:   # a SQLite commit: here, not on the reactor thread
                self.cache.put(sha, result)
            except sqlite3.Error as exc:   # the words were read: a cache fault does not lose them
                logger.warning("OCR cache not written for %s: %s", sha[:12], exc)
            return result

        future = loop.run_in_executor(self._executor, read_now)
        try:
            # The time limit is for reading this image, not for waiting behind the images
            # fetched before it: a backlog is bounded by Scrapy's scraper slot (image bodies
            # waiting here count towards SCRAPER_SLOT_MAX_ACTIVE_SIZE, which pauses fetching).
            await asyncio.wait((started, future), return_when=asyncio.FIRST_COMPLETED)
            result = await asyncio.wait_for(future, self.timeout)
        except ValueError as exc:   # could not be decoded: truncated, corrupt
            self.rejected[sha] = ImageRejected("bad_image", str(exc))
            raise self.rejected[sha] from None
        return ImageRead(result, sha, info.format, cached=False)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.cache.close()


def _resolve(started: asyncio.Future[None]) -> None:
    if not started.done():
        started.set_result(None)


def make_image_reader(settings: Settings) -> tuple[ImageReader | None, str]:
    """The reader, or None and the reason (OCR off or not installed), said once per process."""
    if not settings["ocr_enabled"]:
        return None, "图片文字识别已关闭（ocr_enabled）"
    ok, detail = ocr_installed()
    if not ok:
        logger.warning("OCR unavailable, images are not read: %s", detail)
        return None, detail
    return ImageReader(settings), ""
