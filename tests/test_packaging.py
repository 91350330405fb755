"""Installable anywhere: the wheel holds every package file, and an installed `patrol` works.

The wheel is built from the files git knows (tracked, plus new files not ignored), as a clean
clone would have them, and installed (not editable) into a fresh virtual environment, once per
test session. The installed `patrol` then runs from an empty directory, with no checkout on its
path: `patrol demo` must patrol the demo sites it ships and `patrol serve` must serve the
console's shipped templates and static files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from findings import FindingQuery
from findings.open import open_store
from settings import CHECKOUT
from tests.services.ports import free_port, port_open, wait_until

pytestmark = pytest.mark.slow

# Top-level directories with __init__.py that are not part of the installed program.
NOT_SHIPPED = {"tests", "benchmarks", "scripts"}


def _git_files() -> list[str]:
    assert CHECKOUT is not None, "the packaging tests run from a source checkout"
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         cwd=CHECKOUT, capture_output=True, check=True).stdout
    return [f for f in out.decode().split("\0") if f and (CHECKOUT / f).is_file()]


def _package_files(files: list[str]) -> list[str]:
    """Every file under a shipped top-level package (a directory with __init__.py)."""
    packages = {f.split("/")[0] for f in files if f.count("/") == 1 and f.endswith("/__init__.py")}
    return [f for f in files if f.split("/")[0] in packages - NOT_SHIPPED]


def _clean_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH, no virtual environment of the checkout: only the installed package."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in _git_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CHECKOUT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(out), str(src)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (built,) = out.glob("finance_patrol-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed (dependencies from the pip cache
    or the package index); returns its bin directory."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # Not from the checkout, and without its PYTHONPATH: `python -m pip` puts the working
    # directory on sys.path, and the checkout's finance_patrol.egg-info (left by `make setup`)
    # would make pip think the package is installed already.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", str(wheel)],
                          capture_output=True, text=True, timeout=1200, cwd=venv, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return venv / "bin"


def test_wheel_holds_every_package_file(wheel: Path) -> None:
    files = _git_files()
    expected = set(_package_files(files)) | {f for f in files if f == "scheduler.py"}
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
    missing = sorted(expected - names)
    assert not missing, f"files of the program missing from the wheel: {missing}"
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]
    assert not [n for n in names if n.split("/")[0] in NOT_SHIPPED]
    # The data files that made the first wheels unusable are really in there.
    for name in ("config/rules.yaml", "config/targets.yaml", "console/templates/base.html",
                 "console/static/console.css", "demo/sites/jucaibao/index.html"):
        assert name in names


def test_installed_demo_from_empty_directory(installed: Path, tmp_path: Path,
                                             chromium_path: str) -> None:
    workdir = tmp_path / "empty"
    workdir.mkdir()
    env = _clean_env(tmp_path)
    where = subprocess.run([str(installed / "python"), "-c", "import cli; print(cli.__file__)"],
                           cwd=workdir, env=env, capture_output=True, text=True, check=True)
    assert str(installed.parent) in where.stdout and str(CHECKOUT) not in where.stdout
    # No --data-dir: outside a checkout the relative default `var` is under the current directory.
    proc = subprocess.run([str(installed / "patrol"), "--set", f"chromium_path={chromium_path}",
                           "demo"], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    total = re.search(r"发现汇总：共 (\d+) 条", proc.stdout)
    assert total and int(total.group(1)) > 0, proc.stdout[-2000:]
    data = workdir / "var"
    with open_store(f"sqlite:///{data / 'patrol.sqlite3'}") as store:
        counts = store.count_findings(FindingQuery(), by="rule")
        assert {"promised_return", "guaranteed_principal", "restricted_name"} <= set(counts)
        assert {r.target for r in store.list_runs()} == {"demo-jucaibao", "demo-xinying",
                                                         "demo-ads", "demo-forum"}
    assert list((data / "evidence").rglob("*.json"))
    assert sorted(p.name for p in workdir.iterdir()) == ["var"]


@pytest.fixture
def installed_console(installed: Path, tmp_path: Path) -> Iterator[str]:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    port = free_port()
    proc = subprocess.Popen([str(installed / "patrol"), "--data-dir", str(tmp_path / "data"),
                             "serve", "--port", str(port)], cwd=workdir, env=_clean_env(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: port_open("127.0.0.1", port) or proc.poll() is not None, 60,
                   what="the installed console")
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:] if proc.stderr else ""
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


def test_installed_serve_ships_templates_and_static(installed_console: str, tmp_path: Path
                                                    ) -> None:
    with urllib.request.urlopen(installed_console + "/login", timeout=30) as resp:
        page = resp.read().decode("utf-8")
    assert resp.status == 200 and "<form" in page and "console.css" in page
    with urllib.request.urlopen(installed_console + "/static/console.css", timeout=30) as resp:
        assert resp.status == 200 and resp.read()
    assert (tmp_path / "data").is_dir()
    assert not (tmp_path / "elsewhere" / "var").exists()


def test_no_file_names_a_path_of_this_machine() -> None:
    """Files name other files relative to the repository (the seed and the spec are at
    ../shared/ from its root), never by where one machine keeps its checkout."""
    offenders = []
    for name in _git_files():
        try:
            text = (CHECKOUT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if "/work/" in text and name != "tests/test_packaging.py":
            offenders.append(name)
    assert not offenders, f"absolute paths of this machine in: {offenders}"


def test_shipped_files_are_found_one_way() -> None:
    """Code of the program finds its shipped files with settings.shipped_path (importlib
    resources), not next to `__file__`: one way, the same in a checkout and in a wheel.
    settings/loader.py alone looks at its own location, to tell a checkout from an install."""
    files = _git_files()
    users = [f for f in _package_files(files) if f.endswith(".py")
             and f != "settings/loader.py"
             and "__file__" in (CHECKOUT / f).read_text(encoding="utf-8")]
    assert not users, (f"these find files relative to __file__; use "
                       f"settings.shipped_path(package, ...) instead: {users}")
