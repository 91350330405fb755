"""`patrol platforms`: the campaign's ledger (台账) — list, show, add, classify, merge, rescore,
export and import the blacklist."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from common.text import clean, table
from common.timefmt import configured_zone, format_local
from platforms import CLASSES, KINDS, PlatformQuery, PlatformStore, open_ledger
from platforms.ledger import LedgerError, classify, lookup, merge, register, split
from platforms.model import EVENT_LABELS, LICENCE_LABELS, Platform


def when(app: Any, value: datetime | None) -> str:
    """A time in the configured time zone, empty for none."""
    return format_local(value, configured_zone(app.settings), empty="")


@contextmanager
def ledger_of(app: Any) -> Iterator[PlatformStore]:
    """The ledger, closed afterwards; a refused operation becomes a one-line error."""
    ledger = open_ledger(app.settings)
    try:
        yield ledger
    except LedgerError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        ledger.close()


def find(ledger: PlatformStore, key: str) -> Platform:
    """A platform by id, name, alias, operator or domain."""
    platform = lookup(ledger, key)
    if platform is None:
        raise click.ClickException(f"没有这个平台：{clean(key)[:80]}")
    return platform


def officer_departments(app: Any, name: str) -> tuple[str, ...] | None:
    """The departments of the console account `name` (None for an administrator): the
    command line decides as that officer, with the same department check as the console."""
    from console.ledger_access import officer_departments as departments_of
    from console.users import UserStore

    users = UserStore.from_settings(app.settings)
    try:
        user = users.get(name)
    finally:
        users.close()
    if user is None or user.disabled:
        raise click.ClickException(f"没有可用的控制台账号 {clean(name)[:40]}（--by 须为账号名）")
    return departments_of(app.settings, user.role)


@click.group(name="platforms")
def command() -> None:
    """平台台账：登记、评分、分类、合并、黑名单交换 (the campaign's ledger)."""


@command.command(name="list")
@click.option("--class", "klass", type=click.Choice(CLASSES), help="分类")
@click.option("--kind", type=click.Choice(KINDS), help="平台类别")
@click.option("--lead", help="牵头部门")
@click.option("--min-score", type=int, help="最低风险评分")
@click.option("--search", "text", help="名称、运营主体或域名包含")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table")
@click.pass_obj
def list_cmd(app: Any, klass: str | None, kind: str | None, lead: str | None,
             min_score: int | None, text: str | None, fmt: str) -> None:
    """列出平台 (list platforms, highest score first)."""
    with ledger_of(app) as ledger:
        items = ledger.query(PlatformQuery(classification=klass or "", kind=kind or "",
                                           lead=lead or "", min_score=min_score,
                                           text=text or "", limit=10000))
    if fmt == "jsonl":
        for p in items:
            click.echo(json.dumps(p.to_dict(), ensure_ascii=False))
        return
    rows = [[p.id, clean(p.name), p.kind, p.lead, p.score, p.proposed, p.classification,
             when(app, p.deadline), clean(" ".join(p.domains or p.targets))] for p in items]
    click.echo(table(["编号", "名称", "类别", "牵头部门", "评分", "建议", "分类", "整改期限",
                      "域名/巡查目标"], rows))
    click.echo(f"共 {len(items)} 个平台")


@command.command(name="show")
@click.argument("key")
@click.pass_obj
def show_cmd(app: Any, key: str) -> None:
    """显示一个平台：基本信息、评分理由、分类与历史 (show one platform)."""
    with ledger_of(app) as ledger:
        p = find(ledger, key)
        scores, classes, events = ledger.scores(p.id, 10), ledger.classifications(p.id), \
            ledger.events(p.id)
        products = ledger.products(p.id)
    echo = click.echo
    echo(f"{clean(p.name)}  [{p.id}]")
    for label, value in (("别名", "、".join(p.aliases)), ("运营主体", p.operator),
                         ("统一社会信用代码", p.credit_code), ("ICP 备案号", p.icp),
                         ("域名", " ".join(p.domains)), ("App", "、".join(p.apps)),
                         ("巡查目标", " ".join(p.targets)), ("类别", p.kind),
                         ("牵头部门", p.lead), ("持牌状态", LICENCE_LABELS.get(p.licence, p.licence)),
                         ("分类", p.classification), ("整改期限", when(app, p.deadline)),
                         ("合并入", p.merged_into or "")):
        if value:
            echo(f"  {label}：{clean(value)}")
    echo(f"\n风险评分 {p.score}（建议：{p.proposed}）")
    if scores:
        for r in scores[0].reasons:
            echo(f"  {r['points']:+d}  {clean(r['text'])}")
        echo("评分变化：" + "，".join(f"{when(app, s.at)} {s.score}" for s in reversed(scores)))
    if products:
        echo("\n产品：")
        for pr in products[:20]:
            extra = "，".join(x for x in (pr.term, f"{pr.minimum:.0f} 元起" if pr.minimum else "")
                             if x)
            echo(f"  {clean(pr.name)}  年化 {pr.annual_rate:.2f}%" + (f"（{extra}）" if extra else ""))
    posture = scores[0].posture if scores else {}
    if posture:
        from platforms.posture import Posture

        problems = Posture.from_dict(posture).findings()
        echo(f"\n安全状况（被动检查，{posture.get('pages', 0)} 个页面）："
             + ("；".join(problems) if problems else "未发现问题"))
    if classes:
        echo("\n分类记录：")
        for c in classes:
            deadline = f"，期限 {when(app, c.deadline)}" if c.deadline else ""
            echo(f"  {when(app, c.at)}  {c.classification}  {clean(c.by)}：{clean(c.reason)}"
                 f"{deadline}（评分 {c.score}，建议 {c.proposed}）")
    echo("\n历史：")
    for e in events:
        echo(f"  {when(app, e.at)}  {EVENT_LABELS.get(e.action, e.action)}  {clean(e.by)}  "
             f"{clean(json.dumps(e.detail, ensure_ascii=False))[:200]}")


@command.command(name="add")
@click.option("--name", required=True, help="平台名称")
@click.option("--operator", default="", help="运营主体（企业名称）")
@click.option("--credit-code", default="", help="统一社会信用代码（校验位会被核对）")
@click.option("--icp", default="", help="ICP 备案号")
@click.option("--domain", "domains", multiple=True, help="域名（可重复）")
@click.option("--app", "apps", multiple=True, help="App 名称（可重复）")
@click.option("--kind", type=click.Choice(KINDS), default=None)
@click.option("--by", default="cli", help="登记人")
@click.pass_obj
def add_cmd(app: Any, name: str, operator: str, credit_code: str, icp: str,
            domains: tuple[str, ...], apps: tuple[str, ...], kind: str | None, by: str) -> None:
    """登记或补充一个平台 (register a platform or add to its record)."""
    from platforms.ledger import load_licensed_names

    with ledger_of(app) as ledger:
        p, created = register(ledger, name=name, by=by, source="manual", operator=operator,
                              credit_code=credit_code, icp=icp, domains=domains, apps=apps,
                              kind=kind or "", licensed=load_licensed_names(app.settings))
    click.echo(f"{'已登记' if created else '已更新'} {clean(p.name)} [{p.id}]")


def _deadline(app: Any, value: str | None) -> datetime | None:
    if not value:
        return None
    from cli.findings import parse_since

    at = parse_since(value, configured_zone(app.settings))
    if at and len(value.strip()) == 10:       # a date alone: the end of that day
        at += timedelta(days=1, microseconds=-1)
    return at.astimezone(UTC) if at else None


@command.command(name="classify")
@click.argument("key")
@click.argument("classification", type=click.Choice(CLASSES))
@click.option("--reason", required=True, help="分类理由（必填）")
@click.option("--by", "by", required=True, help="作出决定的控制台账号（须属牵头部门或为管理员）")
@click.option("--deadline", help="整改期限（日期，北京时间；默认 ledger_rectify_days 天后）")
@click.pass_obj
def classify_cmd(app: Any, key: str, classification: str, reason: str, by: str,
                 deadline: str | None) -> None:
    """为平台分类：合规、整改、取缔、待定 (classify a platform, with a reason)."""
    departments = officer_departments(app, by)
    with ledger_of(app) as ledger:
        p = find(ledger, key)
        done = classify(ledger, p.id, classification, by=by, departments=departments,
                        reason=reason, deadline=_deadline(app, deadline),
                        rectify_days=app.settings["ledger_rectify_days"])
    extra = f"，整改期限 {when(app, done.deadline)}" if done.deadline else ""
    click.echo(f"{clean(done.name)} 已分类为 {done.classification}{extra}")


@command.command(name="merge")
@click.argument("keep")
@click.argument("other")
@click.option("--reason", required=True, help="合并理由（必填）")
@click.option("--by", default="cli", help="操作人")
@click.pass_obj
def merge_cmd(app: Any, keep: str, other: str, reason: str, by: str) -> None:
    """把 OTHER 合并进 KEEP（同一主体的两条记录）(merge two records of one business)."""
    with ledger_of(app) as ledger:
        kept = merge(ledger, find(ledger, keep).id, find(ledger, other).id, by, reason)
    click.echo(f"已合并入 {clean(kept.name)} [{kept.id}]；域名 {' '.join(kept.domains) or '无'}")


@command.command(name="split")
@click.argument("merged_id")
@click.option("--reason", required=True, help="拆分理由（必填）")
@click.option("--by", default="cli", help="操作人")
@click.pass_obj
def split_cmd(app: Any, merged_id: str, reason: str, by: str) -> None:
    """撤销合并：被合并的记录 MERGED_ID 恢复为独立平台 (undo a merge)."""
    with ledger_of(app) as ledger:
        kept, restored = split(ledger, merged_id, by, reason)
    click.echo(f"已拆分：{clean(restored.name)} [{restored.id}] 恢复为独立平台，"
               f"域名 {' '.join(restored.domains) or '无'}；{clean(kept.name)} [{kept.id}] 保留")


@command.command(name="rescore")
@click.pass_obj
def rescore_cmd(app: Any) -> None:
    """按当前发现重新评分全部平台 (score every platform again)."""
    from findings.open import store_from_settings
    from platforms.score import ScoreSettings, rescore

    cfg = ScoreSettings.from_settings(app.settings)
    store = store_from_settings(app.settings)
    try:
        with ledger_of(app) as ledger:
            items = ledger.query(PlatformQuery(limit=100_000))
            for p in items:
                rescore(ledger, store, p, cfg)
    finally:
        store.close()
    click.echo(f"已重新评分 {len(items)} 个平台")


@command.command(name="export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="输出文件（默认标准输出）")
@click.pass_obj
def export_cmd(app: Any, fmt: str, output: str | None) -> None:
    """导出黑名单：取缔及评分建议取缔的平台，附 SHA-256 (export the blacklist)."""
    from platforms.exchange import export_csv, export_json

    with ledger_of(app) as ledger:
        text, count = (export_json if fmt == "json" else export_csv)(ledger)
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        click.echo(f"已导出 {count} 个平台到 {output}", err=True)
    else:
        click.echo(text, nl=False)


@command.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", default="cli", help="操作人")
@click.option("--targets-out", type=click.Path(dir_okay=False),
              help="另写出这些平台域名的巡查目标（targets.yaml 格式，供技术支持审核后加入）")
@click.pass_obj
def import_cmd(app: Any, file: str, by: str, targets_out: str | None) -> None:
    """导入其他城市的黑名单（先核对 SHA-256）(import a blacklist; the hash must match)."""
    from platforms.exchange import ExchangeError, import_records, parse

    path = Path(file)
    try:
        records = parse(path.read_bytes())
        with ledger_of(app) as ledger:
            created, updated, problems = import_records(ledger, records, by, path.name)
    except ExchangeError as exc:
        raise click.ClickException(f"{path.name}：{exc}") from None
    for problem in problems:
        click.echo(f"  跳过 {clean(problem)}", err=True)
    click.echo(f"已导入：新增 {created}，更新 {updated}，跳过 {len(problems)}")
    if targets_out:
        from platforms.exchange import targets_yaml

        text, count = targets_yaml(records, path.name)
        Path(targets_out).write_text(text, encoding="utf-8")
        click.echo(f"已写出 {count} 个巡查目标到 {targets_out}（审核后加入 targets.yaml）")


@command.command(name="recheck")
@click.option("--as-of", "as_of", help="按此时间判断期限是否已过（日期，北京时间；演练用，默认现在）")
@click.option("--no-patrol", is_flag=True, help="不重新巡查，只按已有发现复查")
@click.pass_obj
def recheck_cmd(app: Any, as_of: str | None, no_patrol: bool) -> None:
    """整改期限已过的平台：重新巡查、重新评分，仍有发现则告警牵头部门 (recheck overdue 整改)."""
    from alerts.ledger import queue_overdue_rectification
    from findings.model import utcnow
    from findings.open import store_from_settings
    from platforms import Event
    from platforms.score import ScoreSettings, platform_findings, rescore

    settings = app.settings
    now = _deadline(app, as_of) if as_of else utcnow()
    cfg = ScoreSettings.from_settings(settings)
    store = store_from_settings(settings)
    try:
        with ledger_of(app) as ledger:
            due = ledger.due_rectifications(now)
            if not due:
                click.echo("没有整改期限已过的平台")
            for p in due:
                if not no_patrol:
                    _repatrol(settings, store, p)
                rescore(ledger, store, p, cfg)
                p = ledger.get(p.id) or p
                live = [f for f in platform_findings(store, p)
                        if f.status != "dismissed" and f.rule != "public_risk"]
                last = ledger.scores(p.id, 1)
                reasons = [r["text"] for r in last[0].reasons] if last else []
                queued = 0
                if live:
                    queued = queue_overdue_rectification(
                        store, settings, platform_id=p.id, name=p.name, lead=p.lead,
                        deadline=p.deadline or now, score=p.score, reasons=reasons,
                        finding_ids=[f.id for f in live])
                ledger.save(p, Event(p.id, utcnow(), "system", "rechecked",
                                     {"live_findings": len(live), "alerts_queued": queued,
                                      "score": p.score}))
                verdict = (f"仍有 {len(live)} 条在案发现，已告警 {p.lead}（新排队 {queued} 条）"
                           if live else "复查无在案发现，请牵头部门确认后改为合规")
                click.echo(f"{clean(p.name)}：{verdict}")
    finally:
        store.close()


def _repatrol(settings: Any, store: Any, platform: Platform) -> None:
    """Patrol the platform's targets again (its domains when it has no target)."""
    from crawler.targets import adhoc_target, load_targets
    from patrols.locks import PatrolLocked
    from patrols.service import patrol

    known = load_targets(settings.path("targets_file"))
    targets = [known[t] for t in platform.targets if t in known]
    if not targets and platform.domains:
        targets = [adhoc_target([f"http://{d}/" for d in platform.domains[:5]])]
    if not targets:
        click.echo(f"  {clean(platform.name)}：没有可巡查的目标或域名，按已有发现复查", err=True)
        return
    try:
        patrol(settings, store, targets, trigger="recheck", progress="log")
    except PatrolLocked as exc:
        click.echo(f"  {exc.target} 正在巡查中，按已有发现复查", err=True)
