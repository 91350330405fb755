"""The OCR engine: rapidocr_onnxruntime (PP-OCR detection and recognition on onnxruntime, CPU),
loaded once per process and shared; reading is serialized by a lock (one model, one image's
working memory at a time) and meant to run in a worker thread, never on the crawler's reactor
thread. Nearly all of a read is inside onnxruntime, which releases the GIL.

Only images that passed `inspect_image` are decoded. Large images are scaled down to
`max_side` before reading, which bounds the time one image can take; the text detector reads a
smaller copy still (`detection_side`).
"""

from __future__ import annotations

import io
import logging
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .image_check import ImageInfo
from .result import OcrResult, TextBox

logger = logging.getLogger(__name__)

_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()
MIN_SCORE = 0.5
# The recognizer writes a space for a wide gap between two characters; between Chinese
# characters it is an artifact of how tight the box is, not a word break (and it would come and
# go with the detector's resolution), so it is dropped.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def ocr_available() -> tuple[bool, str]:
    """Whether the OCR engine can be imported here, and a line saying which or why not."""
    try:
        import onnxruntime
        import rapidocr_onnxruntime  # noqa: F401
        from PIL import Image  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means no OCR
        return False, f"rapidocr_onnxruntime 不可用：{type(exc).__name__}: {exc}"[:200]
    from importlib.metadata import version

    return True, (f"rapidocr_onnxruntime {version('rapidocr_onnxruntime')}，"
                  f"onnxruntime {onnxruntime.__version__}")


def ocr_installed() -> tuple[bool, str]:
    """Whether the OCR packages are installed, without importing them (a patrol whose pages
    have no pictures never pays for loading onnxruntime and OpenCV)."""
    from importlib.util import find_spec

    for name in ("rapidocr_onnxruntime", "onnxruntime", "PIL", "numpy"):
        try:
            found = find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return False, f"未安装 {name}"
    return True, ""


# What the text detector sees: the picture's longest side at most DET_SIDE, but never shrunk by
# more than DET_MIN_SCALE, so that small print (14 px on a 720 px poster) stays detectable in
# large banners too. Detection costs in proportion to pixels: a 720x400 poster is detected at
# 640x352 instead of 704x384 (a fifth less work per poster, the same words). Recognition always
# reads the boxes from the full-size picture.
DET_SIDE = 640
DET_MIN_SCALE = 0.75


# Recognition reads one text line at a time. rapidocr batches six lines padded to the widest
# of them: on posters that cost 0.046-0.069 s of CPU per poster against 0.041 s one by one, and
# on a 1600x1600 picture of 40 long lines 24.8 s against 4.2 s, with a peak ~280 MB higher.
REC_BATCH = 1
# Text lines read per picture at most, the tallest first: an offer is set in the large type, and
# a picture crowded with small print must not hold the reader (a long line costs ~0.1 s).
MAX_LINES = 50


def tallest(boxes: Any, limit: int = MAX_LINES) -> Any:
    """The `limit` tallest of the detected boxes (n x 4 x 2 corner points), in their order."""
    if boxes is None or len(boxes) <= limit:
        return boxes
    import numpy as np

    heights = np.linalg.norm(boxes[:, 0] - boxes[:, 3], axis=1)
    keep = np.sort(np.argsort(-heights, kind="stable")[:limit])
    return boxes[keep]


def _capped_detection(engine: Any) -> Any:
    """rapidocr's detection step (detect, then order the boxes) with `tallest` in between,
    before its ordering, which is quadratic in the number of boxes."""
    def detect(img: Any) -> tuple[Any, float]:
        boxes, elapsed = engine.text_det(img)
        if boxes is None or len(boxes) < 1:
            return None, 0.0
        return engine.sorted_boxes(tallest(boxes)), elapsed
    return detect


def detection_side(longest: int) -> int:
    """The longest side of the picture the detector reads, for a picture of `longest` pixels."""
    return max(min(longest, DET_SIDE), math.ceil(longest * DET_MIN_SCALE))


@contextmanager
def _session_options() -> Iterator[None]:
    """Sessions made inside this block keep no memory patterns.

    A memory pattern is a block planned and kept for every input shape a session has seen;
    recognition sees a new width with nearly every text line, so a process reading posters
    grew by ~200 MB over 20 posters (peak 439 MB instead of 232 MB for the same reads, at the
    same speed). rapidocr 1.4 builds its session options itself, so they are amended here,
    while the engine is made (under _ENGINE_LOCK), and the library is left as it was."""
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    plain = OrtInferSession.__dict__["_init_sess_opts"]

    def options(config: dict[str, Any]) -> Any:
        opts = plain.__func__(config)
        opts.enable_mem_pattern = False
        return opts

    OrtInferSession._init_sess_opts = staticmethod(options)
    try:
        yield
    finally:
        OrtInferSession._init_sess_opts = plain


def _engine() -> Any:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR
            from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

            # One thread per model run: the crawler and other patrols share the cores (a
            # second onnxruntime thread cost 19% more CPU per poster on a busy machine for
            # 10% less wall time). No direction classifier: posters and banners are upright.
            with _session_options():
                engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1,
                                  print_verbose=False, use_cls=False)
            # rapidocr 1.4 ignores det_limit_side_len with limit type "max" (it picks 960,
            # 1500 or 2000 by the picture's size, so pictures are detected at full size):
            # the detector's resizing is chosen here instead.
            det = engine.text_det
            det.get_preprocess = lambda longest: DetPreProcess(
                detection_side(longest), "max", det.mean, det.std)
            engine.text_rec.rec_batch_num = REC_BATCH
            engine.auto_text_det = _capped_detection(engine)
            _ENGINE = engine
        return _ENGINE


class OcrEngine:
    def __init__(self, max_side: int = 1600) -> None:
        self.max_side = max_side
        self._lock = threading.Lock()

    def load(self) -> None:
        _engine()

    def read(self, data: bytes, info: ImageInfo) -> OcrResult:
        """Decode and read one image that passed inspect_image. Raises ValueError when the
        image cannot be decoded (truncated, corrupt)."""
        import numpy as np
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as im:
                im.draft("RGB", (self.max_side, self.max_side))   # JPEG: decode smaller
                frame = im.convert("RGB")
        except Exception as exc:  # noqa: BLE001 - truncated or corrupt data
            raise ValueError(f"cannot decode image: {type(exc).__name__}: {exc}"[:200]) from None
        scale = 1.0
        if max(frame.size) > self.max_side:
            scale = max(frame.size) / self.max_side
            frame = frame.resize((max(1, round(frame.width / scale)),
                                  max(1, round(frame.height / scale))))
        array = np.asarray(frame)[:, :, ::-1]   # RGB -> BGR, as OpenCV-based models expect
        with self._lock:
            raw, _ = _engine()(array, use_cls=False)
        boxes = []
        for points, raw_text, score in raw or []:
            text = _CJK_GAP.sub("", str(raw_text)).strip()
            if float(score) < MIN_SCORE or not text:
                continue
            xs = [p[0] * scale for p in points]
            ys = [p[1] * scale for p in points]
            boxes.append(TextBox(text, (int(min(xs)), int(min(ys)),
                                                     int(max(xs)) + 1, int(max(ys)) + 1),
                                 float(score)))
        boxes.sort(key=lambda b: (b.box[1] // 16, b.box[0]))   # rows, then left to right
        return OcrResult(info.width, info.height, tuple(boxes))
