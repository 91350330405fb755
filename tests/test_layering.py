"""The import rules of docs/architecture.md, checked on the source with `ast`.

Every import counts, also one inside a function (a lazy import is still a dependency). A
package that does not exist yet is simply not checked; one added later is held to its rule
as soon as it appears.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from settings import CHECKOUT

ROOT = CHECKOUT or Path(__file__).resolve().parents[1]

# package -> the project packages it may import (besides itself); absent: no rule.
ONLY: dict[str, set[str]] = {
    "settings": {"config", "common"},   # the bottom layer: settings and vocabulary know each other
    "common": {"settings", "config"},
    "analyzers": {"settings", "common", "config"},
}
# package -> the project packages it must never import.
NEVER: dict[str, set[str]] = {
    "findings": {"crawler", "console", "alerts", "cli", "scheduling", "scheduler", "demo"},
    "alerts": {"crawler", "console", "cli", "scheduler", "demo"},
    "console": {"crawler", "cli", "scheduler", "demo"},
    "evidence": {"crawler", "console", "cli"},
    "platforms": {"console", "cli"},  # may use the crawler's pure address guard for tips
    "decisions": {"crawler", "console", "cli"},
    "ocr": {"crawler", "console", "cli", "findings"},
}
# Third-party libraries that stay inside one package.
CONFINED: dict[str, str] = {"scrapy": "crawler", "scrapy_playwright": "crawler",
                            "scrapy_redis": "crawler", "twisted": "crawler"}


def _project_packages() -> set[str]:
    names = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    return (names - {"tests", "benchmarks", "scripts"}) | {"scheduler"}


def _modules_of(package: str) -> list[Path]:
    if package == "scheduler":
        return [ROOT / "scheduler.py"]
    return sorted((ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    """Top-level names of every absolute import in a file (relative ones stay inside)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def violations() -> list[str]:
    packages = _project_packages()
    found = []
    for package in sorted(packages):
        for path in _modules_of(package):
            rel = path.relative_to(ROOT).as_posix()
            for name in sorted(imports_of(path) - {package}):
                if name in packages:
                    if package in ONLY and name not in ONLY[package]:
                        found.append(f"{rel} imports {name} (may import only "
                                     f"{', '.join(sorted(ONLY[package]))})")
                    if name in NEVER.get(package, set()):
                        found.append(f"{rel} imports {name} (forbidden for {package})")
                elif name in CONFINED and CONFINED[name] != package:
                    found.append(f"{rel} imports {name} (stays inside {CONFINED[name]}/)")
    return found


def test_packages_import_only_what_the_architecture_allows() -> None:
    problems = violations()
    assert not problems, "layering broken:\n" + "\n".join(problems)


@pytest.mark.parametrize("source, package, message", [
    ("import crawler.run\n", "findings", "imports crawler (forbidden for findings)"),
    ("def f():\n    from console import create_app\n", "alerts",
     "imports console (forbidden for alerts)"),
    ("from findings import Store\n", "analyzers", "imports findings (may import only"),
    ("import scrapy\n", "console", "imports scrapy (stays inside crawler/)"),
])
def test_a_forbidden_import_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        source: str, package: str, message: str) -> None:
    """The checker itself: a planted import in a copy of the layout is caught, lazy or not."""
    for name in ("findings", "alerts", "analyzers", "console", "crawler", "settings"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "scheduler.py").write_text("", encoding="utf-8")
    (tmp_path / package / "bad.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    problems = violations()
    assert len(problems) == 1 and message in problems[0], problems
    assert problems[0].startswith(f"{package}/bad.py ")
