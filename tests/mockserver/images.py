"""Images of the hostile test site: posters whose offer is only in the picture, and images that
try to stall or crash a reader. Made at run time with Pillow and the WenQuanYi font, so no
binary is committed; each is built once, on first request."""

from __future__ import annotations

import functools
import io
import struct
import zlib

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
POSTERS = {
    "/images/poster.png": ("年化收益20%", "保本保息"),
    "/images/poster-lazy.png": ("零首付买房", "首付贷轻松办"),
    "/images/poster-bg.png": ("稳赚不赔", "内部认购原始股"),
    "/images/poster-picture.png": ("股票配资", "1:10杠杆按天配资"),
    "/images/poster-svg.png": ("个人POS机", "免费办理一清机"),
    "/images/poster-order.png": ("保本保息", "年化收益20%"),
}


def poster(lines: tuple[str, ...], size: tuple[int, int] = (480, 240), fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("RGB", size, (255, 250, 240))
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, 44)
    draw.rectangle((0, 0, size[0], 12), fill=(200, 30, 30))
    for i, line in enumerate(lines):
        draw.text((30, 40 + i * 80), line, font=font, fill=(180, 20, 20) if i == 0 else (0, 0, 0))
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


PREBUILT = ("/images/huge.png", "/images/truncated.jpg", *POSTERS)


@functools.cache
def image(path: str) -> tuple[bytes, str] | None:
    """(body, content type) of an image path, or None."""
    if path in POSTERS:
        return poster(POSTERS[path]), "image/png"
    if path == "/images/truncated.jpg":
        whole = poster(("保本保息", "年化收益20%"), fmt="JPEG")
        return whole[:len(whole) // 2], "image/jpeg"
    if path == "/images/huge.png":
        return huge_png(30_000, 30_000), "image/png"
    if path == "/images/bomb.svg":
        return SVG_BOMB, "image/svg+xml"
    if path == "/images/fake.png":
        return b"<!doctype html><html><body><p>not a picture</p></body></html>", "image/png"
    if path == "/images/pixel.gif":
        return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
                b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), "image/gif"
    return None


def huge_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height white pixels: ~100 KB on the wire, 900 megapixels
    (gigabytes once decoded to RGB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    comp = zlib.compressobj(9)
    parts = [comp.compress(row * 1000) for _ in range(height // 1000)]
    parts.append(comp.compress(row * (height % 1000)))
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts))
            + chunk(b"IEND", b""))


SVG_BOMB = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "AAAAAAAAAA">'
            + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                       for i in range(9))
            + b']><svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000">'
              b"<text>&j;</text></svg>")
