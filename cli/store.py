"""`patrol store`: create or migrate the store, copy SQLite to a cluster, show what it holds."""

from __future__ import annotations

import json

import click

from common.vocabulary import ALERT_STATUS_LABELS, FINDING_STATUS_LABELS, label

store_option = click.option("--store", "store_url", metavar="URL",
                            help="Store to use instead of the store_url setting.")

KIND_LABELS = {"findings": "发现", "pages": "页面", "decisions": "审核记录", "runs": "巡查记录",
               "alerts": "告警"}


@click.group(name="store", help="存储管理 (migrate, sync to a cluster, statistics).")
def command() -> None:
    pass


@command.command("migrate")
@store_option
@click.pass_obj
def migrate(app, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """Create the store, or bring its schema / index templates up to date (idempotent)."""
    from findings.open import store_from_settings

    with store_from_settings(app.settings, url=store_url) as store:  # open_store migrates
        version = getattr(store, "schema_version", None)
        detail = f"（模式版本 {version()}）" if callable(version) else ""
        click.echo(f"存储已就绪：{store.url}{detail}")


@command.command("sync")
@click.option("--from", "source_url", metavar="URL",
              help="SQLite store to copy (default: the store under the data directory).")
@click.option("--to", "dest_url", required=True, metavar="URL",
              help="Cluster to copy to, http(s)://HOST:PORT.")
@click.pass_obj
def sync(app, source_url: str | None, dest_url: str) -> None:  # type: ignore[no-untyped-def]
    """Copy every record of an SQLite store to an Elasticsearch/OpenSearch cluster."""
    from findings.cluster import ClusterStore
    from findings.open import store_from_settings
    from findings.sqlite import SQLiteStore
    from findings.sync import sync as run_sync

    with store_from_settings(app.settings, url=source_url or "") as source, \
            store_from_settings(app.settings, url=dest_url) as dest:
        if not isinstance(source, SQLiteStore):
            raise click.UsageError("--from 须为 SQLite 存储（sqlite:///路径，或留空用数据目录）")
        if not isinstance(dest, ClusterStore):
            raise click.UsageError("--to 须为 Elasticsearch/OpenSearch 地址 http(s)://主机:端口")
        copied = run_sync(source, dest)
        if dest.pending():
            raise click.ClickException(f"集群不可达，{dest.pending()} 项写入已暂存于本地，"
                                       "集群恢复后重新运行本命令")
    parts = "，".join(f"{KIND_LABELS[k]} {n} 条" for k, n in copied.items())
    click.echo(f"已同步到 {dest_url}：{parts}")


@command.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@store_option
@click.pass_obj
def stats(app, fmt: str, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """What the store holds: findings by status and rule, pages, runs, alerts."""
    from findings.open import store_from_settings

    with store_from_settings(app.settings, url=store_url) as store:
        data = store.stats()
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    lines = [f"存储：{data['url']}（{data['backend']}）",
             f"发现：{data['findings']} 条（仍在页面上 {data['live']} 条）"]
    lines += [f"  {label(FINDING_STATUS_LABELS, k)}：{n}" for k, n in data["by_status"].items()]
    lines.append("按规则：")
    lines += [f"  {k}：{n}" for k, n in data["by_rule"].items()]
    lines.append(f"页面：{data['pages']}  巡查记录：{data['runs']}  审核记录：{data['decisions']}")
    alerts = "，".join(f"{label(ALERT_STATUS_LABELS, k)} {n}" for k, n in data["alerts"].items())
    lines.append(f"告警：{alerts or '无'}")
    if "schema_version" in data:
        lines.append(f"模式版本：{data['schema_version']}  文件大小：{data['file_bytes']} 字节")
    if "spool_pending" in data:
        lines.append(f"本地暂存待写入：{data['spool_pending']}  被集群拒收的文档："
                     f"{data['rejected']}")
    click.echo("\n".join(lines))


@command.command("reindex")
@store_option
@click.pass_obj
def reindex(app, store_url: str | None) -> None:  # type: ignore[no-untyped-def]
    """Rebuild the Chinese full-text index (after the segmentation words changed)."""
    from findings.open import store_from_settings

    with store_from_settings(app.settings, url=store_url) as store:
        n = store.rebuild_search_index()
    click.echo(f"已重建全文索引：{n} 条记录")
