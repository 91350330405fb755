"""`patrol enterprises FILE`: restricted words (plan 三(一)) in enterprise names and scopes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cli.analyze import table_header, table_rows

# Column names accepted for each field (exports from registries use Chinese headers).
NAME_COLUMNS = ("name", "企业名称", "名称", "公司名称", "市场主体名称")
SCOPE_COLUMNS = ("scope", "经营范围", "业务范围")
ID_COLUMNS = ("id", "统一社会信用代码", "注册号", "编号")


def _pick(row: dict[str, Any], columns: tuple[str, ...]) -> Any:
    for c in columns:
        if c in row and row[c] not in (None, ""):
            return row[c]
    return None


def _rows_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # registry exports from Windows tools are often GBK
    reader = csv.DictReader(text.splitlines())
    for i, row in enumerate(reader, 2):  # line 1 is the header
        yield i, {(k or "").strip(): v for k, v in row.items()}, ""


def _rows_xlsx(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    keys = [str(h).strip() if h is not None else "" for h in header]
    for i, values in enumerate(rows, 2):
        if values is None or all(v is None for v in values):
            continue
        yield i, {k: ("" if v is None else str(v)) for k, v in zip(keys, values, strict=False)}, ""
    wb.close()


def _rows_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    with path.open(encoding="utf-8-sig") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield i, None, f"not valid JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield i, None, "expected a JSON object"
                continue
            yield i, row, ""


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line or row number, record or None, problem) for a CSV, XLSX or JSON Lines file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _rows_xlsx(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _rows_jsonl(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _rows_csv(path)
    raise click.ClickException(f"{path}: unknown file type {suffix!r} (expected .csv, .xlsx or "
                               ".jsonl)")


@click.command(name="enterprises")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--licensed", type=click.Path(dir_okay=False),
              help="Exact names of licensed institutions, one per line (default: the "
                   "licensed_file setting).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl",
              show_default=True)
@click.pass_obj
def command(app: Any, file: str, licensed: str | None, fmt: str) -> None:
    """检查企业名称和经营范围中的限制字样（清远方案 三(一)）。

    FILE is CSV, XLSX or JSON Lines with name and scope columns (企业名称/经营范围 work too).
    """
    from analyzers import Analyzer

    path = Path(file)
    if not path.is_file():
        raise click.ClickException(f"{file}: no such file")
    if licensed is not None:
        lic = Path(licensed)
        if not lic.is_file():
            raise click.ClickException(f"{licensed}: no such file")
        # absolute: relative setting paths resolve against the project root, not the cwd
        app.with_options(licensed_file=str(lic.resolve()))
    analyzer = Analyzer.from_settings(app.settings)
    skipped = total = flagged = 0
    if fmt == "table":
        click.echo(table_header())
    for number, row, problem in read_rows(path):
        if row is not None:
            name = _pick(row, NAME_COLUMNS)
            if not isinstance(name, str) or not name.strip():
                problem = "missing name"
        if problem or row is None:
            skipped += 1
            click.echo(f"patrol: {file}: line {number}: {problem}; skipped", err=True)
            continue
        scope = _pick(row, SCOPE_COLUMNS) or ""
        record_id = _pick(row, ID_COLUMNS) or number
        findings = [f.to_dict() for f in analyzer.check_enterprise(name, str(scope))]
        total += 1
        flagged += bool(findings)
        if fmt == "table":
            for line in table_rows(record_id, findings):
                click.echo(line)
        else:
            click.echo(json.dumps({"id": record_id, "name": name, "findings": findings},
                                 ensure_ascii=False))
    if fmt == "table":
        click.echo(f"共 {total} 家企业，{flagged} 家有发现" +
                  (f"，{skipped} 行无效已跳过" if skipped else ""))
    elif skipped:
        click.echo(f"patrol: {skipped} invalid line(s) skipped", err=True)
