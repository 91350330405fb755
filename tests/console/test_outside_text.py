"""Text from outside (crawled evidence, URLs, domains, operator names) shown by the console and
its XLSX export: bidi controls and isolates and other control characters are neutralised, so
`x\\u202emoc.evil` can never display as `xlive.com` nor reverse the console's own sentences."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from common.text import BIDI_CONTROLS

from .conftest import Console, make_finding

DISGUISED = "x\u202emoc.evil"          # shows as "xlive.com" where bidi is honoured
HOSTILE_OPERATOR = "\u2067北江金服\u2069\u200f有限公司\x1b[2J"
HOSTILE_EVIDENCE = "保证年化\u202e%81\u202c"


def _hostile(console: Console):  # type: ignore[no-untyped-def]
    [f] = console.add(make_finding(
        evidence=HOSTILE_EVIDENCE, domain=DISGUISED, operator=HOSTILE_OPERATOR,
        source=f"http://{DISGUISED}/\u2066p\u2069", platform="鑫\u202d盛贷"))
    return f


def test_review_page_shows_no_bidi_or_control_character(console: Console) -> None:
    f = _hostile(console)
    html = console.client("finance").get(f"/review/finding/{f.id}").get_data(as_text=True)
    assert "xmoc.evil" in html                     # the domain as it really is, in logical order
    assert "北江金服有限公司" in html and "保证年化%81" in html
    assert not set(BIDI_CONTROLS) & set(html)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)
    queue = console.client("finance").get("/review?scope=all").get_data(as_text=True)
    assert "保证年化%81" in queue and not set(BIDI_CONTROLS) & set(queue)


def test_disguised_source_is_not_a_link(console: Console) -> None:
    f = _hostile(console)
    html = console.client("finance").get(f"/review/finding/{f.id}").get_data(as_text=True)
    assert 'href="http://x' not in html            # shown as text, not followed as a link


def test_xlsx_report_cells_are_neutralised(console: Console) -> None:
    _hostile(console)
    response = console.client("finance").get("/reports/export.xlsx?preset=30")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["发现明细"]
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row if c.value]
    text = "\n".join(str(v) for v in values)
    assert "xmoc.evil" in text and "北江金服有限公司[2J" in text and "保证年化%81" in text
    assert not set(BIDI_CONTROLS) & set(text) and "\x1b" not in text
