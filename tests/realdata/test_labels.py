"""The committed real-data labels are well formed, and the loaders behave on text we wrote.

The real datasets are not in the repository; these tests need only the label files and
small pages and CSV files written here.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.realdata import datasets, webservice_lines
from tests.realdata.datasets import (
    DataMissingError,
    ccf_labelled,
    check_random_prefix,
    random_order,
    read_labels,
    split_of,
    webservice_split,
)
from tests.realdata.webservice_lines import extract_lines, labelling_sample, visible_lines

RULE_IDS = {
    "promised_return",
    "guaranteed_principal",
    "restricted_name",
    "real_estate_finance",
    "margin_financing",
    "unlicensed_payment",
    "fundraising_signal",
    "improper_subsidy",
    "public_risk",
}


def test_ccf_labels_are_well_formed() -> None:
    rows = read_labels("ccf2019")
    assert list(rows[0]) == ["dataset", "row_id", "public_risk", "sentiment", "platform", "split", "sample"]
    assert len(rows) >= 850
    assert len({row["row_id"] for row in rows}) == len(rows)
    for row in rows:
        assert row["dataset"] == "ccf2019"
        assert re.fullmatch(r"[0-9a-f]{8}", row["row_id"]), row
        assert row["public_risk"] in ("0", "1"), row
        assert row["sentiment"] in ("negative", "neutral", "positive"), row
        assert row["split"] == split_of(row["row_id"]), row
        assert row["sample"] in ("random", "prefilter", "active"), row
        # uncertainty sampling draws from the train split only: the held-out rows stay a sample
        # the model never chose
        assert row["sample"] != "active" or row["split"] == "train", row
        # A short name, never a copied sentence of the post.
        assert len(row["platform"]) <= 30 and "\n" not in row["platform"], row


def test_ccf_random_sample_has_both_classes_and_a_heldout_third() -> None:
    rows = [row for row in read_labels("ccf2019") if row["sample"] == "random"]
    risk = Counter(row["public_risk"] for row in rows)
    assert min(risk["0"], risk["1"]) / len(rows) > 0.25
    heldout = sum(1 for row in rows if row["split"] == "heldout") / len(rows)
    assert 0.28 < heldout < 0.38


def test_random_sample_must_be_a_prefix_of_the_seeded_order() -> None:
    ids = [f"{n:08x}" for n in range(50)]
    order = random_order(ids)
    # The order is fixed by the seed, not by the order the ids come in.
    assert order == random_order(list(reversed(ids)))
    assert order[:3] == ["0000001c", "0000000b", "00000000"]
    check_random_prefix(ids, set(order[:20]))
    check_random_prefix(ids, set())
    # A row skipped while reading (position 5) would bias every figure taken on the sample.
    with pytest.raises(ValueError, match=r"position 5 \(" + order[5] + r"\).*1 rows lie beyond"):
        check_random_prefix(ids, set(order[:5]) | set(order[6:21]))


def test_webservice_labels_are_well_formed() -> None:
    rows = read_labels("webservice_lines")
    assert list(rows[0]) == ["dataset", "row_id", "rules", "split"]
    assert len(rows) >= 450
    assert len({row["row_id"] for row in rows}) == len(rows)
    for row in rows:
        assert row["dataset"] == "webservice"
        assert re.fullmatch(r"WebRoot/[^:]+\.(jsp|html?):\d+:[0-9a-f]{8}", row["row_id"]), row
        assert set(row["rules"].split()) <= RULE_IDS, row
        assert row["split"] == webservice_split(row["row_id"]), row
    found = Counter(rule for row in rows for rule in row["rules"].split())
    assert found["guaranteed_principal"] > 0 and found["fundraising_signal"] > 0
    assert found["public_risk"] == 0  # a platform's own terms are not reports of trouble


def test_split_is_deterministic_and_about_a_third() -> None:
    ids = [f"{n:08x}" for n in range(3000)]
    assert [split_of(i) for i in ids] == [split_of(i) for i in ids]
    share = sum(1 for i in ids if split_of(i) == "heldout") / len(ids)
    assert 0.30 < share < 0.37
    # The same sentence on two pages lands on the same side.
    assert webservice_split("a.jsp:3:0123abcd") == webservice_split("b/c.html:90:0123abcd")


def test_visible_lines_blank_code_and_keep_line_numbers() -> None:
    page = (
        "<%@ page contentType=\"text/html\" %>\n"
        "<script>\nvar tip = '年化收益';\n</script>\n"
        "<p>出借人&nbsp;可随时查看   借款信息</p>\n"
        "<!-- 注释里的 投资 不显示 -->\n"
        "<% String s = \"平台\"; %><span>本息按月返还</span>\n"
    )
    assert visible_lines(page) == [(5, "出借人 可随时查看 借款信息"), (7, "本息按月返还")]


def test_extract_lines_ids_and_sample(tmp_path: Path) -> None:
    root = tmp_path / "webservice"
    (root / "WebRoot" / "about").mkdir(parents=True)
    (root / "WebRoot" / "about" / "a.jsp").write_text(
        "<h1>关于我们</h1>\n<p>逾期由合作机构先行垫付本息</p>\n<p>理财有风险</p>\n", encoding="utf-8"
    )
    (root / "WebRoot" / "b.html").write_text("<p>理财有风险</p>\n", encoding="gb18030")
    (root / "WebRoot" / "app.js").write_text("alert('投资');\n", encoding="utf-8")
    lines = extract_lines(root)
    assert [(line.path, line.line_number, line.text) for line in lines] == [
        ("WebRoot/about/a.jsp", 2, "逾期由合作机构先行垫付本息"),
        ("WebRoot/about/a.jsp", 3, "理财有风险"),
        ("WebRoot/b.html", 1, "理财有风险"),
    ]
    assert lines[1].line_id.rsplit(":", 1)[1] == lines[2].line_id.rsplit(":", 1)[1]
    assert lines[0].line_id.startswith("WebRoot/about/a.jsp:2:")
    # Every guarantee line is in the sample, whatever the random part draws.
    assert lines[0] in labelling_sample(lines, extra=0)


def test_missing_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert datasets.main(["--data", str(tmp_path)]) == 1
    assert "Test_Data.csv not found" in capsys.readouterr().err
    assert webservice_lines.main(["--data", str(tmp_path)]) == 1
    assert "webservice source tree not found" in capsys.readouterr().err


def test_a_labelled_row_missing_from_the_copy_is_reported(tmp_path: Path) -> None:
    path = tmp_path / datasets.CCF_RELATIVE
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "text", "entity"])
        writer.writerow(["00000000", "示例标题", "这是一条自己写的示例帖子", "示例"])
    with pytest.raises(DataMissingError, match="labelled but not in the local copy"):
        ccf_labelled(tmp_path)
