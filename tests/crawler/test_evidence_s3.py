"""A patrol whose evidence goes to S3-compatible storage (a worker's view): the WARC capture ends
up on the server, not on the fetching machine, and a case built from it verifies; with the
server down the patrol goes on and the spool delivers later."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from evidence.storage import open_storage
from findings import FindingQuery
from findings.open import open_store
from settings import ROOT, load_settings
from tests.crawler.conftest import run_patrol, write_targets


def _patrol(mockserver: Any, data: Path, sets: dict[str, str]) -> Any:
    data.mkdir(parents=True, exist_ok=True)
    targets = write_targets(data / "targets.yaml", [{
        "name": "s3site", "start_urls": [mockserver.url("/utf8.html"),
                                         mockserver.url("/gzipped.html")],
        "kind": "p2p", "max_pages": 4, "depth": 0, "render": "never"}])
    run = run_patrol(data, "--target", "s3site",
                     settings={"targets_file": str(targets), "crawl_screenshots": "false",
                               **sets})
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _cli(data: Path, sets: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    head = [sys.executable, "-m", "cli.main", "--data-dir", str(data)]
    for k, v in sets.items():
        head += ["--set", f"{k}={v}"]
    return subprocess.run([*head, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_patrol_evidence_on_s3_then_down_then_up(mockserver: Any, s3: Any,
                                                 tmp_path: Path) -> None:
    sets = s3.settings(f"patrol-{secrets.token_hex(4)}")
    settings = load_settings(environ={}, overrides={"data_dir": str(tmp_path / "a"), **sets})
    open_storage(settings).ensure_bucket()

    run = _patrol(mockserver, tmp_path / "a", sets)
    storage = open_storage(settings)
    assert storage.pending() == 0 and not (tmp_path / "a" / "evidence").exists()
    keys = {o.key for o in storage.list("warc/")}
    assert len(keys) == 1 and next(iter(keys)).startswith("warc/s3site/")
    with open_store(f"sqlite:///{run.store_path}") as store:
        ids = [f.id for f in store.query_findings(FindingQuery(limit=50)).items]
        assert ids and all(store.get_finding(i).warc_file == "evidence/" + next(iter(keys))
                           for i in ids)
    out = tmp_path / "case.zip"
    export = _cli(tmp_path / "a", sets, "evidence", "export", "--out", str(out),
                  *sum((["--finding", i] for i in ids), []))
    assert export.returncode == 0, export.stderr
    check = _cli(tmp_path / "a", sets, "evidence", "verify", str(out))
    assert check.returncode == 0 and "核验通过" in check.stdout, check.stdout

    s3.stop()
    second = _patrol(mockserver, tmp_path / "b", sets)    # the storage away: the patrol goes on
    assert second.summary["status"] == "ok"
    offline = open_storage(load_settings(environ={}, overrides={
        "data_dir": str(tmp_path / "b"), **sets}))
    assert offline.pending() == 1                          # the run's WARC file waits
    s3.start()
    sync = _cli(tmp_path / "b", sets, "evidence", "sync")
    assert sync.returncode == 0, sync.stdout + sync.stderr
    assert offline.pending() == 0 and len({o.key for o in offline.list("warc/")}) == 2
