"""Patrol health: a run that ended normally but fetched nothing, only errors, or far fewer pages
than the target's previous run is recorded "degraded", exits DEGRADED and tells support."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from findings.open import open_store
from patrols import exit_codes
from tests.crawler.conftest import run_patrol, write_targets


def _target(data: Path, mockserver: Any, name: str, paths: list[str]) -> dict[str, str]:
    path = write_targets(data / f"targets-{len(paths)}.yaml", [{
        "name": name, "start_urls": [mockserver.url(p) for p in paths], "depth": 0,
        "sitemaps": False, "render": "never"}])
    return {"targets_file": str(path)}


def _support_alerts(store: Any) -> list[Any]:
    return [a for a in store.list_alerts(kind="support") if "巡查异常" in a.subject]


def test_only_errors_is_degraded_and_support_is_told(mockserver: Any, tmp_path: Path) -> None:
    settings = _target(tmp_path, mockserver, "gone", ["/no-such-page-a", "/no-such-page-b"])
    run = run_patrol(tmp_path, "--target", "gone", settings=settings)
    assert run.returncode == exit_codes.DEGRADED, run.stderr[-2000:]
    assert run.summary["status"] == "degraded"
    with open_store(f"sqlite:///{run.store_path}") as store:
        (record,) = store.list_runs("gone")
        assert record.status == "degraded" and record.exit_code == exit_codes.DEGRADED
        failed = {v["monitor"] for v in record.stats["health"] if not v["ok"]}
        assert failed == {"not_only_errors"}
        (alert,) = _support_alerts(store)
        assert "gone" in alert.subject and "所有请求均出错" in alert.body
        assert store.lock_holder("patrol:gone") is None


def test_under_half_the_previous_runs_pages_is_degraded(mockserver: Any, tmp_path: Path) -> None:
    pages = ["/utf8.html", "/gbk-meta.html", "/big5.html", "/wrong-header.html"]
    first = run_patrol(tmp_path, "--target", "shrinking",
                       settings=_target(tmp_path, mockserver, "shrinking", pages))
    assert first.returncode == exit_codes.OK, first.stderr[-2000:]
    assert first.summary["pages"] == 4
    # The site lost three of its four pages (404 now).
    second = run_patrol(tmp_path, "--target", "shrinking", settings=_target(
        tmp_path, mockserver, "shrinking", ["/utf8.html", "/lost-1", "/lost-2"]))
    assert second.returncode == exit_codes.DEGRADED, second.stderr[-2000:]
    with open_store(f"sqlite:///{first.store_path}") as store:
        latest, earlier = store.list_runs("shrinking")
        assert (earlier.status, latest.status) == ("ok", "degraded")
        [problem] = [v for v in latest.stats["health"] if not v["ok"]]
        assert problem["monitor"] == "no_sharp_drop" and earlier.id in problem["message"]
        assert len(_support_alerts(store)) == 1
