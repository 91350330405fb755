"""`patrol findings` and `patrol store` on both backends: same output for the same data."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from findings import EvidenceFile, FindingQuery, PageRecord, Store, page_id

from .conftest import T0, StoreSpec, make_finding

# The developer's or CI's PATROL_* variables (PATROL_STORE_URL, TEST_SEARCHNODE, ...)
# are not this test's configuration: unset them for the command.
HERMETIC: dict[str, str | None] = {k: None for k in os.environ if k.startswith("PATROL_")}


def invoke(spec: StoreSpec, *args: str):
    """`patrol ...` in-process on the test's store (its data home and index prefix)."""
    prefix = spec.options.get("index_prefix")
    head = ["--data-dir", spec.data_dir] + (["--set", f"store_index_prefix={prefix}"]
                                             if prefix else [])
    return CliRunner().invoke(cli, [*head, *args], env=HERMETIC)


def run(spec: StoreSpec, *args: str) -> str:
    """`patrol ... --store URL`; returns stdout, fails on a non-zero exit."""
    result = invoke(spec, *args, "--store", spec.url)
    assert result.exit_code == 0, result.output
    return result.stdout


def seed(store: Store) -> list:
    page = PageRecord(id=page_id("run-1", "http://127.0.0.1:9/a.html"), url="http://127.0.0.1:9/a.html",
                      captured_at=T0, title="北江金服", text="本平台承诺保本保息",
                      evidence=[EvidenceFile("body", "evidence/ab.html.gz", "ab" * 32, 999)
                                .to_dict()])
    store.save_page(page)
    items = [
        make_finding(0, page_id=page.id, context_start=0, start=5, end=9,
                     context="本平台承诺保本保息，欢迎\x1b[2J投资"),
        make_finding(1, rule="promised_return", severity="medium", evidence="年化8%",
                     rule_name="承诺/夸大收益", lead="市金融局"),
        make_finding(2, evidence="=HYPERLINK(\"http://example.invalid\")", severity="low",
                     context="=HYPERLINK(\"http://example.invalid\")"),
    ]
    store.upsert_findings(items)
    return items


def test_listing_filters_and_formats(store_spec: StoreSpec, store: Store) -> None:
    items = seed(store)
    out = run(store_spec, "findings")
    assert out.splitlines()[0].split() == ["编号", "严重程度", "规则", "证据", "牵头部门", "状态",
                                           "最近发现", "来源"]
    assert "共 3 条发现，显示 3 条。" in out
    assert items[0].id in out and "\x1b" not in out
    out = run(store_spec, "findings", "--search", "保本")
    assert items[0].id in out and items[1].id not in out and "共 1 条发现" in out
    out = run(store_spec, "findings", "--rule", "promised_return", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [items[1].id]
    out = run(store_spec, "findings", "--severity", "high", "--severity", "low", "--format",
              "csv", "--limit", "1")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0][:3] == ["编号", "严重程度", "规则"] and len(table) == 2
    assert table[1][0] == items[2].id and table[1][3].startswith("'=")  # no formula
    assert run(store_spec, "findings", "--status", "confirmed") == "没有符合条件的发现。\n"
    assert "共 3 条" in run(store_spec, "findings", "--since", "2026-03-02")
    assert "没有符合" in run(store_spec, "findings", "--since", "2026-03-03T00:00")


