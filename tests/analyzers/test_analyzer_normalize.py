"""The normalized copy and its map back to the text as given."""

from __future__ import annotations

import pytest

from analyzers.normalize import normalize

EVASIONS = [
    ("保-本", "保本"),
    ("保 本 保 息", "保本保息"),
    ("保·本", "保本"),
    ("保/本", "保本"),
    ("保|本|保|息", "保本保息"),
    ("保_本", "保本"),
    ("保•本", "保本"),
    ("保－本", "保本"),
    ("保\u200b本", "保本"),
    ("零\u200c风险", "零风险"),
    ("本息\u200d保障", "本息保障"),
    ("稳赚\ufeff不赔", "稳赚不赔"),
    ("保(bǎo)本(běn)", "保本"),
    ("零風(fēng)險", "零风险"),
    ("穩賺不賠", "稳赚不赔"),
    ("首付貸", "首付贷"),
    ("網貸", "网贷"),
    ("年化１８％", "年化18%"),
    ("Ｐ２Ｐ", "p2p"),
    ("零&nbsp;风险", "零风险"),
    ("保?本?保?息", "保本保息"),
    ("年\u200b化\u200c收益12%", "年化收益12%"),
    # pictographs as glue, and a number spaced out with the rest of the run
    ("保💰本💰保💰息", "保本保息"),
    ("体🔥验🔥金", "体验金"),
    ("首付✨贷", "首付贷"),
    ("年 化 1 8 %", "年化18 %"),
    ("配.资.炒.股", "配资炒股"),
    ("年化1️⃣2️⃣%", "年化12%"),
    ("年化壹拾贰%", "年化一十二%"),
]


@pytest.mark.parametrize(("text", "expected"), EVASIONS)
def test_evasions_normalize_to_the_plain_word(text: str, expected: str) -> None:
    assert normalize(text).text == expected


@pytest.mark.parametrize(("text", "expected"), EVASIONS)
def test_span_maps_back_to_the_words_as_given(text: str, expected: str) -> None:
    n = normalize("前文：" + text + "。后文")
    i = n.text.index(expected)
    start, end = n.span(i, i + len(expected))
    got = n.original[start:end]
    # the evidence starts and ends on the first and last character of the word as written
    assert normalize(got).text == expected
    assert got[0] == text[0] or normalize(got[0]).text == expected[0]


def test_identity_when_nothing_is_removed() -> None:
    n = normalize("北江金服年化12%")
    assert n.identity
    assert n.span(4, 9) == (4, 9)


def test_range_and_date_dashes_are_kept() -> None:
    assert normalize("年化12%-15% 2016-07-25").text == "年化12%-15% 2016-07-25"
    assert normalize("期限1-12个月").text == "期限1-12个月"


def test_spaced_numbers_stay_apart_outside_a_spaced_run() -> None:
    assert normalize("收益 12 15 之间").text == "收益12 15之间"
    assert normalize("2016 7 1").text == "2016 7 1"


def test_dots_and_capital_numerals_stay_outside_evasions() -> None:
    # a dot ends a sentence or a number, a capital numeral names a platform
    assert normalize("完了.然后 年化3.5% www.abc.com").text == "完了.然后年化3.5% www.abc.com"
    assert normalize("壹佰金融陆续兑付").text == "壹佰金融陆续兑付"


def test_a_pictograph_at_the_edge_of_a_word_stays() -> None:
    assert normalize("🔥以房养老🔥。12😂34").text == "🔥以房养老🔥。12😂34"


def test_nav_separators_between_words_stay() -> None:
    # " | " is page navigation, not glue inside a word
    assert normalize("首页 | 我要投资").text == "首页 | 我要投资"


def test_placeholder_question_marks_become_a_space() -> None:
    n = normalize("??? 《方案》")
    assert n.text == " 《方案》"
    assert n.original[slice(*n.span(1, 5))] == "《方案》"


def test_plan_title_with_glosses() -> None:
    text = "清遠市人民政府辦公室關于印發(fā)清遠市"
    n = normalize(text)
    assert n.text == "清远市人民政府办公室关于印发清远市"
    i = n.text.index("印发清远")
    s, e = n.span(i, i + 4)
    assert text[s:e] == "印發(fā)清遠"


def test_real_question_mark_is_kept() -> None:
    assert normalize("稳赚吗？不").text == "稳赚吗？不"
