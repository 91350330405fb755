"""A rule is declared once, in the rules file (issue 11): a rule added there is reported by the
analyzers, valid in settings, named in the console and in the right department's queue, with
no code edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analyzers import Analyzer
from settings import ConfigError, load_settings

from .conftest import Console, make_finding

ROOT = Path(__file__).resolve().parents[2]
NEW_RULE = """
  crypto_offer:
    kind: lexicon
    name: 虚拟货币理财
    clause: 二(一)1
    lead: 市金融局
    severity: high
    terms: [虚拟币理财, 挖矿收益]
"""


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    text = (ROOT / "config" / "rules.yaml").read_text("utf-8")
    assert text.rstrip().splitlines()[-1].startswith("  ")  # `rules:` is the last mapping
    path = tmp_path / "rules.yaml"
    path.write_text(text.rstrip("\n") + "\n" + NEW_RULE, "utf-8")
    return path


def test_added_rule_is_reported_and_valid_in_settings(rules_file: Path,
                                                     make_settings: Callable[..., Any]) -> None:
    settings = make_settings(rules_file=str(rules_file), enabled_rules="crypto_offer,public_risk")
    findings = Analyzer.from_settings(settings).analyze("加入虚拟币-理财，稳稳的挖矿收益。", "ad")
    assert [(f.rule, f.rule_name, f.lead, f.evidence) for f in findings] == [
        ("crypto_offer", "虚拟货币理财", "市金融局", "虚拟币-理财"),
        ("crypto_offer", "虚拟货币理财", "市金融局", "挖矿收益")]
    # every rule of the file runs when enabled_rules is left empty
    everything = Analyzer.from_settings(make_settings(rules_file=str(rules_file)))
    assert {f.rule for f in everything.analyze("虚拟币理财，保本保息", "ad")} == {
        "crypto_offer", "guaranteed_principal"}
    # against the shipped rules file the id is unknown
    with pytest.raises(ConfigError, match="unknown rule id 'crypto_offer'"):
        load_settings(environ={}, overrides={"enabled_rules": "crypto_offer"})


def test_added_rule_is_named_in_the_console_and_queued_for_its_lead(
        rules_file: Path, console_factory: Callable[..., Console]) -> None:
    console = console_factory(rules_file=str(rules_file))
    console.add(make_finding("promised_return", evidence="挖矿收益", rule_name=""))
    new = make_finding("promised_return", evidence="虚拟币理财", rule_name="")
    new.rule = "crypto_offer"
    console.add(new)
    finance = console.client("finance")
    html = finance.get("/review?scope=mine").get_data(as_text=True)
    assert "虚拟货币理财" in html            # the rule filter and the row label
    assert new.id in html                    # 市金融局 leads it: in finance's own queue
    opinion = console.client("opinion")
    assert new.id not in opinion.get("/review?scope=mine").get_data(as_text=True)
    detail = finance.get(f"/review/finding/{new.id}").get_data(as_text=True)
    assert "虚拟货币理财" in detail


def test_added_rule_can_be_routed_to_a_department(rules_file: Path, tmp_path: Path,
                                                  make_settings: Callable[..., Any]) -> None:
    import yaml

    from alerts.departments import load_directory

    data = yaml.safe_load((ROOT / "config" / "departments.yaml").read_text("utf-8"))
    data["routes"].append({"rules": ["crypto_offer"], "to": ["finance_bureau"]})
    departments = tmp_path / "departments.yaml"
    departments.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    directory = load_directory(make_settings(rules_file=str(rules_file),
                                             departments_file=str(departments)))
    assert any("crypto_offer" in r.rules for r in directory.routes)
    with pytest.raises(ConfigError, match="unknown value 'crypto_offer'"):
        load_directory(make_settings(departments_file=str(departments)))
