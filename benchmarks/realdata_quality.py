"""Detection quality on real text nobody here wrote (issue 12 goals), on the held-out rows.

    python benchmarks/realdata_quality.py --data /path/to/realdata [--split heldout|train]

The data is not in the repository (tests/realdata/datasets.py joins the committed labels to a
local copy); CI runs the analyzer tests on texts we wrote instead. Figures are printed, never
asserted. Report the `heldout` split (the default): it was never used for tuning; `--split
train` is for development only.

Measures, each with its goal and the keyword-list baseline where one makes sense:
  - posts reporting trouble at a named platform (public_risk=1) caught, overall, on the random
    sample only, and without the three most frequent platforms (template posts);
  - finance posts without such trouble (public_risk=0, random sample) flagged public_risk;
  - the platform named in the finding agrees with the label;
  - sentiment accuracy (negative / neutral / positive);
  - platform page lines with finance words: public_risk findings per 400 lines (all extracted
    lines of the split, labelled or not), and precision/recall of the page-line rules.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEYWORDS = ("跑路", "提现困难", "无法提现", "逾期", "延期兑付", "维权", "报案", "报警", "立案",
            "爆雷", "暴雷", "失联", "上访", "聚集", "清盘")
PAGE_RULES = ("guaranteed_principal", "promised_return", "fundraising_signal", "improper_subsidy")


def _same_platform(found: str | None, label: str) -> bool:
    if not found or not label:
        return False
    a = unicodedata.normalize("NFKC", found).lower()
    b = unicodedata.normalize("NFKC", label).lower()
    return a in b or b in a


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}% ({n}/{d})" if d else "   n/a"


def posts(analyzer, data: Path, split: str) -> list[tuple[str, str, str, str]]:
    from tests.realdata.datasets import ccf_labelled

    recs = [r for r in ccf_labelled(data) if r.split == split]
    pos = [r for r in recs if r.labels["public_risk"] == "1"]
    neg = [r for r in recs if r.labels["public_risk"] == "0" and r.labels["sample"] == "random"]
    top3 = {p for p, _ in Counter(r.labels["platform"] for r in pos).most_common(3)}
    caught = caught_random = n_random = caught_rest = n_rest = named_ok = 0
    kw_caught = kw_fp = 0
    sent_ok = 0
    for r in recs:
        findings = analyzer.analyze(r.text, "post")
        risk = [f for f in findings if f.rule == "public_risk"]
        keyword = any(k in r.text for k in KEYWORDS)
        if r.labels["public_risk"] == "1":
            caught += bool(risk)
            kw_caught += keyword
            if r.labels["sample"] == "random":
                n_random += 1
                caught_random += bool(risk)
            if r.labels["platform"] not in top3:
                n_rest += 1
                caught_rest += bool(risk)
            if risk and _same_platform(risk[0].platform, r.labels["platform"]):
                named_ok += 1
        elif r.labels["sample"] == "random":
            kw_fp += keyword
        sent_ok += analyzer.opinion(r.text).sentiment == r.labels["sentiment"]
    fp = sum(1 for r in neg if any(f.rule == "public_risk" for f in analyzer.analyze(r.text, "post")))
    return [
        ("trouble posts at a named platform caught", _pct(caught, len(pos)),
         _pct(kw_caught, len(pos)), ">= 75%"),
        ("  random sample only", _pct(caught_random, n_random), "", ">= 75%"),
        (f"  without the top 3 platforms ({', '.join(sorted(top3))})", _pct(caught_rest, n_rest),
         "", ">= 75%"),
        ("finance posts without trouble flagged", _pct(fp, len(neg)), _pct(kw_fp, len(neg)),
         "<= 1.5%"),
        ("platform named as labelled (of caught)", _pct(named_ok, caught), "", ""),
        ("sentiment accuracy (3 classes)", _pct(sent_ok, len(recs)), "", ""),
    ]


def page_lines(analyzer, data: Path, split: str) -> list[tuple[str, str, str, str]]:
    from tests.realdata.datasets import webservice_labelled, webservice_split
    from tests.realdata.webservice_lines import extract_lines

    lines = [x for x in extract_lines(data / "webservice") if webservice_split(x.line_id) == split]
    risk = sum(1 for x in lines
               if any(f.rule == "public_risk" for f in analyzer.analyze(x.text, "page")))
    rows = [("page lines: public_risk per 400 finance lines",
             f"{400.0 * risk / max(1, len(lines)):5.2f} ({risk}/{len(lines)})", "", "<= 1")]
    labelled = [r for r in webservice_labelled(data) if r.split == split]
    found = {r.row_id: {f.rule for f in analyzer.analyze(r.text, "page")} for r in labelled}
    for rule in PAGE_RULES:
        want = {r.row_id for r in labelled if rule in r.labels["rules"].split()}
        got = {rid for rid, rules in found.items() if rule in rules}
        tp = len(want & got)
        rows.append((f"page lines: {rule} precision / recall",
                     f"{tp / max(1, len(got)):.2f} / {tp / max(1, len(want)):.2f} "
                     f"({tp} of {len(want)}; {len(got) - tp} extra)", "", "found"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder of the local datasets")
    parser.add_argument("--split", default="heldout", choices=("heldout", "train"))
    args = parser.parse_args(argv)
    from analyzers import Analyzer
    from tests.realdata.datasets import DataMissingError

    analyzer = Analyzer(ROOT / "config" / "rules.yaml", ROOT / "config" / "licensed.txt")
    try:
        rows = posts(analyzer, args.data, args.split) + page_lines(analyzer, args.data, args.split)
    except DataMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"real-data quality, split={args.split}")
    print(f"{'measure':58} {'this project':22} {'keyword list':22} goal")
    for name, value, baseline, goal in rows:
        print(f"{name:58} {value:22} {baseline:22} {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
