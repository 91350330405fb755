#!/usr/bin/env python3
"""Build the platform-name lexicon of the public_risk matcher from the P2PDA problem platforms.

    python scripts/build_platform_lexicon.py --data /path/to/realdata [--out FILE]

Reads DIR/P2PDA/problemPlat.csv (zgbgx/P2PDA: 3,794 problem platforms of 2011-2018 with name,
city, date and status) and writes one platform name a line, sorted, to
analyzers/model/platforms.txt. A name is kept when it can stand for a brand in running text:
at least three characters once a region tag such as （沪） is dropped, and not an everyday word
of jieba's dictionary (those would anchor posts about anything). Deterministic: the same input
gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "analyzers" / "model" / "platforms.txt"
SOURCE = Path("P2PDA/problemPlat.csv")
REGION_TAG = re.compile(r"[（(][^）)]{1,4}[）)]$")
EVERYDAY_FREQ = 20  # jieba dictionary frequency above which a name is an ordinary word
# kinds of loan, not platforms: a post about 校园贷 is not about one named firm
GENERIC = {"校园贷", "现金贷", "网络贷", "消费贷", "信用贷", "小额贷", "套路贷", "美容贷", "培训贷",
           "首付贷", "车位贷", "装修贷", "大学贷", "学生贷", "手机贷", "租房贷", "房抵贷", "车抵贷",
           "企业贷", "工薪贷", "白领贷", "医美贷", "蚁贷", "p2p网贷", "互联网金融", "金融网"}


def platform_names(csv_path: Path) -> list[str]:
    import jieba

    jieba.initialize()
    freq = jieba.dt.FREQ
    names: set[str] = set()
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = REGION_TAG.sub("", (row.get("platName") or "").strip()).strip().lower()
            if len(name) < 3 or len(name) > 12 or freq.get(name, 0) > EVERYDAY_FREQ \
                    or name in GENERIC:
                continue
            if not re.fullmatch(r"[\u4e00-\u9fffa-z0-9]+", name):
                continue
            names.add(name)
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder with P2PDA/")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    src = args.data / SOURCE
    if not src.is_file():
        print(f"error: {src} not found (pass --data DIR holding P2PDA/problemPlat.csv)",
              file=sys.stderr)
        return 1
    names = platform_names(src)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(n + "\n" for n in names), "utf-8")
    print(f"{len(names)} platform names -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
