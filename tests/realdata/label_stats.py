"""Print the label counts quoted in docs/labelling.md (no dataset copy needed).

Usage: python tests/realdata/label_stats.py
"""

from __future__ import annotations

import sys
from collections import Counter

try:
    from tests.realdata.datasets import read_labels
except ImportError:  # run as a script from this folder
    from datasets import read_labels


def ccf_table() -> list[str]:
    rows = read_labels("ccf2019")
    out = [f"ccf2019: {len(rows)} rows; by sample {dict(Counter(r['sample'] for r in rows))}"]
    for sample in ("random", "prefilter", "active", "all"):
        for split in ("train", "heldout", "all"):
            part = [r for r in rows if split in ("all", r["split"]) and sample in ("all", r["sample"])]
            risk = Counter(r["public_risk"] for r in part)
            sentiment = Counter(r["sentiment"] for r in part)
            out.append(
                f"  {sample:9} {split:8} rows {len(part):4}  public_risk=1 {risk['1']:4}  =0 {risk['0']:4}  "
                f"negative {sentiment['negative']:4}  neutral {sentiment['neutral']:4}  positive {sentiment['positive']:4}"
            )
    platforms = Counter(r["platform"] for r in rows if r["public_risk"] == "1")
    top = ", ".join(f"{name} {count}" for name, count in platforms.most_common(5))
    out.append(f"  positives name {len(platforms)} platforms; most frequent: {top}")
    return out


def webservice_table() -> list[str]:
    rows = read_labels("webservice_lines")
    out = [f"webservice_lines: {len(rows)} lines; with any rule {sum(1 for r in rows if r['rules'])}"]
    for split in ("train", "heldout", "all"):
        part = [r for r in rows if split in ("all", r["split"])]
        rules = Counter(rule for r in part for rule in r["rules"].split())
        listed = "  ".join(f"{rule} {count}" for rule, count in sorted(rules.items()))
        out.append(f"  {split:8} lines {len(part):4}  {listed}  public_risk {rules['public_risk']}")
    return out


def main() -> int:
    print("\n".join(ccf_table() + webservice_table()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
