"""What a page says and where it leads: text (main and furniture), title, alt texts, meta
description, links, frames, `rel=next` pagination and the inline scripts.

A violation in a footer, a banner or a navigation bar is still a violation, so the furniture is
kept (separately, because the footer is also where the site operator is named). Blocks are
separated by newlines so that words from two boxes are never glued into one match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree, html

from .images import ImageRef, page_images

# Elements whose text is never shown.
_INVISIBLE = {"script", "style", "template", "head", "title", "meta", "link", "svg", "object"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "nav", "aside", "main", "li", "ul",
    "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "dd",
    "dt", "dl", "form", "blockquote", "pre", "figure", "figcaption", "option", "button",
    "label", "iframe", "body", "center", "marquee",
}
_FURNITURE_TAGS = {"header", "nav", "footer", "aside"}
# id/class tokens of page furniture on Chinese sites (gg = 广告, db = 底部).
_FURNITURE_TOKENS = {
    "header", "head", "top", "topbar", "nav", "navbar", "menu", "banner", "footer", "foot",
    "bottom", "copyright", "copy", "sidebar", "side", "ad", "ads", "advert", "gg", "guanggao",
    "db", "beian", "marquee", "float", "popup", "modal",
}
_FOOTER_TOKENS = {"footer", "foot", "bottom", "copyright", "copy", "beian", "db"}
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_IGNORED_SCHEMES = ("javascript:", "mailto:", "tel:", "sms:", "#", "about:")
_OPERATOR_HINT = re.compile(r"版权所有|©|copyright|主办单位|运营方|运营商|备案|ICP", re.I)
# Whitespace between two CJK characters is layout (inline elements on separate source lines,
# letter-spaced evasions), never a word boundary: "保</span> <span>本" reads 保本.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
# <meta http-equiv="refresh" content="5; url='/next'">: delay, then the target in any of the
# spellings browsers accept (url=, URL =, quoted or not, or a bare URL after the delay).
_REFRESH = re.compile(
    r"^\s*(?P<delay>\d*(?:\.\d*)?)[\s;,]*(?:url\s*=\s*)?(?P<quote>['\"]?)(?P<url>.*?)(?P=quote)\s*$",
    re.I | re.S)
_MAX_ATTRIBUTE_TEXTS = 500
# A script that sends the visitor elsewhere, usually from a timer longer than any render waits:
# location = '...', location.href = '...', location.replace('...') / .assign('...').
_SCRIPT_NAVIGATION = re.compile(
    r"""\blocation(?:\.href)?\s*=\s*(['"])([^'"\n]{1,500})\1"""
    r"""|\blocation\.(?:replace|assign)\(\s*(['"])([^'"\n]{1,500})\3\s*\)""")


@dataclass(frozen=True)
class Refresh:
    """A meta refresh the page carries (in <head> or in <noscript>): where and after how long."""

    url: str
    delay: float      # seconds; -1 when a script decides (unknown)


@dataclass
class PageContent:
    title: str = ""
    description: str = ""
    main_text: str = ""
    furniture_text: str = ""
    footer_text: str = ""
    alt_texts: list[str] = field(default_factory=list)   # alt, title and aria-label texts
    refreshes: list[Refresh] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)   # candidates for OCR
    links: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    bad_scheme_links: int = 0
    inline_scripts: list[str] = field(default_factory=list)
    external_scripts: int = 0

    @property
    def visible_chars(self) -> int:
        return len(self.main_text) + len(self.furniture_text)

    def analysis_text(self) -> str:
        """Everything the analyzers read, one part per block; stored as the page's text so
        that finding offsets point into it."""
        parts = [self.title, self.description, self.main_text, self.furniture_text,
                 "\n".join(self.alt_texts)]
        return "\n".join(p for p in parts if p)


def _tokens(el: etree._Element) -> set[str]:
    raw = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    return {t for t in _TOKEN_SPLIT.split(raw) if t}


def _is_furniture(el: etree._Element) -> bool:
    return el.tag in _FURNITURE_TAGS or bool(_tokens(el) & _FURNITURE_TOKENS)


def _is_footer(el: etree._Element) -> bool:
    return el.tag == "footer" or bool(_tokens(el) & _FOOTER_TOKENS)


def element_text(root: etree._Element, skip: set[etree._Element] | None = None) -> str:
    """Visible text of `root` with newlines at block boundaries, skipping `skip` subtrees.

    Iterative (iterwalk), so a hostile page nested ten thousand levels deep cannot overflow
    the stack.
    """
    out: list[str] = []
    skip = skip or set()
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el in skip or tag in _INVISIBLE or not tag:
                walker.skip_subtree()
                if el is not root and el.tail:
                    out.append(_inline(el.tail))
                continue
            if tag in _BLOCK:
                out.append("\n")
            if el.text:
                out.append(_inline(el.text))
        else:
            if tag in _BLOCK:
                out.append("\n")
            if el is not root and el.tail:
                out.append(_inline(el.tail))
    return _tidy("".join(out))


def _inline(text: str) -> str:
    """A newline in the source is only whitespace (lines come from block elements)."""
    return text.replace("\r", " ").replace("\n", " ")


