"""The interface every benchmark shares: sizes, result rows, one table, one command line.

A benchmark module defines `SIZES` (preset parameters for "tiny", "bench" and "full") and
`run(size, **options) -> list[Row]`; it may print details while it runs. Its `__main__` calls
`main(run, SIZES)`, which takes `--size`, any `--NAME VALUE` override of a preset parameter and
`--rows FILE` (the rows as JSON, for the runner in benchmarks/__main__.py).

Sizes: "tiny" only proves the benchmark still runs (CI, seconds); "bench" is what `make bench`
uses (all benchmarks together in a few minutes); "full" is the size the goals are stated for.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SIZE_NAMES = ("tiny", "bench", "full")


@dataclass
class Row:
    """One measure: this project's figure, the baseline measured in the same run (or None),
    the unit, and the goal as text. The ratio is ours / baseline."""

    measure: str
    ours: float
    baseline: float | None = None
    unit: str = ""
    goal: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.ours / self.baseline


def _figure(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else \
        f"{value:.1f}"
    return f"{text} {unit}".strip()


def table(rows: list[tuple[str, Row]]) -> str:
    """One table: benchmark, measure, this project, baseline, ratio, goal."""
    header = ("benchmark", "measure", "this project", "baseline", "ratio", "goal")
    lines = [header] + [
        (name, r.measure, _figure(r.ours, r.unit), _figure(r.baseline, r.unit),
         "-" if r.ratio is None else f"{r.ratio:.2f}x", r.goal or "-")
        for name, r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def rows_to_json(rows: list[Row]) -> str:
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False)


def rows_from_json(text: str) -> list[Row]:
    return [Row(**r) for r in json.loads(text)]


def main(run: Callable[..., list[Row]], sizes: Mapping[str, Mapping[str, Any]],
         description: str | None = None) -> int:
    """Command line of one benchmark: --size, overrides of the preset parameters, --rows."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", choices=SIZE_NAMES, default="full")
    parser.add_argument("--rows", type=Path, help="also write the rows as JSON to this file")
    for name, value in sizes["full"].items():
        kind = type(value) if value is not None else str
        if kind is bool:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, action="store_true",
                                default=None)
        else:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind,
                                default=None, help=f"(full: {value})")
    args = vars(parser.parse_args())
    size, rows_file = args.pop("size"), args.pop("rows")
    options = {k: v for k, v in args.items() if v is not None}
    rows = run(size, **options)
    name = Path(sys.argv[0]).stem
    print()
    print(table([(name, r) for r in rows]))
    if rows_file:
        rows_file.write_text(rows_to_json(rows), encoding="utf-8")
    return 0


def preset(sizes: Mapping[str, Mapping[str, Any]], size: str, options: Mapping[str, Any]
           ) -> dict[str, Any]:
    """The parameters of `size`, with `options` overriding them (unknown names refused)."""
    if size not in sizes:
        raise ValueError(f"unknown size {size!r}; expected one of {', '.join(sizes)}")
    params = dict(sizes[size])
    unknown = set(options) - set(params)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    params.update(options)
    return params
