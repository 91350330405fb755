"""A stand-in patrol process for scheduler tests (run through the `patrol_command` setting).

It keeps the contract of `patrol crawl --target` (patrols/service.py) in a few lines: takes the
lock patrol_lock(target) with an owner of patrols.locks (exit LOCKED if held), records its own PatrolRun
at start and end, fetches a page from a local test site, and leaves a line in a journal at its
start and end so that tests can see overlaps. Modes: ok, slow (holds for a second first, so
that patrols overlap), fail (dies with exit 5 without finishing its record), hang (waits
forever; stops on SIGTERM), stubborn (ignores SIGTERM too). `--mode @FILE` reads the mode from
FILE at start, so a test can change it between runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from findings import PatrolRun, open_store, utcnow  # noqa: E402
from patrols import exit_codes  # noqa: E402
from patrols.locks import new_owner, patrol_lock  # noqa: E402


def journal(path: str, *words: object) -> None:
    line = " ".join(str(w) for w in words) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--target", required=True)
    parser.add_argument("--trigger", default="manual")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--store-url", default="")
    parser.add_argument("--url", required=True)
    parser.add_argument("--journal", required=True)
    args = parser.parse_args()
    mode = Path(args.mode[1:]).read_text().strip() if args.mode.startswith("@") else args.mode

    store = open_store(args.store_url, data_dir=args.data_dir)
    run = PatrolRun(id=f"fake-{uuid.uuid4().hex[:12]}", target=args.target,
                    started_at=utcnow(), trigger=args.trigger)
    lock, owner = patrol_lock(args.target), new_owner("patrol", run.id)
    if not store.acquire_lock(lock, owner, 600):
        print(f"locked by {store.lock_holder(lock)}", file=sys.stderr, flush=True)
        return exit_codes.LOCKED
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    store.save_run(run)
    journal(args.journal, "start", args.target, run.id, time.time())
    print(f"fake patrol of {args.target}: mode {mode}", flush=True)
    if mode in ("hang", "stubborn"):
        print("hanging", flush=True)
        threading.Event().wait()
    if mode == "slow":
        threading.Event().wait(1.0)  # a patrol that takes a while (not a test wait)
    with urllib.request.urlopen(args.url, timeout=10) as response:
        body = response.read()
    print(f"fetched {args.url}: {len(body)} bytes", flush=True)
    journal(args.journal, "end", args.target, run.id, time.time())
    if mode == "fail":
        print("simulated crash", file=sys.stderr, flush=True)
        return 5
    run.pages, run.findings, run.status, run.ended_at = 1, 0, "ok", utcnow()
    run.stats = {"bytes": len(body)}
    store.save_run(run)
    store.release_lock(lock, owner)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
