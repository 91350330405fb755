"""The shared vocabulary and text helpers (common/): one character set for outside text, one
display width, one time zone, one set of words, checked against those who define their own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common import text, timefmt, vocabulary
from settings import ConfigError, load_settings


@pytest.mark.parametrize("raw, shown", [
    ("x\u202emoc.evil", "xmoc.evil"),                        # override: would show xlive.com
    ("\u2066北江\u2069\u2067金服\u2068\u2069", "北江金服"),      # isolates (the old alerts copy kept them)
    ("a\u200eb\u200fc\u061cd", "abcd"),                       # marks
    ("a\u202ab\u202bc\u202cd\u202de", "abcde"),               # embeddings, pop
    ("红\x1b[31m色\x00\x7f\x9b", "红[31m色"),                  # C0/C1 controls, DEL
    ("零\u200b宽\ufeff字\u2060符", "零宽字符"),                 # invisible format characters
    ("一行\r\n两行\u2028三行\t四", "一行 两行 三行 四"),         # one-line text
    (None, ""),
])
def test_clean_removes_every_hidden_character(raw: str | None, shown: str) -> None:
    assert text.clean(raw) == shown


def test_clean_multiline_keeps_line_breaks_and_limit_marks_the_cut() -> None:
    assert text.clean("甲\r\n乙\u2029丙\u202e", multiline=True) == "甲\n乙\n丙"
    assert text.clean("一二三四五", limit=3) == "一二…"


def test_display_width_fit_and_pad_count_wide_characters_twice() -> None:
    assert text.display_width("ab中文") == 6
    assert text.fit("中文字符串", 7) == "中文字…"
    assert text.pad("中a", 6) == "中a   " and text.display_width(text.pad("中文字符串", 5)) == 5
    lines = text.table(["编号", "证据"], [["1", "保本\u202e保息"]]).splitlines()
    assert lines[2] == "1     保本保息"


def test_spreadsheet_cells_never_become_formulas() -> None:
    assert text.spreadsheet_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert text.spreadsheet_cell("\u202e=1+1") == "'=1+1"   # hidden behind a control: still caught
    assert text.spreadsheet_cell("+cmd", typed=True) == "+cmd"
    assert text.spreadsheet_cell(3.5) == 3.5


def test_highlight_and_marked_fall_back_when_offsets_lie() -> None:
    assert text.highlight_pieces("本平台保本保息欢迎", "保本", 3, 10) == [
        ("本平台", False), ("保本", True), ("保息欢迎", False)]
    assert text.highlight_pieces("本平台保本保息欢迎", "保本", 99, 10)[1] == ("保本", True)
    assert text.highlight_pieces("本平台", "不在", 0, 10) == [("本平台", False)]
    assert text.marked("0123保本4567", "保本", 4, 2) == "…23【保本】45…"


def test_days_and_weeks_are_those_of_the_configured_zone() -> None:
    shanghai = timefmt.zone("Asia/Shanghai")
    at = datetime(2026, 1, 1, 17, 0, tzinfo=UTC)
    assert timefmt.local_day(at, shanghai) == "2026-01-02"
    assert timefmt.local_day(at, timefmt.zone("UTC")) == "2026-01-01"
    assert timefmt.local_week(datetime(2026, 1, 4, 17, 0, tzinfo=UTC), shanghai) == "2026-01-05"
    day = timefmt.parse_day("2026-01-02")
    assert day is not None
    assert timefmt.day_start(day, shanghai) == datetime(2026, 1, 1, 16, 0, tzinfo=UTC)
    assert timefmt.format_local(at, shanghai, timefmt.SECONDS, with_zone=True) == \
        "2026-01-02 01:00:00（北京时间）"
    assert timefmt.parse_day("2026-02-30") is None


def test_time_zone_setting_is_checked_where_it_is_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(environ={"PATROL_TIME_ZONE": "Europe/Berlin"},
                             project_file=tmp_path / "none.yaml")
    assert timefmt.configured_zone(settings).key == "Europe/Berlin"
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"PATROL_TIME_ZONE": "Asia/Qingyuan"},
                      project_file=tmp_path / "none.yaml")
    assert err.value.key == "time_zone" and "PATROL_TIME_ZONE" in err.value.where


def test_words_defined_elsewhere_agree_with_the_vocabulary() -> None:
    """The analyzers may import only `settings`, so they keep their own tuples: they must
    stay the vocabulary's."""
    from analyzers import engine, rules

    assert tuple(engine.KINDS) == vocabulary.TEXT_KINDS
    assert tuple(rules.SEVERITIES) == vocabulary.SEVERITIES
    assert tuple(rules.RULE_IDS) == vocabulary.RULE_IDS
    for labels, codes in ((vocabulary.SEVERITY_LABELS, vocabulary.SEVERITIES),
                          (vocabulary.FINDING_STATUS_LABELS, vocabulary.FINDING_STATUSES),
                          (vocabulary.RUN_STATUS_LABELS, vocabulary.RUN_STATUSES),
                          (vocabulary.ALERT_STATUS_LABELS, vocabulary.ALERT_STATUSES),
                          (vocabulary.ALERT_KIND_LABELS, vocabulary.ALERT_KINDS),
                          (vocabulary.KIND_LABELS, vocabulary.ROUTE_KINDS)):
        assert set(codes) <= set(labels)
    assert vocabulary.RUN_STATUS_LABELS["ok"] == "成功"
    assert vocabulary.ALERT_STATUS_LABELS["dead"] == "发送失败"
    assert vocabulary.label(vocabulary.SEVERITY_LABELS, "odd") == "odd"
