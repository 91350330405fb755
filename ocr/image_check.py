"""Is this worth reading, and safe to decode? Decided from the first bytes and the header only.

Crawled images are written by adversaries: a `.png` that is HTML, an SVG that expands forever, a
30,000 x 30,000 PNG of a few kilobytes that would take gigabytes once decoded, a truncated JPEG.
The format is sniffed from the magic bytes (never the URL or Content-Type), the dimensions are
read from the header without decoding (Pillow opens lazily), and only raster formats within the
pixel limit go on to be decoded. SVG is never rasterized: it is markup, and its text (if any) is
not an image's text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

RASTER_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
    (b"GIF89a", "gif"), (b"BM", "bmp"),
)


class ImageRejected(ValueError):
    """The image is not read; `kind` is the skip kind counted in the crawl summary."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int = 16_000_000    # header check, before any decoding
    min_side: int = 40              # icons, bullets, tracking pixels
    max_aspect: float = 12.0        # dividers, thin strips


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def sniff_format(data: bytes) -> str | None:
    for magic, name in RASTER_MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def inspect_image(data: bytes, limits: ImageLimits) -> ImageInfo:
    """Format and size of `data`, or ImageRejected (not_image, svg, too_many_pixels, icon,
    aspect, bad_image). Nothing is decoded here."""
    fmt = sniff_format(data)
    if fmt is None:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
            raise ImageRejected("svg", "vector image, not read")
        raise ImageRejected("not_image", "no image signature")
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:   # reads the header only
            width, height = im.size
    except Image.DecompressionBombError as exc:
        raise ImageRejected("too_many_pixels", str(exc)[:120]) from None
    except Exception as exc:  # noqa: BLE001 - a malformed header is an unreadable image
        raise ImageRejected("bad_image", f"{type(exc).__name__}: {exc}"[:160]) from None
    if width <= 0 or height <= 0:
        raise ImageRejected("bad_image", "empty image")
    if width * height > limits.max_pixels:
        raise ImageRejected("too_many_pixels", f"{width}x{height}")
    if min(width, height) < limits.min_side:
        raise ImageRejected("icon", f"{width}x{height}")
    if max(width, height) / min(width, height) > limits.max_aspect:
        raise ImageRejected("aspect", f"{width}x{height}")
    return ImageInfo(fmt, width, height)
