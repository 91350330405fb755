"""`patrol schedule run` as a real process: reload on SIGHUP, clean stop on SIGTERM, two
schedulers on one store; and `patrol schedule now` / `list`."""

from __future__ import annotations

import signal

from findings import utcnow
from findings.model import from_iso
from patrols import exit_codes
from tests.services.ports import wait_until


def _dues(runs):  # type: ignore[no-untyped-def]
    """Due times of the finished scheduled runs (the scheduler completes a record at the end)."""
    return [from_iso(r.stats["scheduler"]["due"]) for r in runs if "scheduler" in r.stats]


def test_sighup_applies_added_changed_and_removed_schedules(  # type: ignore[no-untyped-def]
        env, start_service) -> None:
    env.schedules("schedules:\n"
                  "  s-alpha:\n    target: alpha\n    interval: {seconds: 1}\n"
                  "  s-beta:\n    target: beta\n    cron: '0 0 1 1 *'\n")
    service = start_service(env.cli_args())
    wait_until(lambda: len(env.runs("alpha")) >= 1, 30, what="a patrol of alpha")
    assert env.runs("beta") == []
    env.schedules("schedules:\n"
                  "  s-beta:\n    target: beta\n    interval: {seconds: 1}\n"       # changed
                  "  s-gamma:\n    target: gamma\n    cron: '* * * * * *'\n")       # added
    service.send(signal.SIGHUP)
    service.wait_log("schedule removed: patrol:s-alpha:alpha")
    reloaded_at = utcnow()
    assert "schedule changed: patrol:s-beta:beta" in service.log()
    assert "schedule added: patrol:s-gamma:gamma" in service.log()
    wait_until(lambda: len([d for d in _dues(env.runs("gamma")) if d > reloaded_at]) >= 2, 30,
               what="two patrols of the added schedule")
    wait_until(lambda: any(d > reloaded_at for d in _dues(env.runs("beta"))), 30,
               what="a patrol of the changed schedule")
    # The removed schedule never fired again, through several of its former due times.
    alpha = env.runs("alpha")
    assert all(r.status == "ok" for r in alpha)
    assert [d for d in _dues(alpha) if d > reloaded_at] == []

    # A broken file on reload is refused; the scheduler keeps its last good schedules.
    env.schedules("schedules:\n  s-beta:\n    target: nosuch\n    interval: {seconds: 1}\n")
    service.send(signal.SIGHUP)
    service.wait_log("reload refused, schedules unchanged")
    refused_at = utcnow()
    wait_until(lambda: any(d > refused_at for d in _dues(env.runs("gamma"))), 30,
               what="patrols going on after a refused reload")
    assert service.stop() == 0
    assert "scheduler stopped" in service.log()


def test_sigterm_stops_a_running_patrol_cleanly(env, start_service) -> None:  # type: ignore[no-untyped-def]
    """A scheduled patrol holds the target: a manual crawl is refused; SIGTERM then stops the
    scheduler, which stops the patrol after the grace and records it as interrupted."""
    env.mode_file.write_text("stubborn")
    env.schedules("schedules:\n  s-alpha:\n    target: alpha\n    interval: {seconds: 1}\n")
    service = start_service(env.cli_args(shutdown_grace_seconds=1))
    wait_until(lambda: any(w[0] == "start" for w in env.journal_lines()), 30,
               what="a running patrol")
    # A manual `patrol crawl --target` of the same target is refused while it runs.
    manual = env.patrol("crawl", "--target", "alpha", patrol_command="")
    assert manual.returncode == exit_codes.LOCKED, manual.stderr
    assert "拒绝巡查：目标 alpha 正在由" in manual.stderr
    assert service.stop() == 0
    runs = env.runs("alpha")
    assert len(runs) == 1
    run = runs[0]
    assert run.status == "interrupted" and run.exit_code == -9 and run.ended_at is not None
    with env.store() as store:
        assert store.lock_holder("patrol:alpha") is None
    log = service.log()
    assert "waiting up to 1s for 1 running patrol(s)" in log
    assert log.index("stopping 1 running patrol(s)") < log.index("scheduler stopped")


