"""`patrol evidence`: export a case package, verify one, prune old evidence, replay the spool."""

from __future__ import annotations

import json
from pathlib import Path

import click

from common.text import clean
from findings import FindingQuery, utcnow, walk_findings


@click.group(name="evidence", help="证据管理：导出案件证据包、核验、按保存期限清理。")
def command() -> None:
    pass


def _store(app, store_url: str | None):
    from findings.open import store_from_settings

    return store_from_settings(app.settings, url=store_url)


def _storage(app):
    from evidence.storage import open_storage

    return open_storage(app.settings)


@command.command(name="export", help="把选定的发现及其证据导出为一个案件证据包（zip）。")
@click.option("--finding", "finding_ids", multiple=True, metavar="ID",
              help="发现编号（可重复）。")
@click.option("--platform", metavar="NAME",
              help="某平台的全部发现（平台编号、名称或域名；与台账平台页所列相同）。")
@click.option("--tip", "tip_receipt", metavar="RECEIPT",
              help="某条举报：举报本身，及其关联平台和所举报网址的发现。")
@click.option("--rule", "rules", multiple=True, metavar="RULE", help="按规则筛选（可重复）。")
@click.option("--target", "targets", multiple=True, metavar="NAME", help="按巡查对象筛选。")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["new", "confirmed", "dismissed", "forwarded"]),
              help="按审核状态筛选（可重复）。")
@click.option("--title", default="", help="案件名称，写入清单和 index.html。")
@click.option("--by", "actor", default="", help="导出人（写入清单）。")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="输出文件；默认 DATA_DIR/cases/<编号>.zip。")
@click.option("--limit", type=int, default=1000, show_default=True,
              help="按条件筛选时最多导出的发现数。")
@click.option("--store", "store_url", metavar="URL", help="Store to read instead of store_url.")
@click.pass_obj
def export(app, finding_ids, platform, tip_receipt, rules, targets, statuses, title, actor, out,
           limit, store_url) -> None:
    from evidence.package import build_case
    from evidence.storage import EvidenceError
    from platforms import open_ledger
    from platforms.cases import platform_case, tip_case

    by_query = bool(rules or targets or statuses)
    if not (finding_ids or platform or tip_receipt or by_query):
        raise click.UsageError("请用 --finding、--platform、--tip 或 --rule/--target/--status 选择发现")
    store = _store(app, store_url)
    try:
        ids = list(finding_ids)
        selection: dict = {"finding_ids": list(finding_ids)}
        tip = None
        if platform or tip_receipt:
            with open_ledger(app.settings) as ledger:
                if platform:
                    case = platform_case(store, ledger, platform, limit)
                    ids += case.finding_ids
                    selection.update(case.selection)
                    title = title or case.title
                if tip_receipt:
                    record = ledger.get_tip(tip_receipt.strip())
                    if record is None:
                        raise click.ClickException(f"没有这条举报：{clean(tip_receipt)[:60]}")
                    case = tip_case(store, ledger, record, limit)
                    ids += case.finding_ids
                    selection.update(case.selection)
                    title, tip = title or case.title, case.tip
        if by_query:
            query = FindingQuery(rules=list(rules), targets=list(targets),
                                 statuses=list(statuses))
            ids += [f.id for f in walk_findings(store, query, limit)]
            selection.update(rules=list(rules), targets=list(targets), statuses=list(statuses))
        if not ids and tip is None:
            raise click.ClickException("没有符合条件的发现")
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        path = Path(out) if out else app.settings.data_path("cases", f"case-{stamp}.zip")
        try:
            result = build_case(store, _storage(app), app.settings, ids, path, title=title,
                                actor=actor, selection=selection, tip=tip)
        except EvidenceError as exc:
            raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    click.echo(f"案件证据包：{result.path}")
    click.echo(f"  编号 {result.case_id}，{result.findings} 条发现，{result.captures} 份网页存档，"
               f"{'已加盖可信时间戳' if result.timestamped else '无时间戳（未配置 evidence_tsa_url）'}")
    click.echo(f"  清单 SHA-256：{result.manifest_sha256}")
    for warning in result.warnings:
        click.echo(f"  注意：{warning}")