def _tidy(text: str) -> str:
    lines = (_CJK_GAP.sub("", _SPACES.sub(" ", line)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _outermost(elements: list[etree._Element]) -> list[etree._Element]:
    chosen = set(elements)
    result = []
    for el in elements:
        if not any(a in chosen for a in el.iterancestors()):
            result.append(el)
    return result


def parse_html(text: str) -> etree._Element | None:
    if not text.strip():
        return None
    parser = html.HTMLParser(recover=True, huge_tree=False, remove_comments=True,
                             remove_pis=True)
    try:
        return html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def extract(text: str, base_url: str) -> PageContent:
    """Parse a decoded HTML page; never raises on hostile markup (an empty result instead)."""
    content = PageContent()
    doc = parse_html(text)
    if doc is None:
        return content
    base = doc.xpath("string(//base/@href)").strip()
    base_url = urljoin(base_url, base) if base else base_url

    content.title = _tidy(doc.xpath("string(//title)"))[:500]
    descriptions = doc.xpath(
        "//meta[translate(@name,'DESCRIPTONK','descriptonk')='description' or "
        "translate(@name,'DESCRIPTONK','descriptonk')='keywords' or "
        "starts-with(@property,'og:') or starts-with(@name,'og:') or "
        "starts-with(@name,'twitter:')]/@content")
    content.description = _tidy("\n".join(
        str(d) for d in descriptions if not _is_url(str(d))))[:2000]
    content.alt_texts = _attribute_texts(doc)
    content.images = page_images(doc, base_url)

    for script in doc.iter("script"):
        if script.get("src"):
            content.external_scripts += 1
        elif script.text:
            content.inline_scripts.append(script.text[:20000])

    content.refreshes = _refreshes(doc, base_url) + _script_navigations(
        content.inline_scripts, base_url)
    body = doc.find("body")
    root = body if body is not None else doc
    candidates = [el for el in root.iter() if isinstance(el.tag, str) and el is not root
                  and _is_furniture(el)]
    furniture = _outermost(candidates)
    content.main_text = element_text(root, skip=set(furniture))
    content.furniture_text = "\n".join(t for t in (element_text(el) for el in furniture) if t)
    footers = [el for el in furniture if _is_footer(el)] or [
        el for el in candidates if _is_footer(el)]
    footer_text = "\n".join(element_text(el) for el in footers)
    if not _OPERATOR_HINT.search(footer_text):
        # No marked-up footer: the operator line is usually among the last lines of the page.
        tail = (content.main_text + "\n" + content.furniture_text).split("\n")
        footer_text = "\n".join(line for line in tail if _OPERATOR_HINT.search(line))
    content.footer_text = footer_text[-3000:]

    for href in doc.xpath("//a/@href | //area/@href"):
        _add_link(content, content.links, str(href), base_url)
    for src in doc.xpath("//iframe/@src | //frame/@src"):
        _add_link(content, content.frames, str(src), base_url)
    for href in doc.xpath("//link[translate(@rel,'NEXT','next')='next']/@href | "
                          "//a[translate(@rel,'NEXT','next')='next']/@href"):
        _add_link(content, content.next_pages, str(href), base_url)
    return content


def _is_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://", "//", "/"))


def _attribute_texts(doc: etree._Element) -> list[str]:
    """alt, title and aria-label texts: shown as captions, tooltips and read aloud, and so a
    place where an offer hides from the page's body text. Each distinct text once."""
    seen: dict[str, None] = {}
    for value in doc.xpath("//img/@alt | //area/@alt | //input[@type='image']/@alt | "
                           "//body//@title | //@aria-label"):
        text = _tidy(str(value))
        if text and text not in seen:
            seen[text] = None
            if len(seen) >= _MAX_ATTRIBUTE_TEXTS:
                break
    return list(seen)


def parse_refresh(value: str, base_url: str) -> Refresh | None:
    """The target and delay of a meta refresh's content attribute, or None (no target)."""
    m = _REFRESH.match(value[:2000])
    if not m:
        return None
    url = m.group("url").strip().strip("'\"")
    delay_text = m.group("delay")
    if not url:
        return None   # "5" alone reloads the page itself: nothing to follow
    try:
        delay = float(delay_text) if delay_text not in ("", ".") else 0.0
        target = urljoin(base_url, url)
    except ValueError:
        return None
    return Refresh(url=target, delay=delay)


def _refreshes(doc: etree._Element, base_url: str) -> list[Refresh]:
    found: list[Refresh] = []
    for value in doc.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content"):
        refresh = parse_refresh(str(value), base_url)
        if refresh is not None and refresh not in found:
            found.append(refresh)
    return found[:10]


def _script_navigations(scripts: list[str], base_url: str) -> list[Refresh]:
    """Where inline scripts send the visitor; the delay is unknown (a timer, usually), so
    these are followed as links, never as redirects."""
    found: list[Refresh] = []
    for script in scripts:
        for m in _SCRIPT_NAVIGATION.finditer(script):
            target = (m.group(2) or m.group(4) or "").strip()
            if not target or target.lower().startswith(_IGNORED_SCHEMES):
                continue
            try:
                refresh = Refresh(url=urljoin(base_url, target), delay=-1.0)
            except ValueError:
                continue
            if refresh not in found:
                found.append(refresh)
            if len(found) >= 10:
                return found
    return found


def _add_link(content: PageContent, bucket: list[str], href: str, base_url: str) -> None:
    href = href.strip()
    if not href or href.lower().startswith(_IGNORED_SCHEMES):
        return
    try:
        url = urljoin(base_url, href)
    except ValueError:
        content.bad_scheme_links += 1
        return
    if not url.lower().startswith(("http://", "https://")):
        content.bad_scheme_links += 1  # file:, data:, ftp:, gopher: ... never followed
        return
    bucket.append(url)
