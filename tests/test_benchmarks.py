"""Every benchmark shares one interface and is run by `python -m benchmarks` (make bench, and
at the tiny size in make test). Checked on the source with `ast`: importing a benchmark would
import Scrapy, Flask and the search clients for nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS, NOT_RUN
from benchmarks.common import SIZE_NAMES, Row, preset, table

FOLDER = Path(__file__).resolve().parents[1] / "benchmarks"


def _modules() -> set[str]:
    return {p.stem for p in FOLDER.glob("*.py") if not p.stem.startswith("__")}


def test_every_benchmark_module_is_run_or_says_why_not() -> None:
    assert _modules() == set(BENCHMARKS) | set(NOT_RUN), (
        "add each benchmarks/NAME.py to BENCHMARKS (or NOT_RUN with the reason) in "
        "benchmarks/__main__.py")
    assert not set(BENCHMARKS) & set(NOT_RUN)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_has_the_common_interface(name: str) -> None:
    tree = ast.parse((FOLDER / f"{name}.py").read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "run" in functions, f"{name}.py has no run(size, **options) -> list[Row]"
    assert ast.unparse(functions["run"].returns) == "list[Row]"
    sizes = [n for n in tree.body if isinstance(n, ast.Assign)
             and any(isinstance(t, ast.Name) and t.id == "SIZES" for t in n.targets)]
    assert sizes, f"{name}.py has no SIZES"
    keys = {k.value for k in sizes[0].value.keys if isinstance(k, ast.Constant)} \
        if isinstance(sizes[0].value, ast.Dict) else set(SIZE_NAMES)
    assert keys == set(SIZE_NAMES)
    source = ast.unparse(tree)
    assert "main(run, SIZES" in source, f"{name}.py does not use benchmarks.common.main"


def test_preset_overrides_and_refuses_unknown_options() -> None:
    sizes = {"tiny": {"pages": 3, "seed": 7}, "bench": {"pages": 30, "seed": 7},
             "full": {"pages": 300, "seed": 7}}
    assert preset(sizes, "bench", {"pages": 5}) == {"pages": 5, "seed": 7}
    with pytest.raises(TypeError, match="pagse"):
        preset(sizes, "tiny", {"pagse": 5})
    with pytest.raises(ValueError, match="huge"):
        preset(sizes, "huge", {})


def test_table_shows_ratio_against_the_baseline() -> None:
    text = table([("crawl_speed", Row("patrol vs bare spider", 30.0, 60.0, "pages/s", ">= 0.5x")),
                  ("store_speed", Row("query p95", 3.5, None, "ms", "< 200 ms"))])
    header, rule, first, second = text.splitlines()
    assert header.split() == ["benchmark", "measure", "this", "project", "baseline", "ratio",
                              "goal"]
    assert "0.50x" in first and "30.0 pages/s" in first and "60.0 pages/s" in first
    assert "3.5 ms" in second and " - " in second
