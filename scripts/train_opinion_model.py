#!/usr/bin/env python3
"""Train the public-opinion model (analyzers/model/opinion.json) on the labelled real posts.

    python scripts/train_opinion_model.py --data /path/to/realdata      (or: make model DATA=...)

Trains on the `train` split of tests/realdata/labels/ccf2019.csv (joined to the local copy of
the CCF 2019 posts given by --data) and, for the risk model, also on the project's own corpus
(tests/corpus/texts.jsonl; its held-out files are never read). Rows with split=heldout are
never read here. Two logistic regressions over the features of analyzers/opinion.py:
  - risk: does the post report trouble at a named platform (public_risk 1/0);
  - sentiment: negative / neutral / positive.
The decision threshold is chosen on cross-validated predictions of the training rows,
repeated REPEATS times with different folds and pooled: the lowest threshold at which at most
TARGET_FP of the random sample's negative posts would be flagged. One 5-fold run on the first
labels moved the chosen threshold between 0.34 and 0.95 (few negatives are rule candidates at
all). Nested cross-validation on the train split (5 outer folds, the threshold chosen inside
each as here) realised 0.91% false alarms at recall 0.87 for TARGET_FP 1%, 0.91% at recall
0.83 for 0.6%, and 1.45% at recall 0.90 for 1.25%: the realised share runs above the target,
hence a target below the issue's 1.5%. Weights are exported as a
dictionary (the largest MAX_FEATURES by magnitude), so that inference is a dot product without
scikit-learn. Deterministic: fixed folds, a deterministic solver, sorted output.

Rows of every sample are trained on (random, prefilter, active: docs/labelling.md); the
threshold is judged on the random sample only, the one that stands for real traffic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "analyzers" / "model" / "opinion.json"
CORPUS = ROOT / "tests" / "corpus" / "texts.jsonl"
TARGET_FP = 0.01         # share of random-sample negative posts flagged, cross-validated
REPEATS = 5              # cross-validation runs pooled to choose the threshold
MAX_FEATURES = 20000     # per model, by weight magnitude
C_RISK = 64.0
C_SENTIMENT = 4.0
FOLDS = 5
SEED = 20191201
CORPUS_WEIGHT = 6.0      # chosen by cross-validated corpus recall at equal real-data figures


def _records(data: Path) -> tuple[list[tuple[str, str, int, str, bool]], list[str]]:
    """(text, kind, risk, sentiment, random_sample) of every training row."""
    from tests.realdata.datasets import ccf_labelled

    rows = []
    for rec in ccf_labelled(data):
        if rec.split != "train":
            continue  # held-out rows are for reporting only
        rows.append((rec.text, "post", int(rec.labels["public_risk"]), rec.labels["sentiment"],
                     rec.labels.get("sample") == "random"))
    corpus = []
    for line in CORPUS.read_text("utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            corpus.append((r["text"], r.get("kind", "page"),
                           int("public_risk" in r["labels"]), "", False))
    return rows + corpus, [r[0] for r in rows]


def _export(names: list[str], coef, max_features: int) -> dict[str, object]:
    import numpy as np

    coef = np.atleast_2d(coef)
    strength = np.abs(coef).max(axis=0)
    keep = np.argsort(-strength, kind="stable")[:max_features]
    keep = sorted(int(i) for i in keep if strength[i] > 1e-4)
    if coef.shape[0] == 1:
        return {names[i]: round(float(coef[0, i]), 4) for i in keep}
    return {names[i]: [round(float(x), 4) for x in coef[:, i]] for i in keep}


def train(data: Path) -> dict[str, object]:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from analyzers import Analyzer
    from analyzers.opinion import FORMAT, SENTIMENTS

    analyzer = Analyzer(ROOT / "config" / "rules.yaml", ROOT / "config" / "licensed.txt",
                        opinion_model=None)
    rows, _ = _records(data)
    feats, cands = zip(*(analyzer.opinion_features(text, kind) for text, kind, *_ in rows),
                       strict=True)
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(feats).tocsr()
    x.indices = x.indices.astype(np.int32)  # liblinear takes 32-bit indices only
    x.indptr = x.indptr.astype(np.int32)
    names = list(vec.get_feature_names_out())
    y = np.array([r[2] for r in rows])

    risk = LogisticRegression(C=C_RISK, solver="liblinear", max_iter=2000)
    # the project's corpus is small and clean: weigh it up so that its plain cases hold
    weight = np.array([1.0 if r[3] else CORPUS_WEIGHT for r in rows])
    cand = np.tile(np.array(cands), REPEATS)
    negatives = np.tile(np.array([r[2] == 0 and r[4] for r in rows]), REPEATS)
    positives = np.tile(np.array([r[2] == 1 and r[4] for r in rows]), REPEATS)
    p = np.concatenate([cross_val_predict(
        risk, x, y, method="predict_proba", params={"sample_weight": weight},
        cv=StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED + i))[:, 1]
        for i in range(REPEATS)])
    threshold = 0.95
    for t in (round(float(t), 2) for t in np.arange(0.05, 0.96, 0.01)):
        if float((cand & (p >= t) & negatives).sum()) / max(1, negatives.sum()) <= TARGET_FP:
            threshold = t
            break
    flagged = cand & (p >= threshold)
    cv = {"threshold": threshold, "repeats": REPEATS,
          "recall": round(float((flagged & positives).sum()) / max(1, positives.sum()), 3),
          "fp_rate": round(float((flagged & negatives).sum()) / max(1, negatives.sum()), 4),
          "candidate_recall": round(float((cand & positives).sum()) / max(1, positives.sum()), 3)}
    risk.fit(x, y, sample_weight=weight)

    srows = [i for i, r in enumerate(rows) if r[3]]
    ys = np.array([SENTIMENTS.index(rows[i][3]) for i in srows])
    sent = LogisticRegression(C=C_SENTIMENT, solver="lbfgs", max_iter=3000)
    ps = cross_val_predict(sent, x[srows], ys,
                           cv=StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED))
    cv["sentiment_accuracy"] = round(float((ps == ys).mean()), 3)
    sent.fit(x[srows], ys)
    return {
        "format": FORMAT,
        "threshold": threshold,
        "risk": {"bias": round(float(risk.intercept_[0]), 4),
                 "weights": _export(names, risk.coef_, MAX_FEATURES)},
        "sentiment": {"bias": [round(float(b), 4) for b in sent.intercept_],
                      "weights": _export(names, sent.coef_, MAX_FEATURES)},
        "info": {"trained_on": f"ccf2019 train split ({sum(1 for r in rows if r[3])} posts) "
                               f"+ tests/corpus/texts.jsonl", "cross_validated": cv},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="folder of the local datasets")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        model = train(args.data)
    except (ImportError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True,
                                   separators=(",", ":")) + "\n", "utf-8")
    print(f"{args.out}: {args.out.stat().st_size // 1024} KiB; cross-validated on the training "
          f"rows: {json.dumps(model['info']['cross_validated'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
