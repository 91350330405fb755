"""`patrol analyze [FILE|-]`: findings of the rules in texts or JSON Lines records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from common.text import clean, pad
from common.vocabulary import SEVERITY_LABELS, label
from common.vocabulary import TEXT_KINDS as KIND_CHOICES


def _open(file: str) -> IO[str]:
    if file == "-":
        return click.open_file("-", "r", encoding="utf-8", errors="replace")
    path = Path(file)
    if not path.is_file():
        raise click.ClickException(f"{file}: no such file")
    return path.open(encoding="utf-8-sig", errors="replace")


def iter_records(stream: IO[str], name: str, input_format: str, default_kind: str,
                 warn: Any) -> Iterator[tuple[Any, str, str]]:
    """(id, text, kind) per record; invalid JSON Lines are reported by line number and
    skipped."""
    if input_format == "auto":
        first = stream.readline()
        head = first.lstrip("\ufeff \t\r\n")
        input_format = "jsonl" if head.startswith("{") or name.endswith((".jsonl", ".ndjson")) \
            else "text"
        lines: Iterator[str] = _chain(first, stream)
    else:
        lines = iter(stream)
    if input_format == "text":
        yield name, "".join(lines), default_kind
        return
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warn(f"line {lineno}: not valid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(record, dict):
            warn(f"line {lineno}: expected a JSON object; skipped")
            continue
        text = record.get("text")
        if not isinstance(text, str):
            warn(f"line {lineno}: missing \"text\" (a string); skipped")
            continue
        kind = record.get("kind", default_kind)
        if kind not in KIND_CHOICES:
            warn(f"line {lineno}: unknown kind {kind!r} (expected one of "
                 f"{', '.join(KIND_CHOICES)}); skipped")
            continue
        yield record.get("id", lineno), text, kind


def _chain(first: str, rest: IO[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _cell(s: str, width: int) -> str:
    return pad(clean(s), width)


TABLE_COLUMNS = (("编号", 10), ("规则", 22), ("级别", 4), ("证据", 28), ("位置", 11),
                 ("年化%", 7), ("平台", 12), ("牵头部门", 30))


def table_header() -> str:
    return "  ".join(_cell(h, w) for h, w in TABLE_COLUMNS).rstrip()


def table_rows(record_id: Any, findings: list[dict[str, Any]]) -> list[str]:
    rows = []
    for f in findings:
        rate = f.get("annual_rate")
        values = (
            str(record_id), f.get("rule_name") or f["rule"],
            label(SEVERITY_LABELS, f["severity"]), f["evidence"],
            f"{f['start']}-{f['end']}", "" if rate is None else f"{rate:g}",
            f.get("platform") or "", f["lead"],
        )
        rows.append("  ".join(_cell(v, w) for v, (_, w) in zip(values, TABLE_COLUMNS,
                                                                  strict=True)).rstrip())
    return rows


@click.command(name="analyze")
@click.argument("file", required=False, default="-")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl",
              show_default=True, help="JSON Lines for programs, a table for people.")
@click.option("--input", "input_format", type=click.Choice(["auto", "text", "jsonl"]),
              default="auto", show_default=True,
              help="Input form: one text, or JSON Lines records {id, text, kind}; auto looks at "
                   "the first line.")
@click.option("--kind", type=click.Choice(KIND_CHOICES), default="page", show_default=True,
              help="Kind of a plain text, and of records that do not say.")
@click.pass_obj
def command(app: Any, file: str, fmt: str, input_format: str, kind: str) -> None:
    """分析文本中的金融风险（规则见 docs/analyzers.md）。

    FILE is a text file or JSON Lines ({"id", "text", "kind"}); - or nothing reads stdin.
    Invalid lines are reported on stderr with their line number and skipped.
    """
    from analyzers import Analyzer

    analyzer = Analyzer.from_settings(app.settings)
    skipped = 0

    def warn(message: str) -> None:
        nonlocal skipped
        skipped += 1
        click.echo(f"patrol: {file}: {message}", err=True)

    total = flagged = 0
    if fmt == "table":
        click.echo(table_header())
    with _open(file) as stream:
        for record_id, text, record_kind in iter_records(stream, file, input_format, kind, warn):
            findings = [f.to_dict() for f in analyzer.analyze(text, record_kind)]
            total += 1
            flagged += bool(findings)
            if fmt == "table":
                for row in table_rows(record_id, findings):
                    click.echo(row)
            else:
                click.echo(json.dumps({"id": record_id, "findings": findings},
                                     ensure_ascii=False))
    if fmt == "table":
        click.echo(f"共 {total} 条记录，{flagged} 条有发现" +
                  (f"，{skipped} 行无效已跳过" if skipped else ""))
    elif skipped:
        click.echo(f"patrol: {skipped} invalid line(s) skipped", err=True)
