"""`patrol schedule`: run the scheduler, list its jobs, apply the schedules, patrol one target now."""

from __future__ import annotations

from datetime import datetime, tzinfo

import click

from common.text import display_width, pad
from common.timefmt import SECONDS, format_local
from common.vocabulary import RUN_STATUS_LABELS
from common.vocabulary import label as label_of
from patrols import exit_codes


def _quiet_apscheduler() -> None:
    """`list` and `sync` only open the job store; APScheduler's start/stop lines are noise."""
    import logging

    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _when(value: datetime | None, tz: tzinfo) -> str:
    return format_local(value, tz, SECONDS, empty="-")


@click.group(name="schedule", help="定时巡查：按 schedules 文件定时运行巡查（见 docs/scheduler.md）。")
def command() -> None:
    pass


@command.command("run")
@click.pass_obj
def run(app) -> None:  # type: ignore[no-untyped-def]
    """在前台运行调度器，直到收到 SIGTERM/SIGINT；SIGHUP 重新读取计划。"""
    from scheduler import PatrolScheduler

    PatrolScheduler(app.settings).serve()


@command.command("sync")
@click.pass_obj
def sync(app) -> None:  # type: ignore[no-untyped-def]
    """把 schedules 文件应用到任务库，并列出变化（运行中的调度器请改用 SIGHUP）。"""
    from scheduler import PatrolScheduler

    _quiet_apscheduler()
    service = PatrolScheduler(app.settings)
    try:
        service.open()
        report = service.sync()
    finally:
        service.close()
    for label, ids in (("新增", report.added), ("修改", report.changed), ("删除", report.removed)):
        for job_id in ids:
            click.echo(f"{label}  {job_id}")
    click.echo(f"计划已同步：新增 {len(report.added)}，修改 {len(report.changed)}，"
               f"删除 {len(report.removed)}，未变 {len(report.unchanged)}。")


@command.command("list")
@click.pass_obj
def list_jobs(app) -> None:  # type: ignore[no-untyped-def]
    """列出每个定时任务：计划、下次运行时间和上次结果。"""
    from scheduler import PatrolScheduler
    from scheduling.triggers import describe

    _quiet_apscheduler()
    service = PatrolScheduler(app.settings)
    try:
        service.open()
        stored = {job.id: job for job in service.jobs()}
        plan, tz = service.plan, service.plan.timezone
        rows = [("任务", "目标", "计划", "下次运行", "上次结果")]
        for job_id in sorted(stored.keys() | plan.jobs.keys()):
            job, planned = stored.get(job_id), plan.jobs.get(job_id)
            spec = planned.spec if planned else job.name
            kwargs = (planned.kwargs if planned else job.kwargs) or {}
            target = kwargs.get("target") or {"digest": "（告警摘要、舆情突增）",
                                              "send": "（告警发送）"}.get(kwargs.get("task"), "-")
            if job is None:
                upcoming = planned.trigger.get_next_fire_time(None, datetime.now(tz))
                nxt = f"{_when(upcoming, tz)}（未同步，启动或 SIGHUP 后生效）"
            elif planned is None:
                nxt = "已从计划删除（同步后不再运行）"
            elif planned.fingerprint != job.kwargs.get("fingerprint"):
                nxt = f"{_when(job.next_run_time, tz)}（计划已修改，待同步）"
            else:
                nxt = _when(job.next_run_time, tz) if job.next_run_time else "已暂停"
            last = "-"
            if kwargs.get("target"):
                runs = service.store.list_runs(kwargs["target"], limit=1)
                if runs:
                    r = runs[0]
                    last = (f"{label_of(RUN_STATUS_LABELS, r.status)} {_when(r.started_at, tz)}"
                            f"（页面 {r.pages}，问题 {r.findings}）")
            rows.append((job_id, target, describe(spec), nxt, last))
    finally:
        service.close()
    if len(rows) == 1:
        click.echo("没有定时任务（schedules 文件为空）。")
        return
    widths = [max(display_width(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [pad(c, w) for c, w in zip(row[:4], widths, strict=True)]
        click.echo("  ".join([*cells, row[4]]))


@command.command("now")
@click.argument("target")
@click.pass_obj
def now(app, target: str) -> None:  # type: ignore[no-untyped-def]
    """立即巡查一个目标（与定时巡查相同的规则：目标锁、时限、记录、故障告警）。"""
    from scheduler import run_once

    result = run_once(app.settings, target)
    run = result.run
    if run is None:
        if result.skipped.startswith("locked"):
            holder = result.skipped.removeprefix("locked by ")
            click.echo(f"patrol: 目标 {target} 正在巡查中（{holder}），本次未启动。", err=True)
            raise click.exceptions.Exit(exit_codes.LOCKED)
        raise click.ClickException(f"目标 {target} 的巡查未启动（{result.skipped}）")
    click.echo(f"巡查 {run.id}：{label_of(RUN_STATUS_LABELS, run.status)}，"
               f"页面 {run.pages}，问题 {run.findings}，日志 {run.log_path}")
    if run.status != "ok":
        raise click.exceptions.Exit(exit_codes.DEGRADED if run.status == "degraded"
                                    else exit_codes.FAILED)
