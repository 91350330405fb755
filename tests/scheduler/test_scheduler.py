"""The scheduler in this process (real APScheduler, real job store, real patrol processes
against a local site): a schedule fires and is recorded; a hanging patrol is killed at its
limit, recorded, reported to support, and the next run still happens; a scheduler down through
two due times patrols exactly once when it is back."""

from __future__ import annotations

from datetime import timedelta

from findings import utcnow
from findings.model import from_iso
from scheduler import PatrolScheduler
from tests.scheduler.conftest import SITE_PAGE
from tests.services.ports import wait_until

EVERY_SECOND = "schedules:\n  every-second:\n    target: alpha\n    interval: {seconds: 1}\n"


def test_a_schedule_fires_and_the_run_is_recorded(env) -> None:
    env.schedules(EVERY_SECOND)
    service = PatrolScheduler(env.settings())
    try:
        service.start()
        wait_until(lambda: any(r.status == "ok" for r in env.runs("alpha")), 30,
                   what="a finished patrol of alpha")
    finally:
        service.stop(grace=30)
    run = next(r for r in env.runs("alpha") if r.status == "ok")
    assert (run.trigger, run.exit_code, run.pages) == ("schedule", 0, 1)
    assert run.stats["bytes"] == len(SITE_PAGE.encode())          # filled in by the patrol
    assert run.ended_at is not None and run.ended_at >= run.started_at
    scheduled = run.stats["scheduler"]
    assert scheduled["schedule"] == "every-second" and scheduled["time_limit"] == 60
    assert from_iso(scheduled["due"]) <= run.started_at
    assert [w[2] for w in env.journal_lines() if w[0] == "start"][0] == min(
        env.runs("alpha"), key=lambda r: r.started_at).id      # one record: the patrol's own
    log = (env.data_dir / run.log_path).read_text(encoding="utf-8")
    assert f"fetched {env.site}" in log and "# patrol of alpha at " in log
    with env.store() as store:
        assert store.lock_holder("patrol:alpha") is None
        assert store.lock_holder("schedule:alpha") is None
    assert all(r.status != "running" for r in env.runs())      # nothing left half-written


def test_a_crashed_patrol_is_recorded_as_failed_and_reported(env) -> None:
    env.mode_file.write_text("fail")   # dies without finishing its record or freeing its lock
    env.schedules(EVERY_SECOND)
    service = PatrolScheduler(env.settings())
    try:
        service.start()
        wait_until(lambda: any(r.status == "failed" for r in env.runs("alpha")), 30,
                   what="a failed patrol")
        env.mode_file.write_text("ok")
        wait_until(lambda: any(r.status == "ok" for r in env.runs("alpha")), 30,
                   what="the next patrol after the crash")
    finally:
        service.stop(grace=30)
    failed = next(r for r in env.runs("alpha") if r.status == "failed")
    assert failed.exit_code == 5 and failed.ended_at is not None
    with env.store() as store:
        alert = next(a for a in store.list_alerts(kind="support") if failed.id in a.key)
    assert alert.subject.endswith("巡查失败：alpha")
    assert "退出码 5" in alert.body and "simulated crash" in alert.body