@command.command(name="verify", help="核验案件证据包：每个文件的哈希、WARC 摘要、时间戳。")
@click.argument("package", type=click.Path(dir_okay=False))
@click.option("--tsa-ca", type=click.Path(dir_okay=False, exists=True),
              help="信任的时间戳机构根证书（PEM）；默认 evidence_tsa_ca_file。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def verify(app, package: str, tsa_ca: str | None, fmt: str) -> None:
    from evidence.verify import check_against_record, verify_package

    path = Path(package)
    if not path.is_file():
        raise click.ClickException(f"找不到文件：{package}")
    ca_path = Path(tsa_ca) if tsa_ca else (
        app.settings.path("evidence_tsa_ca_file") if app.settings["evidence_tsa_ca_file"]
        else None)
    try:
        ca_pem = ca_path.read_bytes() if ca_path else None
    except OSError as exc:
        raise click.ClickException(f"无法读取根证书 {ca_path}：{exc.strerror}") from None
    report = verify_package(path, ca_pem)
    if report.case_id:
        check_against_record(report, _case_record(app, report.case_id))
    if fmt == "json":
        click.echo(json.dumps({"ok": report.ok, "problems": report.problems,
                               "notes": report.notes, "files": report.files,
                               "findings": report.findings}, ensure_ascii=False, indent=1))
    else:
        for problem in report.problems:
            click.echo(f"不符：{problem}")
        for note in report.notes:
            click.echo(f"说明：{note}")
        if report.ok:
            click.echo(f"核验通过：{report.files} 个文件、{report.findings} 条发现，哈希与摘要全部一致。")
        else:
            click.echo(f"核验失败：{len(report.problems)} 处不符。")
    if not report.ok:
        raise click.exceptions.Exit(1)


def _case_record(app, case_id: str) -> dict | None:
    """This installation's record of an exported case, if it has one (and can reach it)."""
    import re

    from evidence.storage import EvidenceError

    if not re.fullmatch(r"case-[0-9TZ]+-[0-9a-f]+", case_id):
        return None
    try:
        storage = _storage(app)
        key = f"cases/{case_id}.json"
        return json.loads(storage.read(key)) if storage.exists(key) else None
    except (EvidenceError, ValueError):
        return None


@command.command(name="prune", help="清理超过保存期限（evidence_retention_days）的证据。")
@click.option("--dry-run", is_flag=True, help="只列出将被清理的文件。")
@click.option("--store", "store_url", metavar="URL", help="Store to read instead of store_url.")
@click.pass_obj
def prune_cmd(app, dry_run: bool, store_url: str | None) -> None:
    from evidence.retention import prune

    days = app.settings["evidence_retention_days"]
    if days <= 0:
        click.echo("evidence_retention_days 为 0：证据永久保存，不清理。")
        return
    store, storage = _store(app, store_url), _storage(app)
    try:
        storage.replay()
        result = prune(store, storage, app.settings, utcnow(), dry_run=dry_run)
    finally:
        store.close()
    verb = "将清理" if dry_run else "已清理"
    click.echo(f"{verb} {len(result.removed)} 个超过 {days} 天的证据文件；"
               f"因仍被待审/已确认/已转交的发现或已导出的案件需要而保留 {result.kept_protected} 个，"
               f"未到期 {result.kept_recent} 个。")
    for key in result.removed[:20]:
        click.echo(f"  {key}")


@command.command(name="sync", help="把本机暂存（对象存储不可达时）的证据上传。")
@click.pass_obj
def sync(app) -> None:
    storage = _storage(app)
    sent = storage.replay()
    left = storage.pending()
    click.echo(f"已上传 {sent} 个，仍暂存 {left} 个。")
    if left:
        raise click.exceptions.Exit(1)
