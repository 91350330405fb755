"""The OCR package on its own: header checks against hostile images, reading a poster, the
cache, and `patrol doctor`'s report. The model is loaded once for the session (a module-level
engine); posters are small and few."""

from __future__ import annotations

import asyncio
import io
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crawler.image_reader import ImageReader
from ocr import ImageLimits, ImageRejected, OcrCache, OcrEngine, inspect_image
from ocr.engine import MAX_LINES, detection_side
from ocr.result import OcrResult, TextBox
from settings import ROOT, Settings
from tests.crawler.conftest import _env, run_patrol, write_targets
from tests.mockserver.images import FONT, SVG_BOMB, huge_png, image, poster
from tests.mockserver.site import ORDER_PAGES

LIMITS = ImageLimits()


@pytest.fixture(scope="session")
def engine() -> OcrEngine:
    e = OcrEngine()
    e.load()
    return e


@pytest.mark.parametrize("data, kind", [
    (huge_png(30_000, 30_000), "too_many_pixels"),
    (huge_png(5_000, 5_000), "too_many_pixels"),          # under Pillow's limit, over ours
    (SVG_BOMB, "svg"),
    (b"<!doctype html><p>not a picture</p>", "not_image"),
    (b"", "not_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "bad_image"),       # a signature and nothing else
    (poster(("x",), size=(16, 16)), "icon"),
    (poster(("x",), size=(1200, 60)), "aspect"),
])
def test_hostile_images_are_refused_from_the_header(data: bytes, kind: str) -> None:
    with pytest.raises(ImageRejected) as err:
        inspect_image(data, LIMITS)
    assert err.value.kind == kind


def test_truncated_jpeg_is_refused_when_decoded(engine: OcrEngine) -> None:
    data, _ = image("/images/truncated.jpg")
    info = inspect_image(data, LIMITS)    # the header is intact
    with pytest.raises(ValueError, match="cannot decode"):
        engine.read(data, info)


def test_poster_is_read_with_boxes(engine: OcrEngine) -> None:
    data = poster(("年化收益20%", "保本保息"))
    result = engine.read(data, inspect_image(data, LIMITS))
    assert result.text.split("\n") == ["年化收益20%", "保本保息"]
    first, second = result.boxes
    assert first.box[3] <= second.box[1]        # top to bottom
    assert result.box_at(result.text.index("保本")) is second
    assert (result.width, result.height) == (480, 240)


def test_cache_survives_the_process(tmp_path: Path) -> None:
    result = OcrResult(480, 240, (TextBox("保本保息", (1, 2, 3, 4), 0.9),))
    cache = OcrCache(tmp_path / "ocr.sqlite3")
    cache.put("ab" * 32, result)
    cache.close()
    again = OcrCache(tmp_path / "ocr.sqlite3")
    assert again.get("ab" * 32) == result
    assert again.get("cd" * 32) is None
    again.close()


def _doctor(data_dir: Path, *sets: str) -> str:
    args = [a for s in sets for a in ("--set", s)]
    proc = subprocess.run([sys.executable, "-m", "cli.main", "--data-dir", str(data_dir), *args,
                           "doctor"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    return proc.stdout


def test_doctor_reports_ocr(tmp_path: Path) -> None:
    assert "[正常] 图片文字识别（OCR）: rapidocr_onnxruntime 1.4" in _doctor(tmp_path)
    assert "[未配置] 图片文字识别（OCR）: 已关闭" in _doctor(tmp_path, "ocr_enabled=false")


def test_without_ocr_the_patrol_says_so_once_and_goes_on(mockserver: object,
                                                           tmp_path: Path) -> None:
    """A machine where rapidocr_onnxruntime cannot be imported: doctor says it is missing, the
    patrol reads the page's text, says once why pictures were not read, and ends ok."""
    shim = tmp_path / "shim" / "rapidocr_onnxruntime"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise ImportError("not installed on this machine")\n')
    env = {**_env(), "PYTHONPATH": f"{shim.parent}:{ROOT}"}
    doctor = subprocess.run([sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path / "var"),
                             "doctor"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                            env=env)
    assert "[缺失] 图片文字识别（OCR）" in doctor.stdout and "not installed" in doctor.stdout
    url = mockserver.url("/evasions/poster.html")
    cmd = [sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path / "var"), "crawl", url,
           "--render", "never", "--depth", "0", "--no-alerts"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("图片文字识别不可用") == 1 and "not installed" in proc.stdout
    assert proc.stderr.count("OCR unavailable") == 1
    assert "页面 4 个" in proc.stdout   # the page and the three its sitemap lists


def test_image_selection_from_markup() -> None:
    from crawler.extract import extract
    from crawler.images import select_images

    html = ('<html><body><img src="/logo.png" width="16" height="16">'
            '<img srcset="/a.png 1x, /a2.png 2x"><img src="/blank.gif" data-src="/lazy.jpg">'
            '<picture><source srcset="/p.webp 480w, /p2.webp 960w"><img src="/p.jpg"></picture>'
            '<svg><image href="/s.png"/></svg><div style="background:url(\'/bg.jpg\')">x</div>'
            '<img src="data:image/png;base64,AAAA"><div class="gg"><img src="/ad.png"></div>'
            + '<img src="/dot.png">' * 5 + '</body></html>')
    refs = extract(html, "http://a.cn/").images
    chosen = [r.url.removeprefix("http://a.cn") for r in
              select_images(refs, min_side=40, max_repeat=3, limit=10)]
    assert chosen == ["/ad.png", "/a2.png", "/lazy.jpg", "/p2.webp", "/p.jpg", "/s.png",
                      "/bg.jpg"]
    assert len(select_images(refs, min_side=40, max_repeat=3, limit=2)) == 2


def small_print_poster() -> bytes:
    """A 720x400 poster whose offer is in small print (14-16 px), with a gap between words."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", (720, 400), (250, 240, 220))
    draw = ImageDraw.Draw(im)
    draw.text((20, 20), "金卡理财 新手专享", font=ImageFont.truetype(FONT, 36), fill=(160, 0, 0))
    draw.text((20, 120), "本金保障 随时赎回", font=ImageFont.truetype(FONT, 16), fill="black")
    draw.text((20, 170), "客服电话 400-123-4567", font=ImageFont.truetype(FONT, 14), fill="black")
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def test_small_print_is_read_from_the_smaller_detection_copy(engine: OcrEngine) -> None:
    """The detector reads a copy at most 640 px long but never shrunk by more than a quarter;
    14 px print on a 720 px poster is still found, and a gap between Chinese words is no
    word break (no space is invented between Chinese characters)."""
    assert detection_side(720) == 640 and detection_side(480) == 480
    assert detection_side(1920) == 1440      # a wide banner keeps its small print readable
    data = small_print_poster()
    result = engine.read(data, inspect_image(data, LIMITS))
    assert result.text.split("\n") == ["金卡理财新手专享", "本金保障随时赎回",
                                        "客服电话400-123-4567"]


def crowded_poster(lines: int) -> bytes:
    """An offer in large type at the foot of a picture crowded with `lines` lines of small
    print (two columns), the way a page of terms pasted into an image is."""
    from PIL import Image, ImageDraw, ImageFont

    small = ImageFont.truetype(FONT, 14)
    im = Image.new("RGB", (720, 28 * (lines // 2) + 120), "white")
    draw = ImageDraw.Draw(im)
    for i in range(lines):
        draw.text((20 + 360 * (i % 2), 20 + 28 * (i // 2)), f"条款第{i + 1}条 详见协议",
                  font=small, fill="black")
    draw.text((20, im.height - 80), "保本保息 年化20%", font=ImageFont.truetype(FONT, 44),
              fill=(180, 20, 20))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def test_a_crowded_picture_is_read_to_a_bound_tallest_lines_first(engine: OcrEngine) -> None:
    """A picture with 80 lines of small print and one line of large type: at most MAX_LINES
    lines are recognized (each costs time), and the large type, where offers are set, is
    among them."""
    data = crowded_poster(80)
    result = engine.read(data, inspect_image(data, LIMITS))
    assert len(result.boxes) == MAX_LINES
    assert "保本保息年化20%" in result.text
    assert sum("条款第" in b.text for b in result.boxes) == MAX_LINES - 1


def _reader(make_settings: Callable[..., Settings], **overrides: Any) -> ImageReader:
    return ImageReader(make_settings(**overrides))


def test_an_image_waiting_behind_another_is_not_timed_out(
        make_settings: Callable[..., Settings]) -> None:
    """ocr_image_timeout limits reading one image, not waiting for the worker: a poster queued
    behind a long read is read once the worker is free."""
    reader = _reader(make_settings, ocr_image_timeout=1)
    data = poster(("年化收益20%", "保本保息"))
    gate = threading.Event()

    async def main() -> tuple[bool, Any]:
        busy = reader._executor.submit(gate.wait, 60)   # the worker is on a long image
        waiting = asyncio.ensure_future(reader.read(data))
        done, _ = await asyncio.wait({waiting}, timeout=2.5)   # past the 1 s limit
        gate.set()
        busy.result(timeout=60)
        return bool(done), await asyncio.wait_for(waiting, 120)

    try:
        timed_out_early, read = asyncio.run(main())
    finally:
        gate.set()
        reader.close()
    assert not timed_out_early
    assert read.result.text.split("\n") == ["年化收益20%", "保本保息"] and not read.cached


def test_a_cache_that_cannot_be_written_loses_no_words(
        make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture) -> None:
    reader = _reader(make_settings)
    assert reader.cache._db is not None
    reader.cache._db.execute("PRAGMA query_only = 1")   # every write now fails in SQLite
    data = poster(("稳赚不赔", "内部认购原始股"))
    try:
        with caplog.at_level(logging.WARNING, logger="crawler.image_reader"):
            read = asyncio.run(reader.read(data))
    finally:
        reader.close()
    assert read.result.text.split("\n") == ["稳赚不赔", "内部认购原始股"]
    assert "OCR cache not written" in caplog.text


def test_a_poster_is_fetched_and_read_while_the_crawl_goes_on(mockserver: Any,
                                                               tmp_path: Path) -> None:
    """A picture is fetched right after the page that shows it, ahead of the pages waiting in
    the queue, so the OCR worker reads it while the crawl goes on. (Behind the pages, every
    picture waited for the last page and its reading was added to the crawl's time.)"""
    targets = write_targets(tmp_path / "targets.yaml", [{
        "name": "order", "start_urls": [mockserver.url("/ocr-order/")], "render": "never",
        "sitemaps": False, "depth": 1, "concurrency": 1}])
    mockserver.clear_log()
    run = run_patrol(tmp_path / "var", "--target", "order", "--no-alerts",
                     settings={"targets_file": str(targets),
                               "crawl_max_pages_per_pattern": 100})
    assert run.returncode == 0, run.stderr[-2000:]
    paths = [e["path"] for e in mockserver.log()]
    pages = [p for p in paths if p.startswith("/ocr-order/") and p.endswith(".html")]
    assert len(pages) == ORDER_PAGES
    assert paths.index("/images/poster-order.png") < paths.index(pages[2]), paths
    assert run.summary["images_read"] == 1 and run.summary["image_findings"] >= 2


def test_sessions_keep_no_memory_pattern_per_shape(engine: OcrEngine) -> None:
    """Recognition sees a new input width with nearly every line; a memory pattern kept per
    shape made a process grow by ~200 MB over 20 posters. The engine's sessions keep none
    (one thread each), and the library's own defaults are left as they were."""
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    from ocr.engine import _engine

    rapid = _engine()
    for session in (rapid.text_det.infer.session, rapid.text_rec.session.session):
        options = session.get_session_options()
        assert options.enable_mem_pattern is False and options.intra_op_num_threads == 1
    assert OrtInferSession._init_sess_opts({}).enable_mem_pattern is True
