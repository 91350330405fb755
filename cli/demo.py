"""`patrol demo`: start the bundled demo sites, patrol them, store, queue alerts, summarize."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import click

HIGHLIGHTS = (
    ("浏览器渲染页面上的发现", lambda f: bool(f.extra.get("rendered"))),
    ("GBK 编码页面（无字符集声明）上的发现", lambda f: f.source.endswith("/about.html")),
    ("仅在站点地图中列出的页面上的发现", lambda f: "/promo/" in f.source),
    ("从图片中识别出的发现（OCR）", lambda f: f.kind == "image"),
)


@click.command(name="demo")
@click.option("--serve", "serve_only", is_flag=True,
              help="Only serve the demo sites (until Ctrl-C), for `patrol crawl --target demo-*`.")
@click.pass_obj
def command(app: Any, serve_only: bool) -> None:
    """演示：启动内置演示站点并完成一次巡查（start demo sites, patrol them, queue alerts）."""
    from demo.server import start_sites, stop_sites

    settings = app.settings
    started = time.monotonic()
    sites = start_sites()
    try:
        click.echo("演示站点（均为虚构平台，仅监听 127.0.0.1）：")
        for site in sites:
            click.echo(f"  {site.name:10s} {site.url}")
        if serve_only:
            click.echo("按 Ctrl-C 停止。")
            threading.Event().wait()
        _patrol(settings, sites, started)
    finally:
        stop_sites(sites)


def _patrol(settings: Any, sites: list[Any], started: float) -> None:
    from crawler.summary import format_summary
    from demo.targets import demo_targets
    from findings.open import store_from_settings
    from patrols.service import patrol

    store = store_from_settings(settings)
    try:
        outcomes = patrol(settings, store, demo_targets(sites), trigger="demo", progress="log")
        click.echo("")
        for outcome in outcomes:
            click.echo(format_summary(outcome.run.target, outcome.run.stats, outcome.run.status))
        findings = [f for o in outcomes for f in _findings(store, o.report.finding_ids)]
        queued = sum(o.alerts_queued for o in outcomes)
        _report(settings, store, outcomes, findings, queued)
        _spikes(store, settings)
        _ledger(settings, [o.run.target for o in outcomes])
        _case_package(settings, store, findings)
        click.echo(f"\n演示用时 {time.monotonic() - started:.0f} 秒。")
    finally:
        store.close()


def _spikes(store: Any, settings: Any) -> None:
    """The demo forum's burst of posts about one platform raises the opinion room's alarm."""
    from alerts import check_spikes

    n = check_spikes(store, settings)
    click.echo(f"\n== 舆情激增告警：{n} 个平台 ==")
    if n:
        click.echo("  在控制台“舆情监测”中查看平台时间线和告警")


def _image_note(f: Any) -> str:
    """Where in the picture the words are, for a finding read by OCR."""
    if f.kind != "image" or not f.extra.get("box"):
        return ""
    x0, y0, x1, y1 = f.extra["box"]
    return (f"\n      图片文字“{f.extra.get('words', '')}”，位置 ({x0},{y0})–({x1},{y1})，"
            f"所在页面 {f.extra.get('page_url', '')}")


def _ledger(settings: Any, target_names: list[str]) -> None:
    """What the patrol registered and scored in the ledger, so the 平台台账 room has content."""
    from platforms import PlatformQuery, open_ledger
    from platforms.tips import make_tip

    with open_ledger(settings) as ledger:
        scored = [p for p in ledger.query(PlatformQuery(limit=10000))
                  if set(p.targets) & set(target_names)]
        # one tip from the public, as `patrol tips add` records it, so the 举报 queue has one
        if not any(t.source == "demo" for t in ledger.list_tips(limit=1000)):
            ledger.add_tip(make_tip(
                platform_name="聚财宝", source="demo",
                text="（演示举报）朋友圈有人推广聚财宝的理财，说“保本保息、年化18%”，"
                     "拉朋友投资还有奖励，想请有关部门核实。"))
    click.echo(f"\n== 平台台账：登记并评分 {len(scored)} 个平台 ==")
    for p in scored:
        click.echo(f"  {p.name}  评分 {p.score}  建议{p.proposed}  牵头部门 {p.lead}")
    click.echo("  查看：patrol platforms list，或控制台“平台台账”；演示举报见“举报”队列")


def _case_package(settings: Any, store: Any, findings: list[Any]) -> None:
    """End the demo the way a case ends: one package of the high-severity findings, checked."""
    from evidence.package import build_case
    from evidence.storage import open_storage
    from evidence.verify import verify_package

    echo = click.echo
    chosen = [f.id for f in findings if f.severity == "high"][:20] or [f.id for f in findings][:20]
    echo("\n== 案件证据包 ==")
    if not chosen:
        echo("  （本次没有发现，不生成证据包）")
        return
    out = settings.data_path("cases", "demo-case.zip")
    result = build_case(store, open_storage(settings), settings, chosen, out,
                        title="演示案件：高风险发现", actor="demo",
                        selection={"finding_ids": chosen, "from": "demo"})
    report = verify_package(result.path)
    echo(f"  已导出：{result.path}")
    echo(f"  {result.findings} 条发现、{result.captures} 份网页存档；清单 SHA-256 "
         f"{result.manifest_sha256[:16]}…")
    verdict = "核验通过" if report.ok else "核验失败：" + "；".join(report.problems[:3])
    echo(f"  {verdict}（patrol evidence verify {result.path}）")
    if not report.ok:
        raise click.ClickException("演示证据包核验失败")


def _findings(store: Any, ids: set[str]) -> list[Any]:
    return [f for f in (store.get_finding(i) for i in sorted(ids)) if f is not None]


def _report(settings: Any, store: Any, outcomes: list[Any], findings: list[Any],
            queued: int) -> None:
    echo = click.echo
    echo(f"\n== 发现汇总：共 {len(findings)} 条 ==")
    echo("按规则：")
    names = {f.rule: f.rule_name for f in findings}
    for rule, n in Counter(f.rule for f in findings).most_common():
        echo(f"  {names.get(rule) or rule}（{rule}）  {n}")
    echo("按牵头部门：")
    for lead, n in Counter(f.lead for f in findings).most_common():
        echo(f"  {lead}  {n}")
    for title, pick in HIGHLIGHTS:
        chosen = [f for f in findings if pick(f)]
        echo(f"{title}：{len(chosen)} 条")
        for f in chosen[:3]:
            echo(f"  [{f.rule}] {f.evidence} — {f.source}{_image_note(f)}")
    echo("\n== 证据（位于数据目录 " + str(settings.data_dir) + "）==")
    paths = sorted({p for o in outcomes for p in o.report.evidence_paths})
    warcs = [p for p in paths if p.endswith(".warc.gz")]
    for path in warcs[:6]:
        echo(f"  WARC 存档：{path}")
    echo(f"  共 {len(warcs)} 个 WARC 文件、{len(paths) - len(warcs)} 个截图和图片")
    echo(f"\n== 告警：本次新排队 {queued} 条 ==")
    from alerts import queued_by_department

    try:
        for department, kinds in sorted(queued_by_department(store, settings, findings).items()):
            detail = "，".join(f"{k} {v}" for k, v in sorted(kinds.items()))
            echo(f"  {department}：{detail}")
    except Exception as exc:  # noqa: BLE001 - the summary must not fail on a config problem
        echo(f"  （无法按部门统计：{exc}）")
    echo("  发送：patrol alerts send（或由调度器定时发送）")
    echo("\n== 查看结果 ==")
    echo(f"  启动控制台：patrol serve，然后在浏览器打开 {settings['console_base_url']}")
    from console.users import ensure_demo_account

    try:
        echo("  " + ensure_demo_account(settings).message())
    except Exception as exc:  # noqa: BLE001 - the accounts file cannot be written
        echo(f"  演示账号：请用 patrol users 创建（{type(exc).__name__}）")
