"""`patrol alerts`: the alert outbox: list, send, test a department's channels, retry, digest."""

from __future__ import annotations

from datetime import datetime

import click

from common.text import clean
from common.timefmt import format_local, zone
from common.vocabulary import ALERT_KIND_LABELS as KIND_TEXT
from common.vocabulary import ALERT_OUTCOME_LABELS as OUTCOME_TEXT
from common.vocabulary import ALERT_STATUS_LABELS as STATUS_TEXT
from patrols import exit_codes


def _open(app, store_url: str | None):  # type: ignore[no-untyped-def]
    from alerts import load_directory
    from findings.open import store_from_settings

    settings = app.with_options(store_url=store_url)
    directory = load_directory(settings)   # refuse a bad departments file before anything else
    return settings, directory, store_from_settings(settings)


def _when(value: datetime | None, tz_name: str) -> str:
    return format_local(value, zone(tz_name), "%m-%d %H:%M:%S", empty="-")


def _echo_report(report, directory) -> None:  # type: ignore[no-untyped-def]
    for r in report.results:
        click.echo(f"[{OUTCOME_TEXT.get(r['outcome'], r['outcome'])}] "
                   f"{directory.name(r['department'])}/{r['channel']}  {r['id']}  {r['detail']}")
    click.echo(report.summary())


store_option = click.option("--store", "store_url", help="Store URL (default: store_url setting).")


@click.group(name="alerts", help="告警：发件箱列表、发送、测试部门渠道、重试、汇总、舆情突增检查。")
def command() -> None:
    pass


@command.command("list")
@click.option("--status", type=click.Choice(["pending", "sent", "dead"]), help="Only this status.")
@click.option("--department", help="Only this department (id or Chinese name).")
@click.option("--kind", type=click.Choice(sorted(KIND_TEXT)), help="Only this kind.")
@click.option("--limit", default=50, show_default=True, help="Most alerts listed.")
@store_option
@click.pass_obj
def list_alerts(app, status: str | None, department: str | None, kind: str | None, limit: int,
                store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """列出发件箱中的告警（最新的在前）。"""
    settings, directory, store = _open(app, store_url)
    dept_id = None
    if department:
        dept = directory.get(department)
        if dept is None:
            raise click.ClickException(f"没有这个部门：{department}")
        dept_id = dept.id
    with store:
        rows = store.list_alerts(status=status, department=dept_id, kind=kind, limit=limit)
    tz = settings["time_zone"]
    for a in rows:
        click.echo(f"{a.id}  {STATUS_TEXT.get(a.status, a.status)}  "
                   f"{KIND_TEXT.get(a.kind, a.kind)}  {directory.name(a.department)}/{a.channel}  "
                   f"尝试{a.attempts}次  {_when(a.created_at, tz)}  {clean(a.subject)}"
                   + (f"  错误：{a.last_error[:80]}" if a.last_error and a.status != "sent" else ""))
    click.echo(f"共 {len(rows)} 条。")


@command.command("send")
@click.option("--dry-run", is_flag=True, help="Print the due alerts instead of sending them.")
@store_option
@click.pass_obj
def send(app, dry_run: bool, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """运行一次发送：投递所有到期的告警（失败的按退避重试）。"""
    from alerts import Sender

    settings, directory, store = _open(app, store_url)
    with store:
        report = Sender(store, settings, echo=click.echo, dry_run=dry_run or None).run()
    _echo_report(report, directory)
    if report.busy:
        raise click.exceptions.Exit(exit_codes.LOCKED)  # another sender is running


@command.command("test")
@click.argument("department")
@store_option
@click.pass_obj
def test(app, department: str, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """向部门的每个渠道发送一条测试消息（DEPARTMENT：部门编号或中文名称）。"""
    from alerts import send_test

    settings, directory, store = _open(app, store_url)
    if directory.get(department) is None:
        known = "、".join(f"{d.id}（{d.name}）" for d in directory.departments.values())
        raise click.ClickException(f"没有这个部门：{department}。可选：{known}")
    with store:
        report = send_test(settings, store, department, echo=click.echo)
    _echo_report(report, directory)
    if report.dead or report.retried:
        raise click.exceptions.Exit(exit_codes.FAILED)


@command.command("retry")
@click.argument("alert_id")
@store_option
@click.pass_obj
def retry(app, alert_id: str, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """把一条发送失败（或待发送）的告警重新放回队列并立即发送。"""
    from alerts import Sender
    from findings import utcnow
    from findings.model import to_iso

    settings, directory, store = _open(app, store_url)
    with store:
        alert = store.get_alert(alert_id)
        if alert is None:
            raise click.ClickException(f"没有这条告警：{alert_id}")
        if alert.status == "sent":
            raise click.ClickException("这条告警已经发送，不再重发。")
        alert.attempt_log.append({"at": to_iso(utcnow()), "outcome": "requeued",
                                  "detail": f"by command after {alert.attempts} attempts"})
        alert.status, alert.attempts, alert.next_attempt_at = "pending", 0, None
        store.update_alert(alert)
        report = Sender(store, settings, echo=click.echo).send_alerts([alert.id])
    _echo_report(report, directory)


@command.command("digest")
@click.option("--force", is_flag=True, help="Send digests now, even if one went out in this period.")
@store_option
@click.pass_obj
def digest(app, force: bool, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """把各部门待汇总的中低风险线索汇总成一条消息放入发件箱。"""
    from alerts import run_digest

    settings, _directory, store = _open(app, store_url)
    with store:
        n = run_digest(store, settings, force=force)
    click.echo(f"已生成汇总告警 {n} 条（用 patrol alerts send 发送）。")


@command.command("spikes")
@store_option
@click.pass_obj
def spikes(app, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """检查各平台舆情风险帖文是否突增，突增则向宣传部、网信办发出预警。"""
    from alerts import check_spikes

    settings, _directory, store = _open(app, store_url)
    with store:
        n = check_spikes(store, settings)
    click.echo(f"舆情突增平台 {n} 个。" if n else "未发现舆情突增。")


@command.command("departments")
@click.pass_obj
def departments(app) -> None:  # type: ignore[no-untyped-def]
    """列出部门、渠道和路由（并检查 departments 文件）。"""
    from alerts import load_directory

    directory = load_directory(app.settings)
    for d in directory.departments.values():
        chans = "，".join(f"{c.id}（{c.type}）" for c in d.channels) or "无渠道"
        mark = "（技术支撑）" if d.id == directory.support else ""
        click.echo(f"{d.id:<26} {d.name}{mark}：{chans}")
    click.echo(f"路由 {len(directory.routes)} 条，文件 {directory.path}")
