"""One patrol run under the scheduler's rules: lock, record, process, time limit, alert.

The agreement with `patrol crawl` (cli/crawl.py, the patrol service patrols/service.py), which
needs nothing from crawl beyond what it does for a manual patrol:

- crawl runs the patrol service: it takes the lock patrol_lock(target) (patrols/locks.py),
  records its own PatrolRun (with --trigger) at start and end, judges its health, queues the
  alerts of new findings, releases the lock, and exits with status LOCKED (75,
  patrols/exit_codes.py) when another process holds the lock (a manual crawl is refused the
  same way while a scheduled one runs).
- The scheduler holds its own lock schedule_lock(target) (owner "scheduler:<host>:<pid>:...")
  around the whole run: check, spawn, wait, record. Two schedulers on one store therefore never
  overlap on a target, and the second one to reach a due time finds the first one's record for
  that due time (stats.scheduler.due) and does not patrol again.
- After the process ends the scheduler finds the crawl's record (the run of that target and
  trigger that started after the spawn) and completes it: log path, scheduler stats, and, when
  the process was stopped (time limit, shutdown) or died without finishing its record, the
  status, end and exit status; it releases a "patrol:" lock still held by its child (owner pid)
  after a SIGKILL. A child that died before writing any record gets one written for it.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from findings import PatrolRun, Store, utcnow
from findings.model import to_iso
from patrols import exit_codes
from patrols.locks import lock_ttl, new_owner, parse_owner, patrol_lock, schedule_lock
from patrols.service import tell_support
from settings import ConfigError, Settings
from settings.loader import PROJECT_FILE

from . import support

log = logging.getLogger("patrol.scheduler")

POLL_SECONDS = 0.2
TEMPLATE_FIELDS = ("python", "target", "trigger", "data_dir")


def _due_of(run: PatrolRun) -> str | None:
    return (run.stats.get("scheduler") or {}).get("due")


def passthrough_args(settings: Settings) -> list[str]:
    """Global options that give a child `patrol` process the same settings as this one.

    Environment variables are inherited; the site file and command-line values are passed on.
    """
    args = ["--data-dir", str(settings.data_dir)]
    site_files: list[str] = []
    for name in settings:
        source = settings.source(name)
        if source == "command line" and name != "data_dir":
            value = settings[name]
            text = ",".join(value) if isinstance(value, list) else (
                str(value).lower() if isinstance(value, bool) else str(value))
            args += ["--set", f"{name}={text}"]
        elif source not in ("default", "command line") and not source.startswith("environment"):
            file = Path(source.rsplit(":", 1)[0]).resolve()
            if file.is_file() and file != PROJECT_FILE.resolve() and str(file) not in site_files:
                site_files.append(str(file))
    return [a for f in site_files[:1] for a in ("--config", f)] + args


def check_command_template(settings: Settings) -> None:
    template = settings["patrol_command"]
    if not template:
        return
    try:
        tokens = shlex.split(template)
        for token in tokens:
            token.format(**{f: "x" for f in TEMPLATE_FIELDS})
    except (ValueError, KeyError, IndexError) as exc:
        raise ConfigError(settings.source("patrol_command"), "patrol_command",
                          f"bad command template ({exc}); placeholders: "
                          + ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS)) from None
    if not tokens:
        raise ConfigError(settings.source("patrol_command"), "patrol_command", "empty command")


@dataclass
class RunResult:
    run: PatrolRun | None          # None when the patrol did not start
    skipped: str = ""              # why it did not start (locked, already patrolled, stopping)


@dataclass
class _Active:
    proc: subprocess.Popen[bytes]
    stop: threading.Event = field(default_factory=threading.Event)


class PatrolRunner:
    """Runs patrols as processes; thread-safe; knows which are running, to stop them on shutdown."""

    def __init__(self, settings: Settings, store: Store) -> None:
        check_command_template(settings)
        self.settings = settings
        self.store = store
        self.passthrough = passthrough_args(settings)
        self.kill_grace = settings["patrol_kill_grace_seconds"]
        self.closing = False
        self._cond = threading.Condition()
        self._active: dict[int, _Active] = {}
        self._busy = 0

    # -- shutdown ------------------------------------------------------------------------------
    def busy(self) -> int:
        with self._cond:
            return self._busy

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._busy == 0, timeout)

    def interrupt_all(self) -> int:
        """Stop every running patrol (terminate, then kill after the grace); count them."""
        with self._cond:
            for entry in self._active.values():
                entry.stop.set()
            return len(self._active)

    def close_abandoned(self, limit: int = 500) -> list[PatrolRun]:
        """Mark as interrupted the runs left "running" by processes that are gone.

        A run is abandoned when it started longer ago than any patrol may last and nobody
        holds its target's crawl lock (a live crawl holds it throughout); this happens when the
        machine went down under a patrol. Called at scheduler start.
        """
        oldest = utcnow() - timedelta(seconds=lock_ttl(self.settings))
        closed = []
        for run in self.store.list_runs(None, limit=limit):
            if run.status != "running" or run.started_at > oldest:
                continue
            if self.store.lock_holder(patrol_lock(run.target)):
                continue
            run.status, run.ended_at = "interrupted", utcnow()
            run.errors = {**run.errors, "abandoned": 1}
            self.store.save_run(run)
            closed.append(run)
            log.warning("run %s of %s was left running by a process that is gone; marked "
                        "interrupted", run.id, run.target)
        return closed

    # -- one run -------------------------------------------------------------------------------
    def command(self, target: str, trigger: str, time_limit: int) -> list[str]:
        template = self.settings["patrol_command"]
        if not template:
            # The crawl's own lock lives as long as the limit this run gets.
            return [sys.executable, "-m", "cli.main", *self.passthrough,
                    "--set", f"patrol_time_limit={time_limit}",
                    "crawl", "--target", target, "--trigger", trigger]
        values = {"python": sys.executable, "target": target, "trigger": trigger,
                  "data_dir": str(self.settings.data_dir)}
        return [token.format(**values) for token in shlex.split(template)]

    def run(self, target: str, *, trigger: str, time_limit: int, schedule: str | None = None,
            due: datetime | None = None) -> RunResult:
        """Patrol `target` now, unless the scheduler lock of the target is held or (scheduled)
        the due time `due` has been patrolled already."""
        with self._cond:
            if self.closing:
                return RunResult(None, "stopping")
            self._busy += 1
        try:
            owner, lock = new_owner("scheduler"), schedule_lock(target)
            ttl = lock_ttl(self.settings, time_limit)
            if not self.store.acquire_lock(lock, owner, ttl):
                holder = self.store.lock_holder(lock) or "?"
                log.warning("patrol of %s not started: already running (lock held by %s)",
                            target, holder)
                return RunResult(None, f"locked by {holder}")
            try:
                if due and any(_due_of(r) == to_iso(due)
                               for r in self.store.list_runs(target, limit=20)):
                    log.info("patrol of %s due %s already done by another scheduler", target,
                             to_iso(due))
                    return RunResult(None, "already patrolled")
                return self._run_locked(target, owner, trigger, time_limit, schedule, due)
            finally:
                self.store.release_lock(lock, owner)
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def _run_locked(self, target: str, owner: str, trigger: str, time_limit: int,
                    schedule: str | None, due: datetime | None) -> RunResult:
        started = utcnow()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in target)[:60]
        rel = Path("logs", "runs", started.strftime("%Y%m%d"),
                   f"{started:%H%M%S}-{safe}-{owner[-6:]}.log")
        log_path = self.settings.data_path(*rel.parts)
        info: dict[str, object] = {"schedule": schedule, "due": to_iso(due), "owner": owner,
                                   "time_limit": time_limit, "spawned_at": to_iso(started)}
        cmd = self.command(target, trigger, time_limit)
        log.info("patrol of %s started: limit %ss, log %s", target, time_limit, log_path)
        status, code, pid = "failed", None, None
        with open(log_path, "ab") as out:
            out.write(f"# patrol of {target} at {to_iso(started)} ({trigger})\n"
                      f"# command: {shlex.join(cmd)}\n".encode())
            out.flush()
            try:
                proc = subprocess.Popen(cmd, cwd=self.settings.home, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as exc:
                out.write(f"# cannot start the patrol: {exc}\n".encode())
            else:
                pid = proc.pid
                status, code = self._supervise(proc, time_limit, out)
                info["exited_at"] = to_iso(utcnow())
        if code == exit_codes.LOCKED and self._crawl_record(target, trigger, started) is None:
            holder = self.store.lock_holder(patrol_lock(target)) or "another patrol"
            log.warning("patrol of %s not started: already running (crawl lock held by %s)",
                        target, holder)
            return RunResult(None, f"locked by {holder}")
        final = self._finish(target, trigger, started, status, code, pid, rel, info)
        if final.status in ("failed", "timeout"):
            self._alert_support(final, log_path, time_limit)
        support.send_due(self.store, self.settings)
        return RunResult(final)

    def _supervise(self, proc: subprocess.Popen[bytes], time_limit: int,
                   out: BinaryIO) -> tuple[str, int | None]:
        entry = _Active(proc)
        with self._cond:
            self._active[proc.pid] = entry
        try:
            deadline = time.monotonic() + time_limit
            while True:
                code = proc.poll()
                if code is not None:
                    return ("ok" if code == 0 else "failed"), code
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    reason = "timeout"
                    break
                if entry.stop.wait(min(remaining, POLL_SECONDS)):
                    reason = "interrupted"
                    break
            log.warning("patrol process %s: %s, stopping its process group", proc.pid, reason)
            out.write(f"# scheduler: {reason}; SIGTERM to the process group\n".encode())
            out.flush()
            return reason, self._terminate(proc)
        finally:
            with self._cond:
                self._active.pop(proc.pid, None)

    def _terminate(self, proc: subprocess.Popen[bytes]) -> int:
        """SIGTERM to the patrol's process group, SIGKILL after the grace; the exit status."""
        def signal_group(sig: int) -> None:
            try:
                os.killpg(proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

        signal_group(signal.SIGTERM)
        try:
            proc.wait(self.kill_grace)
        except subprocess.TimeoutExpired:
            log.warning("patrol process %s ignored SIGTERM for %ss; killing it", proc.pid,
                        self.kill_grace)
            signal_group(signal.SIGKILL)
            proc.wait()
        signal_group(signal.SIGKILL)  # children the patrol left behind (e.g. a browser)
        return proc.returncode

    def _crawl_record(self, target: str, trigger: str, started: datetime) -> PatrolRun | None:
        """The record our child wrote: that target and trigger, started after the spawn.

        Our scheduler lock keeps other schedulers' patrols of the target out of this window,
        and a concurrent manual crawl is refused by the crawl lock before it writes a record.
        """
        mine = [r for r in self.store.list_runs(target, limit=20)
                if r.trigger == trigger and r.started_at >= started and "scheduler" not in r.stats]
        return min(mine, key=lambda r: r.started_at) if mine else None

    def _finish(self, target: str, trigger: str, started: datetime, status: str,
                code: int | None, pid: int | None, rel: Path, info: dict[str, object]
                ) -> PatrolRun:
        """Complete the crawl's record (or write one) so that nothing stays half-written."""
        run = None
        try:
            run = self._crawl_record(target, trigger, started)
        except Exception:  # noqa: BLE001 - still record what we know
            log.exception("cannot read the run records of %s", target)
        if run is None:
            run = PatrolRun(id=uuid.uuid4().hex[:24], target=target, started_at=started,
                            trigger=trigger, errors={"no_record": 1})
        if status in ("timeout", "interrupted") or run.status == "running" or run.ended_at is None:
            run.status, run.ended_at = status, utcnow()
        elif status == "failed" and run.status == "ok":
            run.status = "failed"  # the record says ok but the process failed afterwards
        run.exit_code = code
        run.log_path = rel.as_posix()
        run.stats = {**run.stats, "scheduler": info}
        self.store.save_run(run)
        if pid is not None:
            self._release_orphan_lock(target, pid)
        log.info("patrol of %s ended: %s (exit %s), %s pages, %s findings, run %s", target,
                 run.status, code, run.pages, run.findings, run.id)
        return run

    def _release_orphan_lock(self, target: str, pid: int) -> None:
        """A crawl killed with SIGKILL cannot release its lock; free it for the next run."""
        holder = self.store.lock_holder(patrol_lock(target))
        owner = parse_owner(holder)
        if holder and owner is not None and owner.is_process(pid):
            self.store.release_lock(patrol_lock(target), holder)
            log.info("released the lock of %s left by killed patrol process %s", target, pid)

    def _alert_support(self, run: PatrolRun, log_path: Path, time_limit: int) -> None:
        if run.status == "timeout":
            problem = f"超时（超过 {time_limit} 秒未结束，已终止）"
        else:
            problem = f"失败（退出码 {run.exit_code}）"
        tell_support(self.settings, self.store, run, [problem], log_path)
