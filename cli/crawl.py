"""`patrol crawl`: patrol ad-hoc URLs or a configured target, then queue alerts."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from common.vocabulary import TARGET_KINDS
from patrols import exit_codes


@click.command(name="crawl")
@click.argument("urls", nargs=-1)
@click.option("--target", "target_name", metavar="NAME",
              help="Patrol a target of targets.yaml instead of URLs.")
@click.option("--store", "store_url", metavar="URL",
              help="Store: empty for the embedded SQLite file, sqlite:///PATH, http(s)://HOST:PORT.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Page limit of this run.")
@click.option("--depth", type=click.IntRange(min=0), help="Link depth from the start URLs.")
@click.option("--render", type=click.Choice(["auto", "always", "never"]),
              help="When to render pages with Chromium.")
@click.option("--kind", type=click.Choice(TARGET_KINDS), default="p2p",
              show_default=True, help="Kind of ad-hoc URLs (how the analyzers read them).")
@click.option("--untrusted", is_flag=True,
              help="The URLs come from outside (a tip): no start URL is exempt from the "
                   "address guard, so a host resolving to a private address is refused.")
@click.option("--trigger", type=click.Choice(["manual", "schedule", "demo", "tip", "recheck"]),
              default="manual", show_default=True, help="Who started this run (recorded with it).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--no-alerts", is_flag=True, help="Do not queue alerts for new findings.")
@click.option("--distributed", is_flag=True,
              help="Enqueue the run on the shared Redis frontier (redis_url) for the "
                   "`patrol worker` processes and wait for it to end.")
@click.pass_obj
def command(app: Any, urls: tuple[str, ...], target_name: str | None, store_url: str | None,
            max_pages: int | None, depth: int | None, render: str | None, kind: str,
            untrusted: bool, trigger: str, as_json: bool, no_alerts: bool,
            distributed: bool) -> None:
    """巡查网址或已配置的巡查目标（patrol URLs or a target of targets.yaml）.

    Exit status: 0 ok, 1 failed, 3 degraded (see the health checks), 75 target locked.
    """
    from dataclasses import replace

    from crawler.summary import format_summary
    from crawler.targets import adhoc_target, get_target
    from findings.open import store_from_settings
    from patrols.locks import PatrolLocked
    from patrols.service import patrol

    if bool(urls) == bool(target_name):
        raise click.UsageError("give either URLs or --target NAME")
    settings = app.with_options(store_url=store_url, crawl_max_pages=max_pages,
                                crawl_depth=depth, crawl_render=render)
    target = get_target(settings, target_name) if target_name else adhoc_target(list(urls), kind)
    # Command-line limits win over the target's own.
    target = replace(target, max_pages=max_pages or target.max_pages,
                     depth=depth if depth is not None else target.depth,
                     render=render or target.render,
                     tags=[*target.tags, "untrusted"] if untrusted else target.tags)
    if distributed and not settings["redis_url"]:
        raise click.UsageError("--distributed needs the redis_url setting (the shared frontier)")
    if distributed and no_alerts:
        raise click.UsageError("--no-alerts is not available with --distributed")
    store = store_from_settings(settings, url=store_url)
    try:
        progress = "tty" if sys.stderr.isatty() and not as_json else "log"
        try:
            if distributed:
                outcome = _distributed(settings, target, store, trigger)
            else:
                (outcome,) = patrol(settings, store, [target], trigger=trigger,
                                    progress=progress, queue_alerts=not no_alerts)
        except PatrolLocked as exc:
            click.echo(f"patrol: 拒绝巡查：目标 {exc.target} 正在由 {exc.holder or '另一进程'} "
                       "巡查，请等它结束后再试（patrol lock held）", err=True)
            raise click.exceptions.Exit(exit_codes.LOCKED) from None
        run = outcome.run
        if as_json:
            click.echo(json.dumps({"target": run.target, "run_id": run.id,
                                   "status": run.status, "alerts_queued": outcome.alerts_queued,
                                   "start_urls": outcome.target.start_urls,
                                   **run.stats}, ensure_ascii=False, sort_keys=True))
        else:
            click.echo(format_summary(run.target, run.stats, run.status))
            for verdict in outcome.verdicts:
                if not verdict.ok:
                    click.echo(f"  状况异常：{verdict.message}")
            click.echo(f"  已排队告警 {outcome.alerts_queued} 条；巡查记录 {run.id}")
    finally:
        store.close()
    if run.exit_code:
        raise click.exceptions.Exit(run.exit_code)


def _distributed(settings: Any, target: Any, store: Any, trigger: str) -> Any:
    """Enqueue the run for the workers and wait for its end (crawler.distributed); the
    finisher went through patrols.service.finish_run like any run."""
    from crawler.distributed.connection import SharedRedis
    from crawler.distributed.enqueue import enqueue_patrol, watch_run
    from patrols.health import Verdict
    from patrols.service import CrawlReport, PatrolOutcome

    shared = SharedRedis(settings["redis_url"])
    try:
        started = enqueue_patrol(settings, target, store, trigger, shared)
        click.echo(f"巡查任务 {started.run.id} 已进入共享队列，等待巡查工作进程完成……", err=True)
        run = watch_run(settings, store, shared, started.run.id)
    finally:
        shared.close()
    # The ledger lives in this data home (the scheduler's and the console's machine), not on
    # the workers' machines: its step for the run's target is taken here, as a patrol in one
    # process takes it after its run.
    from patrols.service import update_ledger

    update_ledger(settings, store, [started.target])
    return PatrolOutcome(
        target=started.target, run=run,
        report=CrawlReport(summary=run.stats, close_reason=run.stats.get("close_reason", "")),
        verdicts=[Verdict(**v) for v in run.stats.get("health", [])],
        alerts_queued=int(run.stats.get("alerts_queued", 0)))
