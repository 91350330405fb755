#!/usr/bin/env python3
"""Write the toneless pinyin readings of every CJK character, for analyzers/pinyin.py.

    python scripts/build_pinyin_table.py [--check]

analyzers/pinyin.py spells the terms of rules 1-8 with pinyin mixed in (shou付dai). It reads
this table rather than pypinyin itself: pypinyin's dictionary costs some 55 MB and a quarter of
a second in every process that builds an analyzer, the table a few hundred kilobytes. Every
reading of a character is kept (行: xing hang), at most MAX_READINGS, in pypinyin's order (the
most common first), so a term gets the spellings of all its readings (银行: yin行, 银xing and
银hang). Needs pypinyin (the `train` and `test` extras); --check compares instead of writing
(exit 1 when the installed pypinyin gives another table: rebuild after upgrading it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "analyzers" / "model" / "pinyin.txt"
FIRST, LAST = 0x4E00, 0x9FFF   # CJK Unified Ideographs (the terms are simplified characters)
MAX_READINGS = 2


def table() -> str:
    import pypinyin
    from pypinyin import Style

    lines = [f"# toneless pinyin of U+{FIRST:04X}..U+{LAST:04X}, at most {MAX_READINGS} readings "
             f"each, from pypinyin {pypinyin.__version__} (scripts/build_pinyin_table.py)"]
    for code in range(FIRST, LAST + 1):
        char = chr(code)
        readings: list[str] = []
        for r in pypinyin.pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")[:1]:
            for reading in r:
                if reading.isascii() and reading.isalpha() and reading not in readings:
                    readings.append(reading)
        if readings:
            lines.append(char + " " + " ".join(readings[:MAX_READINGS]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    text = table()
    if args.check:
        if OUT.read_text("utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is out of date; rerun {Path(__file__).name}")
            return 1
        print(f"{OUT.relative_to(ROOT)}: up to date")
        return 0
    OUT.write_text(text, "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {text.count(chr(10)) - 1} characters, "
          f"{OUT.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
