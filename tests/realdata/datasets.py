"""Join the committed hand labels to a local copy of each public dataset.

Real text is not ours to publish, so the repository holds only labels keyed by
(dataset, row id); this module reads the text from a local copy given as
``--data DIR`` with the layout::

    DIR/2019-CCF-BDCI-NLP/data/a/Test_Data.csv   (rebornZH/2019-CCF-BDCI-NLP)
    DIR/webservice/                              (zhighest/webservice-master-...)
    DIR/P2PDA/problemPlat.csv                    (zgbgx/P2PDA)

Usage: ``python tests/realdata/datasets.py --data /path/to/realdata`` prints counts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

LABELS_DIR = Path(__file__).resolve().parent / "labels"
CCF_DATASET = "ccf2019"
WEBSERVICE_DATASET = "webservice"
CCF_RELATIVE = Path("2019-CCF-BDCI-NLP/data/a/Test_Data.csv")
WEBSERVICE_RELATIVE = Path("webservice")
P2PDA_RELATIVE = Path("P2PDA/problemPlat.csv")
# The seed of the random sample's reading order (docs/labelling.md, section 4).
RANDOM_ORDER_SEED = 20191201


class DataMissingError(RuntimeError):
    """The local copy of a dataset is not where --data says it is."""


@dataclass(frozen=True)
class LabelledRecord:
    dataset: str
    row_id: str
    text: str
    split: str
    labels: dict[str, str] = field(default_factory=dict)


def split_of(row_id: str) -> str:
    """Deterministic split: a third of rows (sha1(row id) mod 3 == 0) are held out."""
    digest = hashlib.sha1(row_id.encode("utf-8")).hexdigest()
    return "heldout" if int(digest, 16) % 3 == 0 else "train"


def random_order(ids: list[str]) -> list[str]:
    """The reading order of the random sample: all row ids sorted, then a seeded shuffle."""
    ordered = sorted(ids)
    random.Random(RANDOM_ORDER_SEED).shuffle(ordered)
    return ordered


def check_random_prefix(all_ids: list[str], random_ids: set[str]) -> None:
    """The rows labelled sample=random must be the first N of the seeded order, none skipped:
    only then are figures on them figures on the real distribution. Raises ValueError."""
    order = random_order(all_ids)
    prefix = set(order[: len(random_ids)])
    if prefix != random_ids:
        first_gap = next(pos for pos, rid in enumerate(order) if rid not in random_ids)
        raise ValueError(
            f"sample=random is not a prefix of the seeded order: {len(random_ids)} rows, but position "
            f"{first_gap} ({order[first_gap]}) is not labelled random; {len(random_ids - prefix)} rows lie beyond"
        )


def webservice_split(line_id: str) -> str:
    """Split of a page line by its text digest (the id's last part), so that the
    same sentence repeated on several pages never sits on both sides."""
    return split_of(line_id.rsplit(":", 1)[-1])


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise DataMissingError(
            f"{what} not found at {path}; pass --data DIR where DIR holds "
            f"{CCF_RELATIVE.parts[0]}/, {WEBSERVICE_RELATIVE}/ and {P2PDA_RELATIVE.parts[0]}/"
        )
    return path


def ccf_rows(data_dir: Path) -> dict[str, dict[str, str]]:
    """All rows of the CCF 2019 test file by id: {'title', 'text', 'entity'}."""
    path = _require(Path(data_dir) / CCF_RELATIVE, "CCF 2019 Test_Data.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["id"]: {"title": row["title"] or "", "text": row["text"] or "", "entity": row["entity"] or ""}
            for row in csv.DictReader(handle)
        }


def ccf_text(row: dict[str, str]) -> str:
    """The post as one text: the title unless the text already starts with it."""
    title, text = row["title"].strip(), row["text"].strip()
    if not title or text.startswith(title[:20]):
        return text or title
    return f"{title}\n{text}"


def p2pda_problem_platforms(data_dir: Path) -> list[dict[str, str]]:
    """Rows of P2PDA problemPlat.csv (platName, area, problemTime, type, ...)."""
    path = _require(Path(data_dir) / P2PDA_RELATIVE, "P2PDA problemPlat.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_labels(name: str) -> list[dict[str, str]]:
    """The committed label rows of tests/realdata/labels/NAME.csv."""
    path = LABELS_DIR / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _records(
    name: str, texts: dict[str, str], dataset: str, split: Callable[[str], str] = split_of
) -> list[LabelledRecord]:
    records = []
    for row in read_labels(name):
        if row["row_id"] not in texts:
            raise DataMissingError(f"{dataset} row {row['row_id']!r} is labelled but not in the local copy")
        if row["split"] != split(row["row_id"]):
            raise ValueError(f"{name}.csv row {row['row_id']}: split {row['split']!r} disagrees with {split.__name__}()")
        labels = {k: v for k, v in row.items() if k not in ("dataset", "row_id", "split")}
        records.append(LabelledRecord(dataset, row["row_id"], texts[row["row_id"]], row["split"], labels))
    return records


def ccf_labelled(data_dir: Path) -> list[LabelledRecord]:
    """Labelled CCF posts: labels public_risk, sentiment, platform, sample."""
    rows = ccf_rows(data_dir)
    records = _records("ccf2019", {rid: ccf_text(row) for rid, row in rows.items()}, CCF_DATASET)
    check_random_prefix(list(rows), {r.row_id for r in records if r.labels["sample"] == "random"})
    return records


def webservice_labelled(data_dir: Path) -> list[LabelledRecord]:
    """Labelled platform-page lines: label `rules` (space-separated rule ids)."""
    try:
        from tests.realdata.webservice_lines import extract_lines
    except ImportError:  # run as a script from this folder
        from webservice_lines import extract_lines
    root = _require(Path(data_dir) / WEBSERVICE_RELATIVE, "webservice source tree")
    texts = {line.line_id: line.text for line in extract_lines(root)}
    return _records("webservice_lines", texts, WEBSERVICE_DATASET, webservice_split)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder holding the local dataset copies")
    args = parser.parse_args(argv)
    try:
        ccf_rows(args.data)  # fail early and clearly when the copy is missing
        _require(Path(args.data) / WEBSERVICE_RELATIVE, "webservice source tree")
        for name, loader in (("ccf2019", ccf_labelled), ("webservice_lines", webservice_labelled)):
            if not (LABELS_DIR / f"{name}.csv").exists():
                print(f"{name}: no labels yet")
                continue
            records = loader(args.data)
            by_split: dict[str, int] = {}
            for record in records:
                by_split[record.split] = by_split.get(record.split, 0) + 1
            print(f"{name}: {len(records)} labelled rows joined; per split {dict(sorted(by_split.items()))}")
    except DataMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
