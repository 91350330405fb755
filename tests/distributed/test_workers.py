"""Patrol workers on one Redis frontier (issue 17), against real Redis (AOF) and a local site.

The site counts hits per URL and connections open at once per host. Findings of a distributed
run are compared with those of a single-process patrol of the same site.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from settings import ROOT
from tests.distributed.conftest import CONCURRENCY, PAGES, Patrols
from tests.distributed.countingsite import CountingSite
from tests.services.ports import free_port, wait_until


def findings_of(data_dir: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir / "patrol.sqlite3") as conn:
        return sorted(conn.execute("SELECT id, rule, source FROM findings"))


def alerts_of(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "patrol.sqlite3") as conn:
        return sorted(r[0] for r in conn.execute('SELECT "key" FROM alerts'))


def summary_of(stdout: str) -> dict[str, Any]:
    return json.loads([line for line in stdout.splitlines() if line.startswith("{")][-1])


@pytest.fixture(scope="module")
def single_process(tmp_path_factory: pytest.TempPathFactory, counting_site: Any) -> Any:
    """The reference: a plain single-process patrol of the site (no Redis)."""
    home = tmp_path_factory.mktemp("single")
    targets = home / "targets.yaml"
    targets.write_text(yaml.safe_dump({"targets": [{
        "name": "count", "start_urls": [counting_site.url + "/"], "depth": 40,
        "max_pages": PAGES + 100, "render": "never", "concurrency": CONCURRENCY,
        "sitemaps": False}]}), encoding="utf-8")
    patrols = Patrols(home / "var", {"targets_file": targets, "crawl_max_pages_per_pattern": 100000,
                                     "crawl_max_pages_per_host": 100000, "log_level": "INFO"})
    counting_site.reset()
    done = patrols.run("crawl", "--target", "count", "--json", timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return summary_of(done.stdout), findings_of(patrols.data_dir), alerts_of(patrols.data_dir)


def test_three_workers_fetch_every_page_once_within_host_limit(
        make_patrols: Any, redis_aof: Any, counting_site: Any, single_process: Any) -> None:
    patrols = make_patrols("three", redis_url=redis_aof.url)
    patrols.start_workers(3)
    counting_site.reset()
    done = patrols.run("crawl", "--target", "count", "--distributed", "--json", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = summary_of(done.stdout)
    assert summary["status"] == "ok" and summary["distributed"] is True

    pages = counting_site.page_paths()
    assert pages <= set(counting_site.hits), "pages never fetched"
    twice = {p: n for p, n in counting_site.hits.items() if n > 1}
    assert twice == {}, f"fetched more than once: {sorted(twice)[:10]}"
    assert max(counting_site.open_max.values()) <= CONCURRENCY
    assert summary["pages"] == len(pages) == single_process[0]["pages"]
    # same findings as the single-process patrol, each stored once, alerts queued once each
    assert findings_of(patrols.data_dir) == single_process[1]
    assert summary["findings"] == len(single_process[1])
    assert alerts_of(patrols.data_dir) == single_process[2]
    # the three workers took part (each logged its joining)
    logs = [(patrols.data_dir.parent / f"worker{n}.log").read_text() for n in range(3)]
    assert all("joins patrol run" in log for log in logs)


def test_killed_worker_and_redis_restart_lose_nothing(
        make_patrols: Any, redis_aof: Any, counting_site: Any, single_process: Any) -> None:
    patrols = make_patrols("faults", redis_url=redis_aof.url, worker_lease_seconds=4)
    workers = patrols.start_workers(3)
    counting_site.reset()
    crawl = patrols.start("crawl", "--target", "count", "--distributed", "--json",
                          log="crawl.log")

    def fetched() -> int:
        return len(counting_site.hits)

    wait_until(lambda: fetched() > PAGES // 4, 300, what="a quarter of the site")
    workers[0].kill()                    # SIGKILL: its requests in flight are never acknowledged
    wait_until(lambda: fetched() > PAGES // 2, 300, what="half of the site")
    redis_aof.restart()                  # the frontier comes back from the AOF
    assert crawl.wait(600) == 0, (patrols.data_dir.parent / "crawl.log").read_text()[-3000:]

    summary = summary_of((patrols.data_dir.parent / "crawl.log").read_text())
    assert summary["status"] == "ok"
    assert counting_site.page_paths() <= set(counting_site.hits), "pages lost"
    found = findings_of(patrols.data_dir)
    assert found == single_process[1]            # nothing lost, nothing stored twice
    assert alerts_of(patrols.data_dir) == single_process[2]
    for worker in workers[1:]:
        assert worker.poll() is None             # the survivors paused and went on
    log = "".join((patrols.data_dir.parent / f"worker{n}.log").read_text() for n in (1, 2))
    assert "unreachable" in log and "answers again" in log


def test_stalled_run_is_failed_and_support_alerted(make_patrols: Any, redis_aof: Any) -> None:
    patrols = make_patrols("stall", redis_url=redis_aof.url, worker_stall_seconds=2)
    done = patrols.run("crawl", "--target", "count", "--distributed", "--json", timeout=120)
    assert done.returncode == 1
    assert summary_of(done.stdout)["status"] == "failed"
    run_id = summary_of(done.stdout)["run_id"]
    with sqlite3.connect(patrols.data_dir / "patrol.sqlite3") as conn:
        support = [doc for key, doc in conn.execute('SELECT "key", doc FROM alerts')
                   if key.startswith("support:") and run_id in key]
    assert len(support) == 1 and "停滞" in support[0]


def test_distributed_needs_redis_url(make_patrols: Any) -> None:
    patrols = make_patrols("noredis")
    done = patrols.run("crawl", "--target", "count", "--distributed")
    assert done.returncode == 2 and "redis_url" in done.stderr
    done = patrols.run("worker")
    assert done.returncode == 2 and "redis_url" in done.stderr


def test_doctor_checks_redis_for_real(make_patrols: Any, redis_aof: Any,
                                      redis_server: Any) -> None:
    good = make_patrols("doctor-good", redis_url=redis_aof.url).run("doctor")
    assert "[正常] Redis" in good.stdout and "AOF 已开启" in good.stdout
    # the shared test Redis runs without persistence: a frontier there would not survive
    bad = make_patrols("doctor-bad", redis_url=redis_server.url).run("doctor")
    assert "[缺失] Redis" in bad.stdout and "AOF" in bad.stdout
    assert "patrol worker" in bad.stdout
    gone = make_patrols("doctor-gone", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert "[缺失] Redis" in gone.run("doctor").stdout


def test_schedule_now_sends_the_run_to_the_workers(make_patrols: Any, redis_aof: Any,
                                                   counting_site: Any) -> None:
    """The scheduler's entry (also the console's run-now) enqueues for the workers."""
    patrols = make_patrols("now", redis_url=redis_aof.url)
    targets = patrols.settings["targets_file"]
    small = targets.read_text(encoding="utf-8").replace(f"max_pages: {PAGES + 100}",
                                                        "max_pages: 40")
    targets.write_text(small, encoding="utf-8")
    schedules = targets.parent / "schedules.yaml"
    schedules.write_text("schedules: {}\n", encoding="utf-8")
    patrols.settings["schedules_file"] = schedules
    patrols.start("worker", log="worker.log")
    done = patrols.run("schedule", "now", "count", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(patrols.data_dir / "patrol.sqlite3") as conn:
        (doc,) = conn.execute("SELECT doc FROM runs").fetchone()
    run = json.loads(doc)
    assert run["status"] == "ok" and run["pages"] == 40 and run["stats"]["distributed"] is True
    assert "joins patrol run" in (patrols.data_dir.parent / "worker.log").read_text()


def test_crawl_delay_holds_across_workers(make_patrols: Any, redis_aof: Any) -> None:
    """robots.txt asks for 0.5 s between requests: three workers together keep to it."""
    site = CountingSite(10, crawl_delay=0.5)
    try:
        patrols = make_patrols("delay", redis_url=redis_aof.url)
        patrols.settings["targets_file"].write_text(yaml.safe_dump({"targets": [{
            "name": "count", "start_urls": [site.url + "/"], "depth": 10, "render": "never",
            "concurrency": CONCURRENCY, "sitemaps": False}]}), encoding="utf-8")
        patrols.start_workers(3)
        done = patrols.run("crawl", "--target", "count", "--distributed", "--json")
        assert done.returncode == 0, done.stderr[-2000:]
        assert summary_of(done.stdout)["pages"] == 11
        pages = sorted(t for t, path in site.starts if path != "/robots.txt")
        gaps = [b - a for a, b in zip(pages, pages[1:], strict=False)]
        # Leases are 0.5 s apart; when a request arrives jitters with how busy its worker is
        # after the lease, so the typical gap and the whole span are checked (workers keeping
        # only their own delay would send up to three requests at once).
        order = sorted(site.starts)
        assert len(pages) == 11, gaps
        assert sorted(gaps)[len(gaps) // 2] >= 0.45, order
        assert pages[-1] - pages[0] >= 10 * 0.5 * 0.95, order
    finally:
        site.stop()


def test_time_limit_ends_the_run_on_every_worker(make_patrols: Any, redis_aof: Any) -> None:
    """The limit the run was enqueued with holds for all workers (not each worker's own)."""
    site = CountingSite(400, latency=0.2)
    try:
        patrols = make_patrols("limit", redis_url=redis_aof.url)
        patrols.settings["targets_file"].write_text(yaml.safe_dump({"targets": [{
            "name": "count", "start_urls": [site.url + "/"], "depth": 20, "render": "never",
            "concurrency": 2, "sitemaps": False}]}), encoding="utf-8")
        workers = patrols.start_workers(2)
        limited = patrols.command("--set", "patrol_time_limit=3", "crawl", "--target", "count",
                                  "--distributed", "--json")
        done = subprocess.run(limited, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1
        summary = summary_of(done.stdout)
        assert summary["status"] == "timeout" and 0 < summary["pages"] < 400
        for worker in workers:
            assert worker.poll() is None     # the workers wait for the next run
        with sqlite3.connect(patrols.data_dir / "patrol.sqlite3") as conn:
            assert conn.execute("SELECT count(*) FROM locks").fetchone() == (0,)
    finally:
        site.stop()


def test_page_fetched_again_after_its_lease_ran_out_is_one_record(
        make_patrols: Any, redis_aof: Any) -> None:
    """Worker A is stopped mid-fetch (no heartbeat), its lease runs out and worker B fetches
    the page again; then A goes on and stores it too. The run keeps one record of the page."""
    site = CountingSite(12)
    held = "/p/5.html"
    gate = site.hold(held)
    try:
        patrols = make_patrols("again", redis_url=redis_aof.url, worker_lease_seconds=2,
                               crawl_page_timeout=300)   # A is stopped for a while
        patrols.settings["targets_file"].write_text(yaml.safe_dump({"targets": [{
            "name": "count", "start_urls": [site.url + "/"], "depth": 10, "render": "never",
            "concurrency": 2, "sitemaps": False}]}), encoding="utf-8")
        (first,) = patrols.start_workers(1)
        crawl = patrols.start("crawl", "--target", "count", "--distributed", "--json",
                              log="crawl.log")
        wait_until(lambda: site.hits[held] == 1, 120, what="worker A fetching the page")
        os.kill(first.pid, signal.SIGSTOP)
        try:
            second = patrols.start("worker", log="worker-b.log")
            try:
                wait_until(lambda: site.hits[held] == 2, 120, what="worker B fetching it again")
            except TimeoutError as exc:  # say what the frontier and worker B were doing
                raise AssertionError(_frontier_state(redis_aof.url, patrols, site)) from exc
        finally:
            gate.set()
            os.kill(first.pid, signal.SIGCONT)
        assert crawl.wait(300) == 0, (patrols.data_dir.parent / "crawl.log").read_text()[-3000:]
        # A answers its held request too, and stores the page once it has it
        wait_until(lambda: "leaves patrol run" in (patrols.data_dir.parent / "worker0.log")
                   .read_text(), 120, what="worker A to finish its part")
        assert second.poll() is None and first.poll() is None
        run_id = summary_of((patrols.data_dir.parent / "crawl.log").read_text())["run_id"]
        with sqlite3.connect(patrols.data_dir / "patrol.sqlite3") as conn:
            pages = conn.execute("SELECT url, count(*) FROM pages WHERE run_id = ? GROUP BY url",
                                 (run_id,)).fetchall()
        paths = {url.removeprefix(site.url): count for url, count in pages}
        assert site.hits[held] == 2                  # it was fetched twice ...
        assert paths == dict.fromkeys(site.page_paths(), 1)   # ... and is one record
        # A came back after the run was over: it brought none of the run's keys back (they
        # would never expire, and nothing reads them); what the run keeps expires
        import redis

        client = redis.Redis.from_url(redis_aof.url)
        left = {k.decode(): client.ttl(k) for k in client.scan_iter(f"patrol:run:{run_id}:*")}
        assert left and all(ttl > 0 for ttl in left.values()), left
    finally:
        site.stop()


def test_a_worker_goes_on_fetching_while_the_store_is_locked(
        make_patrols: Any, redis_aof: Any) -> None:
    """Another process holds the shared SQLite file's write lock (a worker stopped inside its
    write): the worker's writes wait, but its downloads, leases and heartbeats go on, and once
    the lock is free every page is stored once. Before its writes had their own thread, the
    first write blocked the worker's reactor for the store's whole write_timeout (120 s): no
    download, no lease renewed, and no other worker could take back a hung worker's pages."""
    site = CountingSite(12)
    try:
        patrols = make_patrols("locked", redis_url=redis_aof.url)
        patrols.settings["targets_file"].write_text(yaml.safe_dump({"targets": [{
            "name": "count", "start_urls": [site.url + "/"], "depth": 10, "render": "never",
            "concurrency": 2, "sitemaps": False}]}), encoding="utf-8")
        store = patrols.data_dir / "patrol.sqlite3"
        gate = site.hold("/p/1.html")             # the run is under way, its pages not fetched
        (worker,) = patrols.start_workers(1)
        crawl = patrols.start("crawl", "--target", "count", "--distributed", "--json",
                              log="crawl.log")
        wait_until(lambda: site.hits["/p/1.html"] == 1, 120, what="the run under way")
        holder = sqlite3.connect(store, timeout=60, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")     # the write lock, held
            gate.set()
            # well within the 120 s a blocked reactor would have waited
            wait_until(lambda: all(site.hits[p] for p in site.page_paths()), 60,
                       what="every page fetched while the store is locked")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert crawl.wait(300) == 0, (patrols.data_dir.parent / "crawl.log").read_text()[-3000:]
        summary = summary_of((patrols.data_dir.parent / "crawl.log").read_text())
        assert summary["pages"] == len(site.page_paths())
        with sqlite3.connect(store) as conn:
            pages = conn.execute("SELECT url, count(*) FROM pages WHERE run_id = ? GROUP BY url",
                                 (summary["run_id"],)).fetchall()
        assert {url.removeprefix(site.url): n for url, n in pages} == dict.fromkeys(
            site.page_paths(), 1)
        assert worker.poll() is None
    finally:
        site.stop()


def _frontier_state(url: str, patrols: Any, site: CountingSite) -> str:
    """The run's Redis keys (queue, taken, hosts) and worker B's log, for a failure message."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    lines = [f"site hits: {dict(site.hits)}"]
    for key in sorted(client.scan_iter("patrol:*")):
        kind = client.type(key)
        value: Any = (client.zrange(key, 0, -1, withscores=True) if kind == "zset" else
                      client.hgetall(key) if kind == "hash" and not key.endswith(":data") else
                      client.get(key) if kind == "string" else kind)
        lines.append(f"{key} ({client.pttl(key)} ms): {str(value)[:300]}")
    log = (patrols.data_dir.parent / "worker-b.log").read_text(encoding="utf-8")
    return "\n".join(lines + ["worker B:", log[-3000:]])


def test_the_ledger_is_kept_where_the_run_was_enqueued(make_patrols: Any, redis_aof: Any) -> None:
    """A worker on a crawler machine (its own data home, the shared store) does not write the
    ledger: the command that enqueued the run, on the console's machine, registers and scores
    the target's platform once the run has ended, where the console reads it."""
    site = CountingSite(12)
    try:
        console = make_patrols("console", redis_url=redis_aof.url)
        crawler = make_patrols("crawler", redis_url=redis_aof.url,
                               store_url=f"sqlite:///{console.data_dir / 'patrol.sqlite3'}")
        for patrols in (console, crawler):
            patrols.settings["targets_file"].write_text(yaml.safe_dump({"targets": [{
                "name": "count", "description": "计数平台", "start_urls": [site.url + "/"],
                "depth": 10, "render": "never", "sitemaps": False}]}), encoding="utf-8")
        crawler.start_workers(1)
        done = console.run("crawl", "--target", "count", "--distributed", "--json")
        assert done.returncode == 0, done.stderr[-3000:]
        assert summary_of(done.stdout)["pages"] == len(site.page_paths())
        with sqlite3.connect(console.data_dir / "platforms.sqlite3") as conn:
            (platform,) = conn.execute("SELECT id, name FROM platforms").fetchall()
            assert platform[1] == "计数平台"
            assert conn.execute("SELECT count(*) FROM platform_scores WHERE platform_id = ?",
                                (platform[0],)).fetchone()[0] >= 1
        assert not (crawler.data_dir / "platforms.sqlite3").exists()
    finally:
        site.stop()