def test_xlsx_export(store_spec: StoreSpec, store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    items = seed(store)
    target = tmp_path / "out.xlsx"
    run(store_spec, "findings", "--format", "xlsx", "--output", str(target), "--sort", "severity")
    sheet = load_workbook(target).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "编号" and [r[0] for r in values[1:]] == [
        items[0].id, items[1].id, items[2].id]
    evidence = sheet.cell(row=4, column=4)   # a text cell, never a formula (as in the console)
    assert evidence.value.startswith("=") and evidence.data_type == "s"


def add_account(spec: StoreSpec, name: str, role: str) -> None:
    """A console account in the test's data home (the CLI decides as that account)."""
    from console.users import UserStore

    users = UserStore(Path(spec.data_dir, "console", "users.sqlite3"))
    try:
        users.add(name, role, "correct-horse-42")
    finally:
        users.close()


def test_show_and_review(store_spec: StoreSpec, store: Store) -> None:
    items = seed(store)
    fid = items[0].id
    add_account(store_spec, "张三", "finance")
    out = run(store_spec, "findings", "review", fid, "--decision", "forwarded", "--to",
              "市工商局", "--by", "张三", "--note", "请核查")
    assert out == f"已记录：张三 转交发现 {fid}，当前状态：已转交(市工商局)\n已排队转交通知。\n"
    out = run(store_spec, "findings", "show", fid)
    assert "证据（上下文）：\n  本平台承诺【保本保息】，欢迎[2J投资" in out  # the ESC removed
    assert "evidence/ab.html.gz" in out and "999 字节" in out
    assert re.search(r"审核记录：\n  2026-\S+ \S+  张三  转交 → 市工商局：请核查", out)
    assert "\x1b" not in out
    result = invoke(store_spec, "findings", "show", "0" * 24, "--store", store_spec.url)
    assert result.exit_code == 1 and "没有编号为" in result.output
    post = make_finding(30, kind="post", rule="public_risk", posted_at=T0 - timedelta(days=400))
    store.upsert_findings([post])
    out = run(store_spec, "findings", "show", post.id)
    assert re.search("发帖时间\u3000*：2025-01-26 16:00", out)  # T0 - 400 days, China time
    result = invoke(store_spec, "findings", "review", fid, "--decision", "forwarded", "--by",
                    "张三", "--store", store_spec.url)
    assert result.exit_code == 2 and "--to" in result.output


def test_review_checks_account_department_and_reason(store_spec: StoreSpec,
                                                     store: Store) -> None:
    items = seed(store)
    fid = items[0].id  # lead 市金融局
    add_account(store_spec, "李四", "opinion")
    add_account(store_spec, "王五", "finance")

    def review(*args: str):
        return invoke(store_spec, "findings", "review", fid, *args, "--store", store_spec.url)

    result = review("--decision", "confirmed", "--by", "无此人")
    assert result.exit_code == 1 and "不是可审核的控制台账号" in result.output
    result = review("--decision", "dismissed", "--by", "李四", "--note", "误报")
    assert result.exit_code == 1 and "无权处理" in result.output
    result = review("--decision", "dismissed", "--by", "王五")
    assert result.exit_code == 1 and "排除需要填写理由" in result.output
    assert store.get_finding(fid).status == "new" and store.decisions(fid) == []
    result = review("--decision", "forwarded", "--to", "市公安局", "--by", "王五")
    assert result.exit_code == 0 and "已排队转交通知" in result.output
    forwards = store.list_alerts(kind="forward")
    assert forwards and all(a.finding_ids == [fid] for a in forwards)
    assert {a.department for a in forwards} == {"public_security"}
    assert review("--decision", "confirmed", "--by", "王五").exit_code == 0
    result = review("--decision", "dismissed", "--by", "王五", "--note", "改判")
    assert result.exit_code == 1 and "已处理" in result.output
    assert review("--decision", "reopened", "--by", "王五").exit_code == 0
    with store_spec.open() as fresh:  # a new store sees other processes' writes (cluster: refresh)
        assert fresh.get_finding(fid).status == "new"
        assert [d.decision for d in fresh.decisions(fid)] == ["forwarded", "confirmed",
                                                              "reopened"]


def test_store_migrate_and_stats(store_spec: StoreSpec, store: Store) -> None:
    seed(store)
    assert run(store_spec, "store", "migrate").startswith("存储已就绪：")
    out = run(store_spec, "store", "stats")
    assert "发现：3 条（仍在页面上 3 条）" in out and "页面：1" in out
    data = json.loads(run(store_spec, "store", "stats", "--format", "json"))
    assert data["findings"] == 3 and data["by_rule"]["guaranteed_principal"] == 2


def test_reindex_keeps_search_working(store_spec: StoreSpec, store: Store) -> None:
    items = seed(store)
    assert run(store_spec, "store", "reindex") == "已重建全文索引：4 条记录\n"  # 3 findings, 1 page
    out = run(store_spec, "findings", "--search", "保本", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [items[0].id]


@pytest.mark.searchnode
def test_sync_copies_sqlite_to_the_cluster_idempotently(search_node: Any, cluster_prefix: str,
                                                         tmp_path: Path) -> None:
    from findings import Decision, open_store
    from findings.cluster.admin import clear_prefix

    clear_prefix(search_node.url, cluster_prefix)
    sqlite_url = f"sqlite:///{tmp_path / 'local.sqlite3'}"
    with open_store(sqlite_url) as local:
        items = seed(local)
        local.review(Decision(items[1].id, "confirmed", "张三", T0))
        local.mark_gone(items[2].source, set(), T0)
    head = ["--data-dir", str(tmp_path), "--set", f"store_index_prefix={cluster_prefix}"]
    for _ in range(2):  # the second run overwrites, it does not double
        result = CliRunner().invoke(cli, [*head, "store", "sync", "--from", sqlite_url,
                                          "--to", search_node.url], env=HERMETIC)
        assert result.exit_code == 0, result.output
        assert result.stdout == (f"已同步到 {search_node.url}：发现 3 条，页面 1 条，"
                                 "审核记录 1 条，巡查记录 0 条，告警 0 条\n")
    with open_store(search_node.url, data_dir=tmp_path, index_prefix=cluster_prefix) as remote, \
            open_store(sqlite_url) as local:
        for f in items:
            assert remote.get_finding(f.id) == local.get_finding(f.id)
        assert remote.decisions(items[1].id) == local.decisions(items[1].id)
        assert remote.query_findings(FindingQuery(text="保本")).total == 1
        assert remote.stats()["decisions"] == 1
