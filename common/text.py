"""Text for people: neutralised outside text, CJK display width, evidence highlighting, and the
spreadsheet formula guard. Local time lives in `common.timefmt`.

Everything shown that came from outside (crawled text, URLs, domains, operator names) is
written by adversaries. Bidirectional controls (U+202A-202E embeddings and overrides,
U+2066-2069 isolates, U+200E/200F/061C marks) would reorder what an officer reads
(`x\\u202emoc.evil` shows as `xlive.com`) or the sentence around it; other control and
invisible format characters hide text or break lines. `clean()` removes them, one character set
for the console, alerts, exports and the terminal.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Bidi controls and isolates: removed everywhere.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Line breaks and tabs: kept by multi-line text, a space in one-line text.
_BREAKS = "\t\n\r\x0b\x0c\x85\u2028\u2029"
# Everything removed: C0/C1 controls except the breaks, DEL, bidi controls, zero-width and other
# invisible format characters (U+200B-200D, U+2060-2064, U+FEFF, U+180E, U+00AD soft hyphen).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff"
    + BIDI_CONTROLS + "]")
_BREAK = re.compile(f"[{_BREAKS}]")
_SPACES = re.compile(r"\s+")

ELLIPSIS = "…"


def clean(value: Any, limit: int | None = None, *, multiline: bool = False) -> str:
    """Outside text made safe to show: no control, bidi or invisible characters.

    One-line text (the default) has every line break and run of white space turned into one
    space; `multiline` keeps line breaks and tabs (page text in a <pre>). `limit` cuts the result
    to that many characters, the last being an ellipsis.
    """
    text = _INVISIBLE.sub("", "" if value is None else str(value))
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = re.sub("[\x0b\x0c\x85\u2028\u2029]", "\n", text)
    else:
        text = _SPACES.sub(" ", _BREAK.sub(" ", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text


# -- display width (terminals, fixed-width tables) ----------------------------------------------

def char_width(ch: str) -> int:
    """Columns one character takes on a terminal: two for wide and full-width East Asian."""
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def fit(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, the cut marked with an ellipsis."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = char_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int) -> str:
    """`text` fitted to `width` columns and padded with spaces to exactly that width."""
    text = fit(text, width)
    return text + " " * (width - display_width(text))


def table(headings: list[str], rows: list[list[Any]], max_width: int = 40) -> str:
    """A plain-text table aligned for CJK (double-width) characters; cells are cleaned."""
    cells = [[fit(clean(v), max_width) for v in row] for row in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells])
              for i, h in enumerate(headings)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - display_width(v))
                         for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(headings), line(["-" * w for w in widths]), *map(line, cells)])


# -- evidence in its context --------------------------------------------------------------------

def locate(context: str, evidence: str, start: int | None) -> int:
    """Where `evidence` stands in `context`: at `start` when the analyzer's offset is right,
    else its first occurrence (a hostile or corrupted record), else -1."""
    if start is not None and 0 <= start <= len(context) and evidence \
            and context[start:start + len(evidence)] == evidence:
        return start
    return context.find(evidence) if evidence else -1


def highlight_pieces(context: str, evidence: str, start: int | None,
                     around: int) -> list[tuple[str, bool]]:
    """The context as (text, is_evidence) pieces, at most `around` characters each side of the
    evidence; the context alone (cut to 2*around) when the evidence is not in it."""
    if not context:
        return [(evidence[: 2 * around], True)] if evidence else []
    i = locate(context, evidence, start)
    if i < 0:
        return [(context[: 2 * around], False)]
    j = i + len(evidence)
    pieces = [(context[max(0, i - around):i], False), (context[i:j], True),
              (context[j:j + around], False)]
    return [(text, hit) for text, hit in pieces if text]


def marked(context: str, evidence: str, start: int | None, around: int,
           left: str = "【", right: str = "】") -> str:
    """The evidence in its context as one line of text, marked 【like this】, cuts shown by …"""
    if not context:
        return f"{left}{evidence}{right}"
    i = locate(context, evidence, start)
    if i < 0:
        return context[: 2 * around]
    j = i + len(evidence)
    head = ELLIPSIS if i > around else ""
    tail = ELLIPSIS if j + around < len(context) else ""
    return (head + context[max(0, i - around):i] + left + evidence + right
            + context[j:j + around] + tail)


# -- spreadsheets -------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any, *, typed: bool = False) -> Any:
    """A value fit for a spreadsheet cell; text is cleaned (one line).

    A CSV cell has no type: text that a spreadsheet program would read as a formula
    (= + - @) gets an apostrophe in front so that it stays text. An XLSX cell written with the
    string type (`typed`, see xlsx_text_cell) is never a formula, so it keeps its text as is.
    """
    if not isinstance(value, str):
        return value
    text = clean(value)
    return "'" + text if not typed and text.startswith(FORMULA_STARTS) else text


def xlsx_text_cell(cell: Any, value: Any) -> Any:
    """Put `value` into an openpyxl cell (WriteOnlyCell or a sheet's cell): strings cleaned and
    typed as strings, so that `=HYPERLINK(...)` or `+cmd|...` shows as text, never runs."""
    if isinstance(value, str):
        cell.value = spreadsheet_cell(value, typed=True)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell
