"""`patrol platforms` through the real entry point, on real ledger and account files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from console.users import UserStore
from platforms import PlatformQuery, open_ledger
from settings import load_settings

from .conftest import CODE_A, CODE_B


def patrol(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--data-dir", str(home), *args])
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out, out.err


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "city-a"
    users = UserStore.from_settings(load_settings(environ={}, overrides={"data_dir": str(home)}))
    users.add("fin", "finance", "correct-horse-42")
    users.add("biz", "commerce", "correct-horse-42")
    users.close()
    return home


def test_wrong_check_digit_is_one_clear_line(capsys, home) -> None:
    code, out, err = patrol(capsys, home, "platforms", "add", "--name", "坏码平台",
                            "--credit-code", CODE_A[:-1] + "0")
    assert code == 1 and out == ""
    assert err.strip().count("\n") == 0
    assert err.startswith("patrol: error: 统一社会信用代码校验位错误") and "Traceback" not in err


def test_register_classify_merge_show(capsys, home) -> None:
    assert patrol(capsys, home, "platforms", "add", "--name", "聚财宝", "--kind", "P2P网贷",
                  "--credit-code", CODE_A, "--domain", "jucai.example.test",
                  "--icp", "粤ICP备12345678号-1")[0] == 0
    assert patrol(capsys, home, "platforms", "add", "--name", "聚财宝理财",
                  "--domain", "licai.jucai.example.test")[0] == 0
    code, out, _ = patrol(capsys, home, "platforms", "merge", "聚财宝", "聚财宝理财",
                          "--reason", "同一运营主体")
    assert code == 0 and "licai.jucai.example.test" in out
    code, _, err = patrol(capsys, home, "platforms", "classify", "聚财宝", "取缔",
                          "--reason", "非法集资", "--by", "biz")
    assert code == 1 and "牵头部门（清远银监分局）" in err
    code, _, err = patrol(capsys, home, "platforms", "classify", "聚财宝", "取缔",
                          "--reason", "x", "--by", "nobody")
    assert code == 1 and "没有可用的控制台账号" in err
    code, out, _ = patrol(capsys, home, "platforms", "classify", "jucai.example.test", "整改",
                          "--reason", "限期整改虚假宣传", "--by", "fin", "--deadline", "2027-03-01")
    assert code == 0 and "整改期限 2027-03-01 23:59" in out
    code, out, _ = patrol(capsys, home, "platforms", "list", "--class", "整改")
    assert code == 0 and "聚财宝" in out and "共 1 个平台" in out
    code, out, _ = patrol(capsys, home, "platforms", "show", "聚财宝理财")
    assert code == 0 and CODE_A in out and "限期整改虚假宣传" in out and "合并" in out
    from platforms.model import platform_id

    code, out, _ = patrol(capsys, home, "platforms", "split", platform_id("聚财宝理财"),
                          "--reason", "两家公司")
    assert code == 0 and "licai.jucai.example.test" in out
    code, out, _ = patrol(capsys, home, "platforms", "list")
    assert "共 2 个平台" in out


def test_blacklist_round_trip_and_hash(capsys, home, tmp_path) -> None:
    for args in (["--name", "聚财宝", "--credit-code", CODE_A, "--domain", "jucai.example.test",
                  "--kind", "P2P网贷", "--operator", "=HYPERLINK(\"http://x\")"],
                 ["--name", "粤通付", "--credit-code", CODE_B, "--domain", "ytf.example.test",
                  "--app", "粤通付钱包", "--kind", "第三方支付"],
                 ["--name", "合规平台", "--domain", "ok.example.test"]):
        assert patrol(capsys, home, "platforms", "add", *args)[0] == 0
    assert patrol(capsys, home, "platforms", "classify", "聚财宝", "取缔", "--reason", "非法集资",
                  "--by", "fin")[0] == 0
    assert patrol(capsys, home, "platforms", "classify", "粤通付", "取缔", "--reason",
                  "无证支付", "--by", "fin")[0] == 0
    for fmt in ("json", "csv"):
        exported = tmp_path / f"blacklist.{fmt}"
        code, _, err = patrol(capsys, home, "platforms", "export", "--format", fmt,
                              "-o", str(exported))
        assert code == 0 and "已导出 2 个平台" in err
        fresh = tmp_path / f"city-b-{fmt}"
        new_targets = tmp_path / f"targets-{fmt}.yaml"
        code, out, _ = patrol(capsys, fresh, "platforms", "import", str(exported),
                              "--targets-out", str(new_targets))
        assert code == 0 and "新增 2，更新 0，跳过 0" in out and "已写出 2 个巡查目标" in out
        from crawler.targets import load_targets

        made = load_targets(new_targets)
        assert sorted(t.platform for t in made.values()) == ["粤通付", "聚财宝"]
        assert all(t.start_urls[0].startswith("https://") for t in made.values())
        fields = ("id", "name", "operator", "credit_code", "domains", "apps", "kind", "lead",
                  "classification")
        homes = []
        for where in (home, fresh):
            with open_ledger(load_settings(environ={}, overrides={"data_dir": str(where)})) as lg:
                homes.append(sorted(tuple(str(getattr(p, f)) for f in fields)
                                    for p in lg.query(PlatformQuery(classification="取缔"))))
        assert homes[0] == homes[1] and len(homes[0]) == 2
        tampered = tmp_path / f"tampered.{fmt}"
        tampered.write_text(exported.read_text(encoding="utf-8").replace("粤通付", "粤通宝"),
                            encoding="utf-8")
        code, _, err = patrol(capsys, tmp_path / "city-c", "platforms", "import", str(tampered))
        assert code == 1 and "SHA-256 校验失败" in err
    doc = json.loads((tmp_path / "blacklist.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "patrol.blacklist" and doc["version"] == 1 and len(doc["sha256"]) == 64
    csv_text = (tmp_path / "blacklist.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in csv_text        # a formula is shown as text in a spreadsheet
