"""`patrol worker`: crawl the distributed patrol runs of the shared Redis frontier."""

from __future__ import annotations

from typing import Any

import click


@click.command(name="worker")
@click.option("--store", "store_url", metavar="URL",
              help="Store: empty for the embedded SQLite file, sqlite:///PATH, http(s)://HOST:PORT.")
@click.option("--max-runs", type=click.IntRange(min=1),
              help="Exit after taking part in this many runs.")
@click.option("--idle-exit", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Exit after this many seconds without a run to work on.")
@click.pass_obj
def command(app: Any, store_url: str | None, max_runs: int | None,
            idle_exit: float | None) -> None:
    """巡查工作进程：从共享 Redis 队列领取巡查任务（a patrol worker on the Redis frontier）."""
    from crawler.distributed.worker import run_worker
    from findings.open import store_from_settings

    settings = app.with_options(store_url=store_url)
    if not settings["redis_url"]:
        raise click.UsageError("patrol worker needs the redis_url setting (the shared frontier)")
    store = store_from_settings(settings, url=store_url)
    try:
        taken = run_worker(settings, store, max_runs=max_runs, idle_exit=idle_exit)
    finally:
        store.close()
    click.echo(f"巡查工作进程结束，参与巡查任务 {taken} 个", err=True)
