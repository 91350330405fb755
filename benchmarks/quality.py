"""Per-rule precision and recall on the hand-labeled corpus: the engine against a naive baseline.

    python -m benchmarks.quality [--corpus tests/corpus] [--rules config/rules.yaml]
    python -m benchmarks.quality --corpus tests/corpus/heldout.jsonl

The corpus is small: every size runs all of it.

--corpus is a directory (texts.jsonl, enterprises.jsonl and licensed.txt inside it) or one texts
file; for a file, the enterprise records are the sibling `<stem>_enterprises.jsonl` (e.g.
heldout.jsonl -> heldout_enterprises.jsonl) unless --enterprises names another, and the licensed
list is the sibling licensed.txt unless --licensed names another.

The baseline is what a keyword list does: plain substring search of the same lexicon words in
the raw text, no normalization, no context, no rates. The engine is the analyzers package.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzers import Analyzer  # noqa: E402
from analyzers.evaluate import (  # noqa: E402
    TEXT_RULES,
    Score,
    engine_enterprise_predictor,
    engine_text_predictor,
    load_jsonl,
    naive_predictor,
    rate_misses,
    score,
)
from benchmarks.common import Row, main, preset  # noqa: E402


def side_by_side(engine: dict[str, Score], naive: dict[str, Score]) -> str:
    head = (f"{'rule':<22} | {'engine P':>8} {'R':>6} {'FP':>4} {'FN':>4} | "
            f"{'naive P':>8} {'R':>6} {'FP':>4} {'FN':>4}")
    lines = [head, "-" * len(head)]
    for rid in engine:
        e, n = engine[rid], naive[rid]
        lines.append(f"{rid:<22} | {e.precision:>8.3f} {e.recall:>6.3f} {e.fp:>4} {e.fn:>4} | "
                     f"{n.precision:>8.3f} {n.recall:>6.3f} {n.fp:>4} {n.fn:>4}")
    return "\n".join(lines)


def corpus_files(corpus: Path, enterprises: Path | None, licensed: Path | None
                 ) -> tuple[Path, Path, Path]:
    """(texts file, enterprises file, licensed list) for a corpus directory or texts file."""
    if corpus.is_dir():
        texts, ents, folder = corpus / "texts.jsonl", corpus / "enterprises.jsonl", corpus
    else:
        texts, folder = corpus, corpus.parent
        ents = folder / f"{corpus.stem}_enterprises.jsonl"
    return texts, enterprises or ents, licensed or folder / "licensed.txt"


_DEFAULTS = {"corpus": str(ROOT / "tests" / "corpus"), "enterprises": "", "licensed": "",
             "rules": str(ROOT / "config" / "rules.yaml"), "verbose": False}
SIZES = {"tiny": _DEFAULTS, "bench": _DEFAULTS, "full": _DEFAULTS}


def _macro(scores: dict[str, Score]) -> tuple[float, float]:
    """Mean precision and mean recall over the rules."""
    return (sum(s.precision for s in scores.values()) / len(scores),
            sum(s.recall for s in scores.values()) / len(scores))


def run(size: str = "full", **options: Any) -> list[Row]:
    """--corpus is a directory or one texts .jsonl file; --enterprises and --licensed default
    to the files found next to it; --verbose lists the ids of errors."""
    args = preset(SIZES, size, options)
    texts_path, ents_path, licensed = corpus_files(
        Path(args["corpus"]), Path(args["enterprises"]) if args["enterprises"] else None,
        Path(args["licensed"]) if args["licensed"] else None)
    analyzer = Analyzer(args["rules"], licensed if licensed.is_file() else None)
    texts = load_jsonl(texts_path)
    engine = score(texts, engine_text_predictor(analyzer), TEXT_RULES)
    naive = score(texts, naive_predictor(analyzer, TEXT_RULES), TEXT_RULES)
    if ents_path.is_file():
        ents = load_jsonl(ents_path)
        engine.update(score(ents, engine_enterprise_predictor(analyzer), ["restricted_name"]))
        naive.update(score(ents, naive_predictor(analyzer, ["restricted_name"]),
                           ["restricted_name"]))
    print(f"corpus: {texts_path.name}: {len(texts)} texts" + (f", {len(ents)} enterprises" if ents_path.is_file()
                                           else ""))
    print(side_by_side(engine, naive))
    missing, extra = rate_misses(analyzer, texts)
    expected = sum(len(t.get("rates", [])) for t in texts)
    print(f"\nrates: {expected - len(missing)}/{expected} expected rates found, "
          f"{len(extra)} unexpected")
    if args["verbose"]:
        for rid, s in engine.items():
            if s.fp_ids or s.fn_ids:
                print(f"engine {rid}: FP {s.fp_ids} FN {s.fn_ids}")
        for rec_id, rate in missing:
            print(f"missing rate {rate} in {rec_id}")
        for rec_id, rate in extra:
            print(f"unexpected rate {rate} in {rec_id}")
    (p_engine, r_engine), (p_naive, r_naive) = _macro(engine), _macro(naive)
    rows = [
        Row("mean precision over rules vs keyword list", p_engine, p_naive),
        Row("mean recall over rules vs keyword list", r_engine, r_naive),
        Row("expected rates found", (expected - len(missing)) / max(1, expected), None, "",
            "1.0"),
    ]
    negatives = [t for t in texts if not t["labels"]]
    if negatives:
        # the "ordinary posts: at most 5 in 10,000 flagged by any rule" is this figure
        # on tests/corpus/ordinary*.jsonl (texts that should give nothing at all)
        flagged, naive_flagged = _flagged(negatives, engine_text_predictor(analyzer)), \
            _flagged(negatives, naive_predictor(analyzer, TEXT_RULES))
        print(f"texts labelled with no rule that some rule flags: {len(flagged)}/"
              f"{len(negatives)} (keyword list {len(naive_flagged)})")
        if args["verbose"] and flagged:
            print(f"  {' '.join(flagged)}")
        rows.append(Row("texts with no label flagged by any rule (per 10,000)",
                        10_000 * len(flagged) / len(negatives),
                        10_000 * len(naive_flagged) / len(negatives), "",
                        "<= 5 on ordinary posts"))
    return rows


def _flagged(texts: list[dict[str, Any]], predict: Any) -> list[str]:
    return [t["id"] for t in texts if predict(t)]


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
