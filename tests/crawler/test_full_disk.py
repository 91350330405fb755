"""The store's disk fills up during a patrol: the patrol stops at once with one line and exit
status 74, and every page that did reach the store has all of its findings (one transaction
per page). The store lives on a real 2 MiB tmpfs; the site has 200 pages that all make offers."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_service
from tests.services import ServiceUnavailable

from .conftest import run_patrol

PAGES = 200
OFFER = "本平台稳健理财，保本保息，年化收益率高达18%，零风险，稳赚不赔。"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "small-disk"
    mnt.mkdir()

    def mount() -> Path:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                              capture_output=True, text=True)
        if done.returncode:
            raise ServiceUnavailable(f"cannot mount a small tmpfs: {done.stderr.strip()}")
        return mnt

    yield need_service(mount, "a 2 MiB tmpfs (root)")
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f'<a href="p{i}.html">{i}</a>' for i in range(PAGES))
    (root / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    for i in range(PAGES):
        body = f"<p>第{i}号产品。{OFFER}</p>" + f"<p>{'平台介绍与项目说明。' * 400}</p>"
        (root / f"p{i}.html").write_text(f"<html><meta charset=utf-8><body>{body}</body></html>",
                                         encoding="utf-8")
    log = tmp_path / "site.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind",
                                 "127.0.0.1", "--directory", str(root)],
                                stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout is not None
    port = re.search(r"port (\d+)", proc.stdout.readline()).group(1)
    yield f"http://127.0.0.1:{port}/", log
    proc.terminate()
    proc.wait(10)


def test_a_full_disk_stops_the_patrol_with_one_line_and_nothing_half_written(
        tmp_path: Path, small_disk: Path, site: tuple[str, Path]) -> None:
    url, site_log = site
    store = small_disk / "patrol.sqlite3"
    run = run_patrol(tmp_path / "var", "--store", f"sqlite:///{store}", "--max-pages",
                     str(PAGES + 1), "--depth", "1", "--render", "never", url)
    assert run.returncode == 74, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("patrol: error:") and "Traceback" not in run.stderr
    fetched = len(re.findall(r'"GET /p\d+\.html', site_log.read_text()))
    assert fetched < PAGES // 2, f"the patrol went on fetching: {fetched} pages"
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        pages = [r[0] for r in conn.execute("SELECT id FROM pages WHERE url LIKE '%/p%.html'")]
        assert pages, "the disk filled before any page was stored: make the disk larger"
        for page_id in pages:   # a page in the store has its findings with it
            (n,) = conn.execute("SELECT COUNT(*) FROM findings WHERE page_id=?", (page_id,)).fetchone()
            assert n >= 1, f"page {page_id} was stored without its findings"
    finally:
        conn.close()


def test_a_read_only_data_directory_stops_the_patrol_with_one_line(
        tmp_path: Path, small_disk: Path, site: tuple[str, Path]) -> None:
    """The file system under the store turns read-only between two runs (a remount after a
    disk error): the next patrol stops with exit 74 and one line, and the store is unchanged."""
    url, _ = site
    store = small_disk / "patrol.sqlite3"
    first = run_patrol(tmp_path / "var", "--store", f"sqlite:///{store}", "--max-pages", "3",
                       "--depth", "1", "--render", "never", url)
    assert first.returncode == 0, first.stderr[-2000:]
    before = store.read_bytes()
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    run = run_patrol(tmp_path / "var", "--store", f"sqlite:///{store}", "--max-pages", "3",
                     "--depth", "1", "--render", "never", url)
    assert run.returncode == 74, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("patrol: error:") and "Traceback" not in run.stderr
    assert "read-only" in lines[-1]     # not SQLite's "unable to open database file"
    assert store.read_bytes() == before
