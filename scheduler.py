"""The patrol scheduler: runs the configured patrols on time, once, and survives restarts.

Run by `patrol schedule run` (see docs/scheduler.md for running it as a service).

- APScheduler 3 with a persistent job store (SQLite file DATA_DIR/scheduler.sqlite3), so due
  times survive a restart. Jobs come from config/schedules.yaml (scheduling.plan); at start and
  on SIGHUP the job store is brought in line with it: new schedules are added, changed ones
  rescheduled, removed ones deleted, unchanged ones left alone (their next due time is kept,
  which is what makes a missed patrol run after a restart).
- Job defaults, on purpose: coalesce (a scheduler that was down through several due times
  patrols once, not once per missed time), one instance per job, and a misfire grace
  (misfire_grace_seconds) beyond which a missed patrol is skipped rather than run late.
- Each patrol is a `patrol crawl` process under a per-target lock with a time limit
  (scheduling.runner); the alert sender runs after each patrol and every minute, the digest
  and spike check on digest_cron.
- SIGTERM/SIGINT: no new patrols start, running ones get shutdown_grace_seconds to finish, then
  are stopped (SIGTERM, then SIGKILL) and recorded as interrupted. A second signal cuts the
  grace short.
"""

from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from findings import PatrolRun, Store
from findings.open import store_from_settings
from scheduling import support
from scheduling.plan import ALERTS_JOB_PREFIX, SchedulePlan, load_plan
from scheduling.runner import PatrolRunner, RunResult
from settings import ConfigError, Settings

log = logging.getLogger("patrol.scheduler")

JOBSTORE_FILE = "scheduler.sqlite3"
_service: PatrolScheduler | None = None  # the scheduler serving in this process, for job calls


class DueTimeExecutor(ThreadPoolExecutor):
    """Hands each patrol job the time it was due (the last one, when coalesced).

    APScheduler 3 does not tell a job function its scheduled time; the patrol needs it so that
    every scheduler names the same due time the same way (see runner.slot_run_id).
    """

    def submit_job(self, job: Any, run_times: list[datetime]) -> None:
        if job.id.startswith(ALERTS_JOB_PREFIX):
            return super().submit_job(job, run_times)
        # A copy: the scheduler writes `job` back to the job store after submitting it.
        clone = Job.__new__(Job)
        for name in Job.__slots__:
            if name != "__weakref__" and hasattr(job, name):
                setattr(clone, name, getattr(job, name))
        clone.kwargs = {**job.kwargs, "due": run_times[-1]}
        return super().submit_job(clone, run_times)


class StoreSafeScheduler(BackgroundScheduler):
    """Processes due jobs only while running, decided under the job-store lock.

    APScheduler 3 checks only for "paused" before processing; a wakeup that races shutdown()
    then fails to submit the due jobs to the stopped executors but still advances their next
    run time in the job store, so a patrol missed while the service was down would be lost by
    `patrol schedule list` or by a restart. shutdown() sets the state before it takes this
    lock, so deciding under the lock closes the race.
    """

    def _process_jobs(self) -> float | None:
        with self._jobstores_lock:
            if self.state != STATE_RUNNING:
                return None
            return super()._process_jobs()


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class PatrolScheduler:
    """The job store, the schedule plan, the patrol runner and the service loop."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        for name in ("patrol_time_limit", "misfire_grace_seconds", "scheduler_max_patrols",
                     "patrol_kill_grace_seconds"):
            if settings[name] <= 0:
                raise ConfigError(settings.source(name), name, "expected a positive integer")
        self.settings = settings
        self.plan: SchedulePlan = load_plan(settings)
        self.store = store or store_from_settings(settings)
        self.runner = PatrolRunner(settings, self.store)
        url = f"sqlite:///{settings.data_path(JOBSTORE_FILE)}"
        self.scheduler = StoreSafeScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=url)},
            executors={"default": DueTimeExecutor(settings["scheduler_max_patrols"]),
                       "alerts": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": settings["misfire_grace_seconds"]},
            timezone=self.plan.timezone)
        self._signals: queue.SimpleQueue[str] = queue.SimpleQueue()

    # -- job store -----------------------------------------------------------------------------
    def open(self) -> None:
        """Start APScheduler paused: jobs can be read and changed, none fires."""
        self.scheduler.start(paused=True)

    def sync(self, plan: SchedulePlan | None = None) -> SyncReport:
        """Bring the job store in line with the plan (default: the one loaded at start)."""
        plan = plan or self.plan
        report = SyncReport()
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id, planned in plan.jobs.items():
            current = existing.get(job_id)
            if current is not None and current.kwargs.get("fingerprint") == planned.fingerprint:
                report.unchanged.append(job_id)
                continue
            self.scheduler.add_job(
                planned.func, planned.trigger, id=job_id, name=planned.spec,
                kwargs={**planned.kwargs, "fingerprint": planned.fingerprint},
                executor="alerts" if job_id.startswith(ALERTS_JOB_PREFIX) else "default",
                replace_existing=True)
            (report.changed if current is not None else report.added).append(job_id)
        for job_id in existing.keys() - plan.jobs.keys():
            self.scheduler.remove_job(job_id)
            report.removed.append(job_id)
        self.plan = plan
        for what, ids in (("added", report.added), ("changed", report.changed),
                          ("removed", report.removed)):
            for job_id in ids:
                log.info("schedule %s: %s", what, job_id)
        return report

    def reload(self) -> SyncReport | None:
        """Re-read the schedules and targets and apply them; a bad file keeps the old plan."""
        try:
            plan = load_plan(self.settings)
        except ConfigError as exc:
            log.error("reload refused, schedules unchanged: %s", exc)
            return None
        return self.sync(plan)

    def jobs(self) -> list[Any]:
        return sorted(self.scheduler.get_jobs(), key=lambda j: j.id)

    def close(self, wait: bool = True) -> None:
        global _service
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if _service is self:
            _service = None
        self.store.close()

    # -- running -------------------------------------------------------------------------------
    def start(self) -> SyncReport:
        """Sync the job store, then let jobs fire (in background threads)."""
        global _service
        if not self.scheduler.running:
            self.open()
        report = self.sync()
        self.runner.close_abandoned()
        _service = self
        self.scheduler.resume()
        log.info("scheduler started: %d jobs, job store %s", len(self.jobs()),
                 self.settings.data_dir / JOBSTORE_FILE)
        return report

    def stop(self, grace: float | None = None) -> None:
        """Stop taking jobs, give running patrols `grace` seconds, then stop them cleanly."""
        grace = self.settings["shutdown_grace_seconds"] if grace is None else grace
        self.scheduler.pause()
        self.runner.closing = True
        busy = self.runner.busy()
        if busy:
            log.info("stopping: waiting up to %ss for %d running patrol(s)", grace, busy)
            deadline = time.monotonic() + grace
            while self.runner.busy() and time.monotonic() < deadline:
                try:
                    if self._signals.get(timeout=min(0.5, deadline - time.monotonic())) == "stop":
                        log.info("second stop signal: stopping running patrols now")
                        break
                except (queue.Empty, ValueError):
                    pass
        if self.runner.busy():
            log.warning("stopping %d running patrol(s)", self.runner.interrupt_all())
            self.runner.wait_idle(self.settings["patrol_kill_grace_seconds"] + 30)
        self.close(wait=True)
        log.info("scheduler stopped")

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT; SIGHUP reloads the schedules."""
        def on_signal(signum: int, frame: object) -> None:
            # SimpleQueue.put is safe in a signal handler; all work happens in the loop below.
            self._signals.put("reload" if signum == signal.SIGHUP else "stop")

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, on_signal)
        self.start()
        while True:
            command = self._signals.get()
            if command == "reload":
                log.info("SIGHUP: reloading %s", self.settings.path("schedules_file"))
                self.reload()
            else:
                log.info("stop signal: no new patrols start")
                break
        self.stop()