def test_two_schedulers_on_one_store_patrol_once(  # type: ignore[no-untyped-def]
        env, start_service, tmp_path) -> None:
    env.store_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    env.overrides["store_url"] = env.store_url
    env.overrides["patrol_command"] = env.fake_command()
    env.mode_file.write_text("slow")     # each patrol takes a second: the two would overlap
    env.schedules("schedules:\n  s-alpha:\n    target: alpha\n    interval: {seconds: 2}\n")
    # Two scheduler processes, each with its own data home and job store, one shared store.
    one = start_service(env.cli_args(data_dir=str(tmp_path / "one")), name="one")
    two = start_service(env.cli_args(data_dir=str(tmp_path / "two")), name="two")
    wait_until(lambda: len([r for r in env.runs("alpha") if r.status == "ok"]) >= 3, 60,
               what="three patrols of alpha")
    assert one.stop() == 0 and two.stop() == 0
    starts = [w for w in env.journal_lines() if w[0] == "start"]
    ends = {w[2]: float(w[3]) for w in env.journal_lines() if w[0] == "end"}
    runs = env.runs("alpha")
    dues = _dues(runs)
    assert len(starts) == len(runs) >= 3                    # no refused or extra processes
    assert len(dues) == len(set(dues))                      # every due time patrolled once
    spans = sorted((float(w[3]), ends.get(w[2], float("inf"))) for w in starts)
    assert all(prev[1] <= nxt[0] for prev, nxt in zip(spans, spans[1:], strict=False))
    # Both schedulers fired; the one that lost each due time said why and did not patrol.
    assert "Running job" in one.log() and "Running job" in two.log()
    logs = one.log() + two.log()
    assert logs.count("already running (lock held by scheduler:") \
        + logs.count("already done by another scheduler") >= 1


def test_schedule_now_and_list(env) -> None:  # type: ignore[no-untyped-def]
    env.schedules("schedules:\n  nightly:\n    group: fast\n    cron: '30 2 * * *'\n")
    result = env.patrol("schedule", "now", "beta")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("巡查 ") and "成功，页面 1，问题 0" in result.stdout
    run = env.runs("beta")[0]
    assert run.trigger == "manual" and run.status == "ok"

    listing = env.patrol("schedule", "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["任务", "目标", "计划", "下次运行", "上次结果"]
    beta = next(line for line in lines if line.startswith("patrol:nightly:beta"))
    assert "定时 30 2 * * *" in beta and " 02:30:00（未同步" in beta and "成功" in beta

    synced = env.patrol("schedule", "sync")
    assert "新增  patrol:nightly:beta" in synced.stdout
    assert "计划已同步：新增 4，修改 0，删除 0，未变 0。" in synced.stdout
    alpha = next(line for line in env.patrol("schedule", "list").stdout.splitlines()
                 if line.startswith("patrol:nightly:alpha"))
    assert " 02:30:00" in alpha

    # While another process patrols the target, `now` refuses with a clear message: a manual
    # crawl (its lock "patrol:beta") or another scheduler (its lock "schedule:beta").
    for lock, holder in (("patrol:beta", "elsewhere:4242:manual-run"),
                         ("schedule:beta", "scheduler:elsewhere:4343:x")):
        with env.store() as store:
            assert store.acquire_lock(lock, holder, 60)
            refused = env.patrol("schedule", "now", "beta")
            store.release_lock(lock, holder)
        assert refused.returncode == 75, refused.stderr
        assert f"目标 beta 正在巡查中（{holder}），本次未启动。" in refused.stderr
    assert len(env.runs("beta")) == 1
    unknown = env.patrol("schedule", "now", "nosuch")
    assert unknown.returncode == 2 and "unknown target 'nosuch'" in unknown.stderr


def test_scheduled_real_patrol_crawl_is_recorded(env, start_service) -> None:  # type: ignore[no-untyped-def]
    """The real `patrol crawl --target` under the scheduler, against the local site."""
    env.overrides["patrol_command"] = ""
    env.schedules("schedules:\n  s-alpha:\n    target: alpha\n    interval: {seconds: 2}\n")
    service = start_service(env.cli_args())
    wait_until(lambda: any("scheduler" in r.stats for r in env.runs("alpha")), 120,
               what="a completed real patrol of alpha")
    assert service.stop() == 0
    run = next(r for r in env.runs("alpha") if "scheduler" in r.stats)
    assert (run.status, run.trigger, run.exit_code, run.pages) == ("ok", "schedule", 0, 1)
    assert run.findings >= 1                     # the test page promises 18% and principal
    assert run.stats["scheduler"]["schedule"] == "s-alpha"
    log = (env.data_dir / run.log_path).read_text(encoding="utf-8")
    assert "crawl --target alpha --trigger schedule" in log and "巡查目标 alpha" in log
    with env.store() as store:
        assert store.lock_holder("patrol:alpha") is None
        assert store.lock_holder("schedule:alpha") is None
    assert all(r.status != "running" for r in env.runs("alpha"))
