"""The OCR package on its own: header checks against hostile images, reading a poster, the
cache, and `patrol doctor`'s report. The model is loaded once for the session (a module-level
engine); posters are small and few."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ocr import ImageLimits, ImageRejected, OcrCache, OcrEngine, inspect_image
from ocr.result import OcrResult, TextBox
from settings import ROOT
from tests.crawler.conftest import _env
from tests.mockserver.images import SVG_BOMB, huge_png, image, poster

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
