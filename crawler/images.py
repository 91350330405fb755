"""Which images of a page may carry an offer, in document order: `<img>` (src, srcset, lazy
`data-src`/`data-original`), `<picture><source srcset>`, `<input type=image>`, `<svg><image>`,
inline CSS backgrounds, and (in rendered mode) CSS backgrounds of large elements.

Skipped before any download: images declared smaller than the icon size (width/height
attributes), data: and non-http URLs, and an image repeated many times in one page (bullets,
separators). Images inside ad boxes come first: that is where the posters are. The rest of the
checks (real size, aspect, pixel bombs) need the image's header and are in ocr.image_check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml import etree

_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-url", "data-echo")
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.I)
_AD_TOKENS = {"ad", "ads", "advert", "banner", "gg", "guanggao", "poster", "promo", "float",
              "popup", "slide", "swiper", "carousel"}
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


@dataclass
class ImageRef:
    url: str
    source: str              # img, srcset, lazy, picture, input, svg, style, background
    ad: bool = False         # inside an ad box or a link: read first
    repeats: int = 1         # how often the page uses it
    declared_side: int | None = None   # smallest width/height attribute, when given


def _srcset_best(value: str) -> str:
    """The largest candidate of a srcset ("a.png 1x, b.png 2x" / "a.png 480w, b.png 960w")."""
    best, best_size = "", -1.0
    for part in value.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        size = 1.0
        if len(bits) > 1:
            try:
                size = float(bits[1][:-1])
            except ValueError:
                size = 1.0
        if size > best_size:
            best, best_size = bits[0], size
    return best


def _declared_side(el: etree._Element) -> int | None:
    sides = []
    for attr in ("width", "height"):
        value = (el.get(attr) or "").strip().lower().removesuffix("px")
        if value.isdigit() and len(value) < 7:
            sides.append(int(value))
    return min(sides) if sides else None


def _in_ad(el: etree._Element) -> bool:
    for a in el.iterancestors():
        if a.tag == "a":
            return True
        raw = f"{a.get('id') or ''} {a.get('class') or ''}".lower()
        if {t for t in _TOKEN_SPLIT.split(raw) if t} & _AD_TOKENS:
            return True
    return False


def page_images(doc: etree._Element, base_url: str, limit: int = 400) -> list[ImageRef]:
    """Every image reference of a parsed page, each URL once, in document order."""
    found: dict[str, ImageRef] = {}

    def add(raw: str, source: str, el: etree._Element) -> None:
        raw = (raw or "").strip()
        if not raw or raw.lower().startswith(("data:", "javascript:", "about:", "blob:")):
            return
        try:
            url = urljoin(base_url, raw)
        except ValueError:
            return
        if not url.lower().startswith(("http://", "https://")):
            return
        ref = found.get(url)
        if ref is not None:
            ref.repeats += 1
        elif len(found) < limit:
            found[url] = ImageRef(url, source, _in_ad(el), declared_side=_declared_side(el))

    for el in doc.iter("img", "input", "source", "image"):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "input" and (el.get("type") or "").lower() != "image":
            continue
        if tag == "img":
            lazy = next((el.get(a) for a in _LAZY_ATTRS if el.get(a)), None)
            if lazy:
                add(lazy, "lazy", el)
            elif el.get("srcset"):
                add(_srcset_best(el.get("srcset", "")), "srcset", el)
            else:
                add(el.get("src", ""), "img", el)
        elif tag == "source":
            add(_srcset_best(el.get("srcset", "") or el.get("src", "")), "picture", el)
        elif tag == "input":
            add(el.get("src", ""), "input", el)
        else:   # <svg><image href|xlink:href>
            add(el.get("href") or el.get(_XLINK_HREF) or "", "svg", el)
    for el in doc.xpath("//*[@style]"):
        style = el.get("style") or ""
        if "url(" in style.lower():
            for m in _CSS_URL.finditer(style[:2000]):
                add(m.group(1), "style", el)
    return list(found.values())


def select_images(refs: list[ImageRef], *, min_side: int, max_repeat: int,
                  limit: int) -> list[ImageRef]:
    """The images worth fetching: not declared smaller than an icon, not repeated as layout;
    ad images first, then document order."""
    chosen = [r for r in refs if r.repeats <= max_repeat
              and (r.declared_side is None or r.declared_side >= min_side)]
    chosen.sort(key=lambda r: not r.ad)
    return chosen[:max(0, limit)]


def rendered_backgrounds(meta: dict[str, Any]) -> list[str]:
    """Background image URLs found in the browser (the result of browser_page's
    collect_backgrounds page method), if the page was rendered."""
    for method in meta.get("playwright_page_methods") or ():
        name = getattr(getattr(method, "method", None), "__name__", "")
        if name == "collect_backgrounds" and \
                isinstance(getattr(method, "result", None), list):
            return [u for u in method.result if isinstance(u, str)]
    return []
