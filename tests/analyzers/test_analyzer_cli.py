"""`patrol analyze` and `patrol enterprises` through the real command group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli


@pytest.fixture()
def run(monkeypatch):
    # keep a developer's PATROL_* environment out of the tests
    for key in list(__import__("os").environ):
        if key.startswith("PATROL_"):
            monkeypatch.delenv(key)

    def _run(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return _run


def test_analyze_plain_text(run, tmp_path: Path) -> None:
    f = tmp_path / "ad.txt"
    f.write_text("北江金服：保-本保息，年化１８％，百元起投。", "utf-8")
    result = run("analyze", str(f), "--kind", "ad")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["id"] == str(f)
    rules = {x["rule"]: x for x in record["findings"]}
    assert set(rules) == {"guaranteed_principal", "promised_return"}
    assert rules["promised_return"]["annual_rate"] == 18.0
    assert rules["guaranteed_principal"]["evidence"] == "保-本保息"
    for x in record["findings"]:
        assert {"rule", "severity", "evidence", "start", "end", "clause", "lead"} <= set(x)


def test_analyze_stdin_jsonl_skips_invalid_lines(run) -> None:
    lines = [
        json.dumps({"id": "a1", "text": "月息两分，稳赚", "kind": "post"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a3", "kind": "ad"}),
        json.dumps({"id": "a4", "text": "本产品不保本。", "kind": "page"}, ensure_ascii=False),
        json.dumps({"id": "a5", "text": "首付贷", "kind": "tweet"}, ensure_ascii=False),
        json.dumps(["not", "an", "object"]),
    ]
    result = run("analyze", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in out] == ["a1", "a4"]
    assert out[0]["findings"][0]["annual_rate"] == 24.0
    assert out[1]["findings"] == []
    assert "line 2: not valid JSON" in result.stderr
    assert 'line 3: missing "text"' in result.stderr
    assert "line 5: unknown kind 'tweet'" in result.stderr
    assert "line 6: expected a JSON object" in result.stderr


def test_analyze_table(run) -> None:
    text = json.dumps({"id": "p1", "text": "鑫盛贷跑路了！客服电话打不通。", "kind": "post"},
                      ensure_ascii=False)
    result = run("analyze", "--format", "table", input=text + "\n")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("编号")
    assert "舆情风险" in lines[1] and "鑫盛贷" in lines[1] and "跑路" in lines[1]
    assert lines[-1] == "共 1 条记录，1 条有发现"


def test_analyze_missing_file(run) -> None:
    result = CliRunner().invoke(cli, ["analyze", "/nonexistent.txt"])
    assert result.exit_code != 0
    assert "no such file" in result.output


ENTERPRISES = [
    {"id": "e1", "name": "清远鑫源资产管理有限公司", "scope": "资产管理；投资咨询"},
    {"id": "e2", "name": "粤清理财有限责任公司", "scope": "理财产品"},
    {"id": "e3", "name": "清远市慈善基金会", "scope": "接受捐赠"},
    {"id": "e4", "name": "清远某贸易有限公司", "scope": "销售（不含投资管理、资产管理等金融业务）"},
]


def _check_enterprise_output(result) -> None:
    assert result.exit_code == 0, result.output
    out = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert [f["evidence"] for f in out["e1"]["findings"]] == ["资产管理", "资产管理"]
    assert out["e1"]["findings"][1]["extra"] == {"field": "scope"}
    assert out["e2"]["findings"] == []   # licensed (from --licensed)
    assert out["e3"]["findings"] == []   # a charity
    assert out["e4"]["findings"] == []   # excluded in the scope


@pytest.fixture()
def licensed(tmp_path: Path) -> Path:
    p = tmp_path / "licensed.txt"
    p.write_text("粤清理财有限责任公司\n", "utf-8")
    return p


def test_enterprises_csv(run, tmp_path: Path, licensed: Path) -> None:
    f = tmp_path / "e.csv"
    rows = ["id,name,scope"] + [f'{e["id"]},{e["name"]},"{e["scope"]}"' for e in ENTERPRISES]
    f.write_text("\n".join(rows) + "\n", "utf-8-sig")
    _check_enterprise_output(run("enterprises", str(f), "--licensed", str(licensed)))


def test_enterprises_xlsx_with_chinese_headers(run, tmp_path: Path, licensed: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "企业名称", "经营范围"])
    for e in ENTERPRISES:
        ws.append([e["id"], e["name"], e["scope"]])
    f = tmp_path / "e.xlsx"
    wb.save(f)
    _check_enterprise_output(run("enterprises", str(f), "--licensed", str(licensed)))


def test_enterprises_jsonl_bad_line(run, tmp_path: Path, licensed: Path) -> None:
    f = tmp_path / "e.jsonl"
    lines = [json.dumps(e, ensure_ascii=False) for e in ENTERPRISES]
    lines.insert(2, "{broken")
    lines.append(json.dumps({"id": "e9", "scope": "无名称"}, ensure_ascii=False))
    f.write_text("\n".join(lines) + "\n", "utf-8")
    result = run("enterprises", str(f), "--licensed", str(licensed))
    _check_enterprise_output(result)
    assert "line 3: not valid JSON" in result.stderr
    assert "line 6: missing name" in result.stderr


def test_enterprises_table_and_unknown_type(run, tmp_path: Path, licensed: Path) -> None:
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps(ENTERPRISES[0], ensure_ascii=False) + "\n", "utf-8")
    result = run("enterprises", str(f), "--format", "table", "--licensed", str(licensed))
    assert "名称/经营范围限制字样" in result.stdout
    assert result.stdout.splitlines()[-1] == "共 1 家企业，1 家有发现"
    bad = tmp_path / "e.pdf"
    bad.write_text("x", "utf-8")
    result = CliRunner().invoke(cli, ["enterprises", str(bad)])
    assert result.exit_code != 0 and "unknown file type" in result.output
