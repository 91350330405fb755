"""The "run now" button: start one patrol of a target as its own process, never inside the console.

The console does not import the crawler (a crawl needs a process of its own: Scrapy's reactor
runs once a process). It asks the scheduler: `python -m cli.main schedule now TARGET` runs the
scheduler's runner, which takes the scheduler lock, spawns the patrol process and completes the
run's record; the patrol process runs the patrol service (patrols/service.py), which records
the run, judges its health and queues the alerts of new findings. The console's effective
settings are handed over as a site file; this returns at once, and the run shows up in the
store's run list as it starts and ends.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from settings import Settings

from .present import console_zone

log = logging.getLogger(__name__)


def settings_snapshot(settings: Settings) -> Path:
    """The non-default settings as a site file (mode 600: it may hold passwords)."""
    values: dict[str, Any] = {}
    for name in settings:
        if settings.source(name) == "default":
            continue
        value = settings[name]
        values[name] = str(value) if isinstance(value, Path) else value
    values["data_dir"] = str(settings.data_dir)
    path = settings.data_path("console", "run-now-settings.yaml")
    tmp = path.with_suffix(".tmp")
    tmp.touch(mode=0o600)
    tmp.chmod(0o600)
    tmp.write_text(yaml.safe_dump(values, allow_unicode=True, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def run_now_command(settings: Settings, target: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "--config", str(settings_snapshot(settings)),
            "schedule", "now", "--", target]


def launch_run_now(settings: Settings, target: str) -> dict[str, Any]:
    """Start the patrol process; returns its pid and the path of its console-side log."""
    if not target or target.startswith("-") or len(target) > 200:
        raise ValueError("invalid target name")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in target)[:60]
    return _start(run_now_command(settings, target), settings, f"run-now-{{stamp}}-{safe}",
                  f"run now: target {target}")


def tip_patrol_command(settings: Settings, url: str) -> list[str]:
    """`patrol crawl --untrusted URL`: a tipped URL gets no exemption from the address guard."""
    return [sys.executable, "-m", "cli.main", "--config", str(settings_snapshot(settings)),
            "crawl", "--untrusted", "--trigger", "tip", "--", url]


def launch_tip_patrol(settings: Settings, url: str) -> dict[str, Any]:
    """Start a one-off patrol of a tipped URL as its own process (the URL was checked by the
    address guard at intake and again by the caller)."""
    return _start(tip_patrol_command(settings, url), settings, "tip-patrol-{stamp}",
                  f"tip patrol of {url}")


def _start(command: list[str], settings: Settings, log_name: str, what: str) -> dict[str, Any]:
    """Start `command` in its own session, output to a console-side log named `log_name`
    ({stamp} filled in); returns its pid and the log's path."""
    stamp = datetime.now(console_zone()).strftime("%Y%m%d-%H%M%S")
    log_path = settings.data_path("logs", "console", log_name.format(stamp=stamp) + ".log")
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(command, cwd=settings.home, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    # Reap the child when it ends, so that finished patrols leave no zombie behind.
    threading.Thread(target=proc.wait, name=f"patrol-{proc.pid}", daemon=True).start()
    log.info("%s started as pid %s (log %s)", what, proc.pid, log_path)
    return {"pid": proc.pid, "log": str(log_path)}
