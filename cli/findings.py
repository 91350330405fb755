"""`patrol findings`: list and filter findings, show one with its evidence, record a review."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta, tzinfo

import click

from findings import FindingQuery, Store, utcnow, walk_findings
from findings.model import DECISIONS, SEVERITIES, STATUSES

FORMATS = ("table", "jsonl", "csv", "xlsx")


def parse_since(value: str | None, tz: tzinfo | None = None) -> datetime | None:
    """7d, 12h, 30m, or a date/time (2026-03-01, 2026-03-01T08:00; in `tz`, the configured
    time zone, if it names none)."""
    if not value:
        return None
    match = re.fullmatch(r"(\d+)\s*([dhm])", value.strip())
    if match:
        n, unit = int(match.group(1)), match.group(2)
        return utcnow() - timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: n})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise click.BadParameter(f"无法识别的时间：{value}（例如 7d、12h、2026-03-01）") from exc
    if when.tzinfo is None:
        from common.timefmt import DEFAULT_TIME_ZONE, zone

        when = when.replace(tzinfo=tz or zone(DEFAULT_TIME_ZONE))
    return when.astimezone(UTC)


def open_from(app, store_url: str | None) -> Store:
    from findings.open import store_from_settings

    return store_from_settings(app.settings, url=store_url)


store_option = click.option("--store", "store_url", metavar="URL",
                            help="Store to use instead of the store_url setting.")


@click.group(name="findings", invoke_without_command=True)
@click.option("--rule", "rules", multiple=True, help="Rule id (repeatable).")
@click.option("--severity", "severities", multiple=True, type=click.Choice(SEVERITIES))
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES))
@click.option("--lead", "leads", multiple=True, help="Lead department (repeatable).")
@click.option("--domain", "domains", multiple=True)
@click.option("--target", "targets", multiple=True)
@click.option("--since", help="Last seen since: 7d, 12h, or a date/time (Beijing time).")
@click.option("--search", "text", help="Chinese full-text search over evidence and context.")
@click.option("--live", is_flag=True, help="Leave out findings no longer on their page.")
@click.option("--sort", type=click.Choice(["newest", "severity"]), default="newest")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table")
@click.option("--limit", type=int, default=50, show_default=True,
              help="Most findings to list (0: all).")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file instead of standard output (needed for xlsx on a "
                   "terminal).")
@store_option
@click.pass_context
def command(ctx: click.Context, rules, severities, statuses, leads, domains, targets, since,
            text, live, sort, fmt, limit, output, store_url) -> None:
    """巡查发现：列出、筛选、查看与审核 (list, filter, show and review findings)."""
    if ctx.invoked_subcommand:
        return
    from common.timefmt import configured_zone
    from findings import export

    tz = configured_zone(ctx.obj.settings)
    query = FindingQuery(rules=list(rules), severities=list(severities),
                         statuses=list(statuses), leads=list(leads), domains=list(domains),
                         targets=list(targets), since=parse_since(since, tz), text=text,
                         include_gone=not live, sort=sort)
    if fmt == "xlsx" and not output and sys.stdout.isatty():
        raise click.UsageError("xlsx 格式请用 --output 指定文件")
    with open_from(ctx.obj, store_url) as store:
        info: dict = {}
        items = walk_findings(store, query, limit, info)
        if fmt == "table":
            found = list(items)
            total = info.get("total", len(found))
            text_out = export.findings_table(found, tz)
            summary = f"共 {total} 条发现，显示 {len(found)} 条。"
            _emit(text_out + "\n" + summary + "\n" if found else "没有符合条件的发现。\n", output)
        elif fmt == "xlsx":
            data, n = export.xlsx_bytes(items, tz)
            if output:
                with open(output, "wb") as fh:
                    fh.write(data)
                click.echo(f"已导出 {n} 条发现到 {output}", err=True)
            else:
                sys.stdout.buffer.write(data)
        else:
            def writer(out):
                return (export.write_jsonl(items, out) if fmt == "jsonl"
                        else export.write_csv(items, out, tz))

            if output:
                with open(output, "w", encoding="utf-8", newline="") as fh:
                    n = writer(fh)
                click.echo(f"已导出 {n} 条发现到 {output}", err=True)
            else:
                writer(sys.stdout)


def _emit(text: str, output: str | None) -> None:
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


@command.command("show")
@click.argument("finding_id")
@store_option
@click.pass_obj
def show(app, finding_id: str, store_url: str | None) -> None:
    """Show one finding: evidence in context, evidence files, history."""
    from common.timefmt import configured_zone
    from findings.show import render_finding

    with open_from(app, store_url) as store:
        finding = store.get_finding(finding_id)
        if finding is None:
            raise click.ClickException(f"没有编号为 {finding_id} 的发现")
        page = store.get_page(finding.page_id) if finding.page_id else None
        click.echo(render_finding(finding, page, store.decisions(finding.id),
                                  color=sys.stdout.isatty(), tz=configured_zone(app.settings)))


@command.command("review")
@click.argument("finding_id")
@click.option("--decision", required=True, type=click.Choice(DECISIONS))
@click.option("--to", "to", metavar="DEPT", help="Department, for --decision forwarded.")
@click.option("--by", "by", required=True, metavar="NAME",
              help="Who decides: a console account with the review role (its department "
                   "decides).")
@click.option("--note", default="", help="Comment kept in the audit log (the reason of a "
                                          "dismissal: required).")
@store_option
@click.pass_obj
def review(app, finding_id: str, decision: str, to: str | None, by: str, note: str,
           store_url: str | None) -> None:
    """Record a review decision (the same checks as the console: department, reason)."""
    import decisions
    from common.vocabulary import DECISION_LABELS
    from console.roles import allowed, reviewer
    from console.users import UserStore, users_path
    from findings.export import status_label

    if decision == "forwarded" and not to:
        raise click.UsageError("转交须用 --to 指定部门")
    account = None
    if users_path(app.settings).is_file():
        users = UserStore.from_settings(app.settings)
        try:
            account = users.get(by)
        finally:
            users.close()
    if account is None or account.disabled or not allowed(account.role, "review"):
        raise click.ClickException(f"{by} 不是可审核的控制台账号（用 patrol users add 添加，"
                                   "角色须为 commerce、finance、opinion 或 admin）")
    with open_from(app, store_url) as store:
        try:
            outcome = decisions.decide(app.settings, store, reviewer(app.settings, account.name, account.role),
                                       finding_id, decision, note=note, to=to)
        except decisions.DecisionError as exc:
            raise click.ClickException(str(exc)) from exc
    finding = outcome.finding
    click.echo(f"已记录：{by} {DECISION_LABELS[decision]}发现 {finding.id}，"
               f"当前状态：{status_label(finding)}")
    if decision == "forwarded":
        click.echo("已排队转交通知。" if outcome.alert_queued else
                   f"转交通知未排队（{outcome.alert_error or '此前已通知该部门'}）。")