def run_once(settings: Settings, target: str, trigger: str = "manual") -> RunResult:
    """`patrol schedule now`: one patrol of `target` in the foreground, under the scheduler's
    rules (lock, record, time limit, support alert). SIGTERM/SIGINT stop it cleanly."""
    plan = load_plan(settings)
    if target not in plan.targets:
        raise ConfigError(str(settings.path("targets_file")), None, f"unknown target {target!r}")
    signals: queue.SimpleQueue[str] = queue.SimpleQueue()
    with store_from_settings(settings) as store:
        runner = PatrolRunner(settings, store)
        result: list[RunResult] = []
        worker = threading.Thread(target=lambda: result.append(runner.run(
            target, trigger=trigger, time_limit=settings["patrol_time_limit"])))
        previous = {sig: signal.signal(sig, lambda signum, frame: signals.put("stop"))
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            worker.start()
            while worker.is_alive():
                try:
                    signals.get(timeout=0.5)
                    log.warning("stop signal: stopping the patrol of %s", target)
                    runner.interrupt_all()
                except queue.Empty:
                    pass
            worker.join()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    return result[0] if result else RunResult(None, "error")


# -- job functions (referenced by name from the job store) ----------------------------------------
def fire_patrol(schedule: str, target: str, fingerprint: str = "",
                due: datetime | None = None) -> PatrolRun | None:
    service = _service
    if service is None:
        log.error("patrol job %s:%s fired outside a running scheduler", schedule, target)
        return None
    limit = service.plan.time_limit(schedule, service.settings["patrol_time_limit"])
    return service.runner.run(target, trigger="schedule", time_limit=limit, schedule=schedule,
                              due=due).run


def fire_alerts(task: str, fingerprint: str = "") -> None:
    service = _service
    if service is None:
        return
    store, settings = service.store, service.settings
    if task == "digest":
        support.check_spikes(store, settings)
        support.run_digest(store, settings)
    support.send_due(store, settings)


def fire_ledger_recheck(fingerprint: str = "", due: datetime | None = None) -> int | None:
    """`patrol platforms recheck` in its own process (it patrols: one reactor per process)."""
    service = _service
    if service is None:
        return None
    import subprocess

    command = [sys.executable, "-m", "cli.main", *service.runner.passthrough, "platforms",
               "recheck"]
    try:
        done = subprocess.run(command, cwd=service.settings.home, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL,
                              timeout=service.settings["patrol_time_limit"])
    except subprocess.TimeoutExpired:
        log.error("ledger recheck timed out")
        return None
    log.info("ledger recheck ended with status %s: %s", done.returncode,
             done.stdout.strip()[-2000:])
    if done.returncode:
        log.error("ledger recheck failed: %s", done.stderr.strip()[-2000:])
    return done.returncode


if __name__ == "__main__":  # `python scheduler.py` is `patrol schedule run`
    import sys

    from cli.main import main

    main([*sys.argv[1:], "schedule", "run"])
