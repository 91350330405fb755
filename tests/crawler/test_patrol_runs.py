"""Patrol runs over time and side by side: re-patrol marks vanished findings gone, a second
patrol of a locked target is refused, and a machine without Chromium still patrols."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from findings import FindingQuery
from findings.open import open_store
from patrols import exit_codes
from tests.crawler.conftest import run_patrol, write_targets


def _targets(data: Path, mockserver: Any, path: str, name: str, **extra: Any) -> Path:
    return write_targets(data / "targets.yaml", [{
        "name": name, "start_urls": [mockserver.url(path)], "depth": 0, "sitemaps": False,
        **extra}])


def test_repatrol_marks_gone_and_records_change(mockserver: Any, tmp_path: Path) -> None:
    targets = _targets(tmp_path, mockserver, "/changing.html", "changing", render="never")
    settings = {"targets_file": str(targets)}
    mockserver.set_variant(1)
    first = run_patrol(tmp_path, "--target", "changing", settings=settings)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.summary["pages_new"] == 1 and first.summary["findings_new"] >= 2
    try:
        mockserver.set_variant(2)
        second = run_patrol(tmp_path, "--target", "changing", settings=settings)
    finally:
        mockserver.set_variant(1)
    assert second.returncode == 0
    assert second.summary["pages_changed"] == 1
    # only the site operator's restricted_name finding is still there
    assert second.summary["findings_by_rule"] == {"restricted_name": 1}
    with open_store(f"sqlite:///{first.store_path}") as store:
        url = mockserver.url("/changing.html")
        found = store.query_findings(FindingQuery(source=url, limit=50)).items
        assert found and all(f.gone_at is not None for f in found)
        runs = store.list_runs("changing")
        assert len(runs) == 2 and all(r.status == "ok" for r in runs)


def test_locked_target_is_refused(mockserver: Any, tmp_path: Path) -> None:
    targets = _targets(tmp_path, mockserver, "/utf8.html", "locked", render="never")
    with open_store(f"sqlite:///{tmp_path / 'patrol.sqlite3'}") as store:
        assert store.acquire_lock("patrol:locked", "scheduler-on-host-a", 600)
    mockserver.clear_log()
    run = run_patrol(tmp_path, "--target", "locked", settings={"targets_file": str(targets)})
    assert run.returncode == exit_codes.LOCKED
    assert "locked" in run.stderr and "scheduler-on-host-a" in run.stderr
    assert mockserver.log() == []   # nothing was fetched


def test_without_chromium_rendering_is_off_and_counted(mockserver: Any, tmp_path: Path) -> None:
    targets = _targets(tmp_path, mockserver, "/js/app.html", "nobrowser")
    run = run_patrol(tmp_path, "--target", "nobrowser",
                     settings={"targets_file": str(targets),
                               "chromium_path": str(tmp_path / "no-such-chromium")})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.summary["rendering_off"] is True and run.summary["rendered"] == 0
    assert run.summary["skips"]["render_unavailable"] == 1
    assert run.summary["pages"] == 1


def test_adhoc_urls_with_cli_limits(mockserver: Any, tmp_path: Path) -> None:
    run = run_patrol(tmp_path, mockserver.url("/next1.html"), "--max-pages", "1",
                     "--render", "never")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.summary["pages"] == 1
    assert run.summary["skips"].get("page_limit", 0) >= 1


def test_robots_obeyed_when_asked_and_crawl_delay_honoured(mockserver: Any,
                                                           tmp_path: Path) -> None:
    targets = write_targets(tmp_path / "targets.yaml", [{
        "name": "polite", "start_urls": [mockserver.url("/frame-host.html")], "depth": 1,
        "obey_robots": True, "render": "never"}])
    mockserver.clear_log()
    mockserver.set_variant(1, crawl_delay=1)
    try:
        run = run_patrol(tmp_path, "--target", "polite", settings={"targets_file": str(targets)})
    finally:
        mockserver.set_variant(1)
    assert run.returncode == 0, run.stderr[-2000:]
    paths = [e["path"] for e in mockserver.log()]
    assert "/private/disallowed.html" not in paths      # listed in the sitemap, disallowed
    assert run.summary["skips"]["robots"] >= 1
    assert "/hidden/sitemap-only.html" in paths
    times = sorted(e["t"] for e in mockserver.log() if e["path"].endswith(".html"))
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) >= 3 and min(gaps) >= 0.9        # Crawl-delay: 1 between page requests
