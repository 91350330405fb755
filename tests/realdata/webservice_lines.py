"""Visible Chinese text lines with finance words from a real P2P platform's site (2017).

The site's source tree (JSP/HTML pages, terms, contracts) is read from a local copy,
``--data DIR`` holding ``DIR/webservice/``. Scripts, styles, comments and JSP code are
blanked (keeping line numbers), tags are stripped, and every remaining line with CJK
text and a finance word becomes one record. A line's id is
``relative/path:line:sha1(text)[:8]``, stable as long as the file is unchanged.

Usage: python tests/realdata/webservice_lines.py --data DIR [--list | --sample]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PAGE_SUFFIXES = (".jsp", ".html", ".htm")
FINANCE_WORDS = re.compile(r"投资|收益|借款|本息|逾期|担保|垫付|风险|利率|年化|理财|出借|平台")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Regions that a browser does not show as text; replaced by their newlines only.
HIDDEN = re.compile(
    r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<%--.*?--%>|<%.*?%>",
    re.IGNORECASE | re.DOTALL,
)
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"[\s\u3000\xa0]+")
# Lines that any labelling sample must include: guarantee, referral and safety wording.
MUST_LABEL = re.compile(r"垫付|代偿|代付|风险备用金|风险准备金|本息保障|担保|邀请|好友|推荐|奖励|安全|保障|高收益")
SAMPLE_SEED = 20170101
SAMPLE_EXTRA = 200


@dataclass(frozen=True)
class PageLine:
    line_id: str
    path: str
    line_number: int
    text: str


def _read(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def visible_lines(source: str) -> list[tuple[int, str]]:
    """(1-based line number, visible text) for each non-empty line of a page."""
    shown = HIDDEN.sub(_blank, source)
    result = []
    for number, line in enumerate(shown.split("\n"), start=1):
        text = SPACE.sub(" ", html.unescape(TAG.sub(" ", line))).strip()
        if text:
            result.append((number, text))
    return result


def line_id(relative_path: str, line_number: int, text: str) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{relative_path}:{line_number}:{digest}"


def extract_lines(root: Path) -> list[PageLine]:
    """Every visible line with CJK text and a finance word, in path order."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"webservice source tree not found at {root}")
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()):
        relative = path.relative_to(root).as_posix()
        for number, text in visible_lines(_read(path)):
            if CJK.search(text) and FINANCE_WORDS.search(text):
                lines.append(PageLine(line_id(relative, number, text), relative, number, text))
    return lines


def labelling_sample(lines: list[PageLine], extra: int = SAMPLE_EXTRA) -> list[PageLine]:
    """Every MUST_LABEL line plus a seeded random `extra` of the others, in path order."""
    must = [line for line in lines if MUST_LABEL.search(line.text)]
    others = sorted((line for line in lines if not MUST_LABEL.search(line.text)), key=lambda line: line.line_id)
    chosen = {line.line_id for line in must}
    chosen |= {line.line_id for line in random.Random(SAMPLE_SEED).sample(others, min(extra, len(others)))}
    return [line for line in lines if line.line_id in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder holding webservice/")
    parser.add_argument("--list", action="store_true", help="print every line with its id")
    parser.add_argument("--sample", action="store_true", help="print the labelling sample with ids")
    args = parser.parse_args(argv)
    try:
        lines = extract_lines(args.data / "webservice")
    except FileNotFoundError as error:
        print(f"error: {error}; pass --data DIR where DIR holds webservice/", file=sys.stderr)
        return 1
    shown = labelling_sample(lines) if args.sample else lines if args.list else []
    if shown:
        for line in shown:
            print(f"[{line.line_id}] {line.text}")
    print(f"{len(lines)} lines with finance words in {len({line.path for line in lines})} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
