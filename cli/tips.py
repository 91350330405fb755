"""`patrol tips`: tips (举报) taken by telephone or letter, listed, and imported from files —
through the same checks as the public /tip page (no rate limit: officers enter these)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.platforms import ledger_of, when
from common.text import clean, table
from platforms.tips import TIP_STATUS_LABELS, TIP_STATUSES, TipRefused, make_tip

URL_COLUMNS = ("url", "网址", "链接")
NAME_COLUMNS = ("platform", "platform_name", "平台", "平台名称")
TEXT_COLUMNS = ("text", "内容", "举报内容", "情况")
CONTACT_COLUMNS = ("contact", "联系方式")


@click.group(name="tips")
def command() -> None:
    """举报：登记、列出、从文件导入 (tips from the public)."""


@command.command(name="add")
@click.option("--url", default="", help="网址")
@click.option("--platform", "platform_name", default="", help="平台名称")
@click.option("--text", required=True, help="举报内容")
@click.option("--contact", default="", help="联系方式")
@click.pass_obj
def add_cmd(app: Any, url: str, platform_name: str, text: str, contact: str) -> None:
    """登记一条举报（电话、信件）(record one tip)."""
    try:
        tip = make_tip(text=text, url=url, platform_name=platform_name, contact=contact,
                       source="cli")
    except TipRefused as exc:
        raise click.ClickException(str(exc)) from None
    with ledger_of(app) as ledger:
        ledger.add_tip(tip)
    click.echo(f"已受理，受理编号 {tip.receipt}")


@command.command(name="list")
@click.option("--status", type=click.Choice(TIP_STATUSES), help="状态")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.pass_obj
def list_cmd(app: Any, status: str | None, limit: int) -> None:
    """列出举报，最新在前 (list tips, newest first)."""
    with ledger_of(app) as ledger:
        tips = ledger.list_tips(status or "", limit)
    rows = [[t.receipt, when(app, t.at), TIP_STATUS_LABELS.get(t.status, t.status),
             clean(t.platform_name), clean(t.url), clean(t.text)] for t in tips]
    click.echo(table(["受理编号", "时间", "状态", "平台", "网址", "内容"], rows, max_width=30))
    click.echo(f"共 {len(tips)} 条")


def _pick(row: dict[str, Any], columns: tuple[str, ...]) -> str:
    for c in columns:
        if row.get(c) not in (None, ""):
            return str(row[c])
    return ""


@command.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_obj
def import_cmd(app: Any, file: str) -> None:
    """从 CSV、XLSX 或 JSON Lines 文件导入举报 (import tips from a file)."""
    from cli.enterprises import read_rows

    path = Path(file)
    accepted, problems = 0, []
    with ledger_of(app) as ledger:
        for line, row, problem in read_rows(path):
            if row is None:
                problems.append(f"第 {line} 行：{problem}")
                continue
            try:
                tip = make_tip(text=_pick(row, TEXT_COLUMNS), url=_pick(row, URL_COLUMNS),
                               platform_name=_pick(row, NAME_COLUMNS),
                               contact=_pick(row, CONTACT_COLUMNS), source=f"file:{path.name}")
            except TipRefused as exc:
                problems.append(f"第 {line} 行：{exc}")
                continue
            ledger.add_tip(tip)
            accepted += 1
    for p in problems[:50]:
        click.echo(f"  跳过 {clean(p)}", err=True)
    click.echo(f"已受理 {accepted} 条，跳过 {len(problems)} 条")
