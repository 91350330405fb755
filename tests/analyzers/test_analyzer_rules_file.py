"""A bad rules file is refused at start, naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer, RulesError

ROOT = Path(__file__).resolve().parents[2]

GOOD_HEAD = """version: 1
rules:
  guaranteed_principal:
    kind: lexicon
    name: 保本保息/零风险
    clause: 二(一)1
    lead: 市金融局
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "rules.yaml"
    p.write_text(text, "utf-8")
    return p


@pytest.mark.parametrize(("body", "line", "message"), [
    ("    terms: [保本]\n    patterns:\n      - regex: '保本(('\n        anchors: [保本]\n",
     10, "bad regex"),
    ("    terms: [保本]\n    severity: urgent\n", 9, "severity"),
    ("    terms: [保本]\n    colour: red\n", 9, "unknown key"),
    ("    terms:\n      - 保本\n      - {term: 保息, boundry: true}\n", 10, "unknown term key"),
    ("    terms:\n      - {term: 保本保息, standalone: sometimes}\n", 9, "expected true or false"),
    ("    terms: [保本\n", 9, "flow sequence at line 8"),
    ("    terms: [保]\n", 8, "too short"),
    # a repeat inside a repeat backtracks exponentially on crafted text (issue 15)
    ("    terms: [保本]\n    patterns:\n      - regex: '(保本+)+息'\n        anchors: [保本]\n",
     10, "repeat inside a repeat"),
    ("    terms: [保本]\n    patterns:\n      - regex: '(本[^，]{0,3}){2,}息'\n"
     "        anchors: [保本]\n", 10, "repeat inside a repeat"),
])
def test_bad_rules_are_refused_with_their_line(tmp_path: Path, body: str, line: int,
                                               message: str) -> None:
    path = _write(tmp_path, GOOD_HEAD + body)
    with pytest.raises(RulesError) as err:
        Analyzer(path)
    assert f"{path}:{line}:" in str(err.value)
    assert message in str(err.value)


def test_a_rule_names_its_matcher_kind(tmp_path: Path) -> None:
    """A misspelt id is not silently a new rule: a rule without a known kind is refused."""
    path = _write(tmp_path, "rules:\n  guaranteed_principle:\n    name: x\n    clause: x\n"
                            "    lead: x\n    terms: [保本]\n")
    with pytest.raises(RulesError, match=r"rules.yaml:3: rule guaranteed_principle: missing 'kind'"):
        Analyzer(path)
    path = _write(tmp_path, GOOD_HEAD.replace("kind: lexicon", "kind: [lexicon, regexp]")
                  + "    terms: [保本]\n")
    with pytest.raises(RulesError, match=r"rules.yaml:4: rule guaranteed_principal: unknown kind"):
        Analyzer(path)


def test_a_deployment_adds_a_word(tmp_path: Path) -> None:
    text = (ROOT / "config" / "rules.yaml").read_text("utf-8")
    text = text.replace("      - 保本保息\n", "      - 保本保息\n      - 本金包赔\n", 1)
    path = _write(tmp_path, text)
    f = Analyzer(path).analyze("本金包-赔，放心出借。", "ad")
    assert [(x.rule, x.evidence, x.normalized) for x in f] == [
        ("guaranteed_principal", "本金包-赔", "本金包赔")]


def test_a_word_list_shared_by_alias_is_read_once(tmp_path: Path) -> None:
    """A list may hold an alias of another list: two terms share one list of words that give
    them another sense, and the words around the alias still count."""
    path = _write(tmp_path, GOOD_HEAD + (
        "    terms:\n"
        "      - {term: 保本, unless: [考试, &games [游戏, 抽卡]]}\n"
        "      - {term: 稳赚, unless: *games}\n"))
    a = Analyzer(path)
    assert [f.evidence for f in a.analyze("理财产品保本保收益，稳赚", "ad")] == ["保本", "稳赚"]
    assert a.analyze("这次考试保本了", "post") == []
    assert a.analyze("抽卡游戏里保本", "post") == []
    assert a.analyze("这个游戏稳赚", "post") == []
    with pytest.raises(RulesError, match="expected a non-empty string"):
        Analyzer(_write(tmp_path, GOOD_HEAD + "    terms:\n      - {term: 保本, unless: [[[游戏]]]}\n"))


def test_missing_file() -> None:
    with pytest.raises(RulesError, match="cannot read"):
        Analyzer(Path("/nonexistent/rules.yaml"))


def test_shipped_rules_cover_every_rule_id() -> None:
    from settings.spec import RULE_IDS

    a = Analyzer(ROOT / "config" / "rules.yaml")
    assert set(a.rules) == set(RULE_IDS)


def test_a_standalone_term_needs_no_other_offer_word_in_a_post(tmp_path: Path) -> None:
    """requires_in_posts asks a post for a word beside the term; a standalone term is one."""
    body = "    requires_in_posts: [投资]\n    terms:\n      - 保本\n      - {term: 保本保息, standalone: true}\n"
    analyzer = Analyzer(_write(tmp_path, GOOD_HEAD + body))
    assert analyzer.analyze("保本保息，限时", "post") != []
    assert analyzer.analyze("保本，限时", "post") == []
    assert analyzer.analyze("保本，投资限时", "post") != []