def test_a_hanging_patrol_is_killed_reported_and_the_next_run_happens(
        env, webhook) -> None:
    departments = env.dir / "departments.yaml"
    departments.write_text(
        "departments:\n  tech_support:\n    name: 技术支撑组\n    channels:\n"
        f"      - type: webhook\n        url: {webhook.url}/support\n"
        "support: tech_support\ndefault_to: [tech_support]\n", encoding="utf-8")
    env.mode_file.write_text("stubborn")   # ignores SIGTERM, so it takes SIGKILL to stop it
    env.schedules("schedules:\n  tight:\n    target: alpha\n    interval: {seconds: 2}\n"
                  "    time_limit: 3\n")
    service = PatrolScheduler(env.settings(departments_file=str(departments)))
    try:
        service.start()
        wait_until(lambda: any(r.status == "timeout" for r in env.runs("alpha")), 30,
                   what="a timed-out patrol")
        env.mode_file.write_text("ok")
        wait_until(lambda: any(r.status == "ok" for r in env.runs("alpha")), 30,
                   what="the next patrol after the timeout")
        received = webhook.wait_for(1, "/support")
    finally:
        service.stop(grace=30)
    runs = env.runs("alpha")
    hung = min((r for r in runs if r.status == "timeout"), key=lambda r: r.started_at)
    later = min((r for r in runs if r.status == "ok"), key=lambda r: r.started_at)
    assert hung.exit_code == -9                      # SIGTERM ignored, killed after the grace
    lived = from_iso(hung.stats["scheduler"]["exited_at"]) - from_iso(
        hung.stats["scheduler"]["spawned_at"])
    assert lived >= timedelta(seconds=3 + 1)         # the time limit, then the kill grace
    assert later.started_at >= hung.ended_at
    log = (env.data_dir / hung.log_path).read_text(encoding="utf-8")
    assert "hanging" in log and "timeout; SIGTERM to the process group" in log
    with env.store() as store:
        alerts = store.list_alerts(kind="support")
        assert store.lock_holder("patrol:alpha") is None
    alert = next(a for a in alerts if hung.id in a.key)
    assert alert.subject.endswith("巡查超时：alpha") and alert.department == "tech_support"
    assert hung.id in alert.body and "超过 3 秒" in alert.body and "hanging" in alert.body
    assert alert.status == "sent"                    # the sender ran after the patrol
    sent = received[0].json()
    assert sent["kind"] == "support" and "巡查超时：alpha" in sent["subject"]


def test_down_through_two_due_times_patrols_once_when_back(env) -> None:
    env.schedules("schedules:\n  every-2s:\n    target: alpha\n    interval: {seconds: 2}\n")
    first = PatrolScheduler(env.settings())
    try:
        first.start()
        wait_until(lambda: any(r.status == "ok" for r in env.runs("alpha")), 30,
                   what="a first patrol")
    finally:
        first.stop(grace=30)
    # Read the kept due time (with the scheduler stopped), then let two due times pass.
    reader = PatrolScheduler(env.settings())
    reader.open()
    missed = reader.scheduler.get_job("patrol:every-2s:alpha").next_run_time
    reader.close()
    second_missed = missed + timedelta(seconds=2)
    wait_until(lambda: utcnow() > second_missed + timedelta(seconds=0.5), 30,
               what="two missed due times")
    before = {r.id for r in env.runs("alpha")}
    back_at = utcnow()
    again = PatrolScheduler(env.settings())
    try:
        again.start()
        wait_until(lambda: any(r.id not in before and r.status == "ok"
                               for r in env.runs("alpha")), 30, what="the coalesced patrol")
    finally:
        again.stop(grace=30)
    dues = [from_iso(r.stats["scheduler"]["due"]) for r in env.runs("alpha") if r.id not in before]
    caught_up = [d for d in dues if d < back_at]
    assert len(caught_up) == 1                       # one run for the missed due times, not two
    assert caught_up[0] >= second_missed             # the latest missed due time
    assert missed not in dues


def test_runs_left_running_by_a_dead_machine_are_closed_at_start(env) -> None:
    from findings import PatrolRun

    long_ago = utcnow() - timedelta(hours=2)
    with env.store() as store:
        for run_id, target, started in (("gone", "alpha", long_ago), ("live", "beta", long_ago),
                                        ("recent", "gamma", utcnow())):
            store.save_run(PatrolRun(id=run_id, target=target, started_at=started))
        assert store.acquire_lock("patrol:beta", "elsewhere:77:live", 600)  # still patrolling
    service = PatrolScheduler(env.settings())
    try:
        service.start()
    finally:
        service.stop(grace=5)
    with env.store() as store:
        gone, live, recent = (store.get_run(i) for i in ("gone", "live", "recent"))
    assert gone.status == "interrupted" and gone.errors == {"abandoned": 1} and gone.ended_at
    assert live.status == "running" and recent.status == "running"
