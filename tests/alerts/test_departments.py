"""departments.yaml: the plan's departments, routing by the rules.md lead column, and refusal
of a broken file at start with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alerts.departments import load_directory, load_directory_file
from alerts.routing import route_finding
from settings import ConfigError

from .conftest import departments_yaml, make_finding

PLAN_DEPARTMENTS = {
    "市金融局", "市工商局", "人民银行清远市中心支行", "清远银监分局", "市委宣传部", "市网信办",
    "市委维稳办", "市公安局", "市住房和城乡建设管理局", "市经济和信息化局", "市网警支队",
    "市保险行业协会", "市地方金融行业协会",
}


def names(directory, ids):  # type: ignore[no-untyped-def]
    return set(directory.names(ids))


def test_shipped_file_names_every_department_of_the_plan(settings) -> None:  # type: ignore[no-untyped-def]
    d = load_directory(settings)
    assert PLAN_DEPARTMENTS <= {dept.name for dept in d.departments.values()}
    assert d.departments[d.support].name == "技术支撑组"
    # Nothing leaves the machine until real channels are configured.
    assert {c.type for dept in d.departments.values() for c in dept.channels} == {"fake"}
    assert d.get("市工商局") is d.departments["aic"]


@pytest.mark.parametrize("rule, severity, kind, tags, words, expected", [
    ("promised_return", "high", "page", [], "", {"市金融局"}),
    ("promised_return", "high", "ad", [], "", {"市金融局", "市工商局"}),
    ("guaranteed_principal", "medium", "ad", [], "", {"市金融局", "市工商局"}),
    ("restricted_name", "medium", "enterprise", [], "", {"市工商局", "市金融局"}),
    ("real_estate_finance", "high", "page", [], "", {"市住房和城乡建设管理局"}),
    ("unlicensed_payment", "high", "page", [], "", {"人民银行清远市中心支行"}),
    ("fundraising_signal", "medium", "page", [], "", {"市金融局"}),
    ("fundraising_signal", "high", "page", [], "", {"市金融局", "市公安局"}),
    ("fundraising_signal", "medium", "page", ["crime_suspected"], "", {"市金融局", "市公安局"}),
    ("public_risk", "high", "post", [], "提现困难", {"市委宣传部", "市网信办"}),
    ("public_risk", "high", "post", [], "已经建了维权群",
     {"市委宣传部", "市网信办", "市委维稳办", "市公安局"}),
    ("public_risk", "high", "ad", [], "跑路", {"市委宣传部", "市网信办"}),   # ads rule 1-8 only
    ("margin_financing", "high", "page", ["p2p"], "", {"市金融局", "清远银监分局"}),
])
def test_routes_follow_the_lead_column(settings, rule, severity, kind, tags, words,  # type: ignore[no-untyped-def]
                                       expected) -> None:
    d = load_directory(settings)
    f = make_finding(rule=rule, severity=severity, evidence=words or "证据", kind=kind)
    assert names(d, route_finding(d, f, tags=tags)) == expected


def test_target_kinds_of_the_crawler_route_too(settings) -> None:  # type: ignore[no-untyped-def]
    d = load_directory(settings)
    f = make_finding(kind="page")
    assert names(d, route_finding(d, f, target_kind="ads")) == {"市金融局", "市工商局"}
    assert names(d, route_finding(d, f, target_kind="p2p")) == {"市金融局", "清远银监分局"}
    risk = make_finding(rule="public_risk", kind="post", evidence="逾期")
    assert names(d, route_finding(d, risk, target_kind="p2p")) == {"市委宣传部", "市网信办"}


def _write(tmp_path: Path, data: object) -> Path:
    p = tmp_path / "departments.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(needle))


@pytest.mark.parametrize("mutate, needle, problem", [
    (lambda d: d["routes"].append({"rules": ["promised_return"], "to": ["finance_burea"]}),
     "finance_burea", "unknown department 'finance_burea'"),
    (lambda d: d["routes"].append({"rules": ["promised_returns"], "to": ["aic"]}),
     "promised_returns", "unknown value 'promised_returns'"),
    (lambda d: d["routes"].append({"severities": ["urgent"], "to": ["aic"]}),
     "urgent", "unknown value 'urgent'"),
    (lambda d: d["departments"]["aic"].update(channels=[{"type": "pigeon"}]),
     "pigeon", "unknown channel type 'pigeon'"),
    (lambda d: d["departments"]["aic"].update(channels=[{"type": "email", "to": ["nope"]}]),
     "- nope", "not an email address"),
    (lambda d: d["departments"]["aic"].update(channels=[{"type": "dingtalk", "url": "ftp://x"}]),
     "ftp://x", "needs an http(s) URL"),
    (lambda d: d.update(support="nobody"), "support: nobody", "unknown department 'nobody'"),
])
def test_a_broken_file_is_refused_with_its_line(tmp_path: Path, mutate, needle, problem) -> None:  # type: ignore[no-untyped-def]
    data = departments_yaml({})
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as err:
        load_directory_file(path)
    assert err.value.where == f"{path}:{_line_of(path, needle)}"
    assert problem in err.value.problem


def test_refused_at_start_by_the_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    from settings import ROOT

    data = departments_yaml({})
    data["routes"].append({"rules": ["public_risk"], "to": ["propaganda"]})
    path = _write(tmp_path, data)
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path / "var"), "--set",
         f"departments_file={path}", "alerts", "list"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert f"{path}:{_line_of(path, 'propaganda')}" in proc.stderr
    assert "unknown department 'propaganda'" in proc.stderr


@pytest.mark.parametrize("name, value, problem", [
    ("alerts_quiet_hours", "22:00-31:00", "expected a span of local times"),
    ("alerts_quiet_hours", "night", "expected a span of local times"),
])
def test_bad_quiet_hours_refused(make_settings, name, value, problem) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(**{name: value})
    with pytest.raises(ConfigError) as err:
        load_directory(settings)
    assert err.value.key == name and problem in err.value.problem
    assert err.value.where == "command line"


def test_quiet_hours_span_midnight(make_settings) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from alerts.bounds import QuietHours

    q = QuietHours(make_settings(alerts_quiet_hours="22:00-07:00"))
    at = datetime.fromisoformat
    assert q.end_if_quiet(at("2026-03-02T13:59:00+00:00")) is None           # 21:59 local
    assert q.end_if_quiet(at("2026-03-02T14:00:00+00:00")) == at("2026-03-02T23:00:00+00:00")
    assert q.end_if_quiet(at("2026-03-02T22:59:00+00:00")) == at("2026-03-02T23:00:00+00:00")
    assert q.end_if_quiet(at("2026-03-02T23:00:00+00:00")) is None           # 07:00 local
    day = QuietHours(make_settings(alerts_quiet_hours="12:00-13:30"))
    assert day.end_if_quiet(at("2026-03-02T04:10:00+00:00")) == at("2026-03-02T05:30:00+00:00")
