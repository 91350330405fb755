"""The real character set of a page: from the HTTP header, a <meta> tag, or detection.

Chinese sites often declare nothing, or declare the wrong thing (utf-8 in the header, GBK in
the body). A declaration is trusted only when the body decodes under it almost cleanly;
otherwise the body is detected among UTF-8, GB18030 and Big5. gb2312 and gbk labels are read
as GB18030, their superset, because pages labelled gb2312 routinely use GBK-only characters.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030", "euc-cn": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "cp950": "big5hkscs", "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_:.+-]+)", re.IGNORECASE)
# Fraction of undecodable bytes tolerated in a page decoded under its declared charset.
_TOLERANCE = 0.002
DETECT_CANDIDATES = ("utf_8", "gb18030", "big5hkscs")


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for a charset label, gb2312/gbk read as gb18030; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return _SUPERSETS.get(codecs.lookup(name).name, codecs.lookup(name).name)
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER.search(content_type or "")
    return normalize_label(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    match = _META.search(body[:8192])
    return normalize_label(match.group(1).decode("ascii", "replace")) if match else None


def _bom(body: bytes) -> str | None:
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    return None


def _decodes_cleanly(body: bytes, encoding: str) -> bool:
    text = body.decode(encoding, errors="replace")
    bad = text.count("\ufffd") - body.count("\xef\xbf\xbd".encode("latin-1"))
    return bad <= max(1, int(len(text) * _TOLERANCE))


def detect(body: bytes) -> str:
    """Best of UTF-8, GB18030 and Big5 for an undeclared (or misdeclared) body."""
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000], cp_isolation=list(DETECT_CANDIDATES)).best()
    if best is not None:
        return normalize_label(best.encoding) or "gb18030"
    return "gb18030"


def choose_encoding(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(codec name, where it came from: bom, header, meta or detected)."""
    bom = _bom(body)
    if bom:
        return bom, "bom"
    for source, label in (("header", header_charset(content_type)), ("meta", meta_charset(body))):
        if label and _decodes_cleanly(body, label):
            return label, source
    return detect(body), "detected"


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    encoding, _ = choose_encoding(body, content_type)
    return body.decode(encoding, errors="replace"), encoding
