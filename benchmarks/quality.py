"""Per-rule precision and recall on the hand-labeled corpus: the engine against a naive baseline.

    .venv/bin/python benchmarks/quality.py [--corpus tests/corpus] [--rules config/rules.yaml]
    .venv/bin/python benchmarks/quality.py --corpus tests/corpus/heldout.jsonl

--corpus is a directory (texts.jsonl, enterprises.jsonl and licensed.txt inside it) or one texts
file; for a file, the enterprise records are the sibling `<stem>_enterprises.jsonl` (e.g.
heldout.jsonl -> heldout_enterprises.jsonl) unless --enterprises names another, and the licensed
list is the sibling licensed.txt unless --licensed names another.

The baseline is what a keyword list does: plain substring search of the same lexicon words in
the raw text, no normalization, no context, no rates. The engine is the analyzers package.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus",
                        help="corpus directory, or one texts .jsonl file")
    parser.add_argument("--enterprises", type=Path, default=None,
                        help="enterprise records .jsonl (default: found next to the corpus)")
    parser.add_argument("--licensed", type=Path, default=None,
                        help="licensed-institution list (default: licensed.txt next to the corpus)")
    parser.add_argument("--rules", type=Path, default=ROOT / "config" / "rules.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the ids of errors")
    args = parser.parse_args()

    texts_path, ents_path, licensed = corpus_files(args.corpus, args.enterprises, args.licensed)
    analyzer = Analyzer(args.rules, licensed if licensed.is_file() else None)
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
    if args.verbose:
        for rid, s in engine.items():
            if s.fp_ids or s.fn_ids:
                print(f"engine {rid}: FP {s.fp_ids} FN {s.fn_ids}")
        for rec_id, rate in missing:
            print(f"missing rate {rate} in {rec_id}")
        for rec_id, rate in extra:
            print(f"unexpected rate {rate} in {rec_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
