"""The public-opinion model: is a post about trouble at a platform, and how does it sound?

Rules find the candidates (a trouble event and a named platform, engine.py); this small linear
model, trained on hand-labelled real posts (scripts/train_opinion_model.py, `make model`),
decides. Inference is a dot product over a dictionary of exported weights, so loading is a
JSON read and nothing of scikit-learn is needed at run time.

Features (the same function serves training and inference, so they cannot drift apart):
- character 1- to 3-grams of the normalized text (digits folded to 0);
- words of rjieba (jieba's dictionary and algorithm in Rust, ~40x faster than jieba);
- a few facts from the rule stage: which trouble words were found, how the platform
  was named (lexicon, quoted, by context), report/statistics cues, the kind of text.
Counts are log-scaled and the vector is L2-normalized over all features of the text, including
those the model does not know.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import add, mul
from pathlib import Path

import rjieba

from settings.resources import shipped_path

MODEL_DIR = shipped_path("analyzers", "model")
MODEL_FILE = MODEL_DIR / "opinion.json"
PLATFORMS_FILE = MODEL_DIR / "platforms.txt"
MAX_MODEL_CHARS = 300       # characters of a text the model reads (see window())
LEAD_CHARS = 100            # of them before the first trouble word
SENTIMENTS = ("negative", "neutral", "positive")
FORMAT = 1
_DIGITS = re.compile(r"\d")
WORD = "\x01"   # prefix of word features
META = "\x02"   # prefix of rule-stage facts
_LOG = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Features:
    """Feature values before L2 normalization, and the factor that normalizes them: the model
    multiplies once per text instead of once per feature."""

    raw: dict[str, float]
    scale: float

    def normalized(self) -> dict[str, float]:
        """The vector the model was trained on."""
        return {k: v * self.scale for k, v in self.raw.items()}

    def __contains__(self, key: str) -> bool:
        return key in self.raw


def features(text: str, words: Iterable[str], meta: Iterable[str]) -> Features:
    """The features of a normalized text (see the module docstring). Character n-grams are keys
    as they are; words and rule facts carry a control-character prefix."""
    t = _SPACE.sub(" ", _DIGITS.sub("0", text[:MAX_MODEL_CHARS]))
    # counted in C (Counter, map): this runs for every candidate of a patrol
    bigrams = list(map(add, t, t[1:]))
    counts = Counter(t)
    counts.update(bigrams)
    counts.update(map(add, bigrams, t[2:]))
    counts.update(WORD + _DIGITS.sub("0", w) for w in (w.strip() for w in words) if len(w) >= 2)
    if max(counts.values(), default=0) < len(_LOG):
        # (the usual case, in C)
        out = dict(zip(counts, map(_LOG.__getitem__, counts.values()), strict=True))
    else:
        out = {k: _LOG[v] if v < len(_LOG) else 1.0 + math.log(v) for k, v in counts.items()}
    for m in meta:
        out[META + m] = 1.0
    values = out.values()
    norm = math.sqrt(sum(map(mul, values, values))) or 1.0
    return Features(out, 1.0 / norm)


@dataclass(frozen=True)
class Opinion:
    risk: float                      # probability that the post reports trouble at a platform
    sentiment: str                   # negative, neutral or positive
    sentiment_score: float           # P(positive) - P(negative), in [-1, 1]


def logistic(weights: dict[str, float], keys: frozenset[str], bias: float,
             feats: Features) -> float:
    """P of a binary logistic regression exported as a dictionary of weights (keys: its
    frozenset), for a text's features: the opinion model's risk and the offer gate."""
    raw = feats.raw
    # (intersection walks the text's ~1,500 features, not the model's 20,000)
    z = sum(weights[k] * raw[k] for k in keys.intersection(raw))
    x = bias + z * feats.scale
    return 1.0 / (1.0 + math.exp(-x)) if x > -60 else 0.0


class OpinionModel:
    """Exported weights of the two classifiers (risk: binary; sentiment: three classes)."""

    def __init__(self, data: dict) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"opinion model format {data.get('format')!r}, expected {FORMAT}")
        self.threshold: float = float(data["threshold"])
        self.risk_bias: float = float(data["risk"]["bias"])
        self.risk_w: dict[str, float] = data["risk"]["weights"]
        self.sent_bias: list[float] = [float(b) for b in data["sentiment"]["bias"]]
        self.sent_w: dict[str, list[float]] = data["sentiment"]["weights"]
        self.info: dict = data.get("info", {})
        self._risk_keys = frozenset(self.risk_w)
        self._sent_keys = frozenset(self.sent_w)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> OpinionModel:
        return cls(json.loads(Path(path).read_text("utf-8")))

    def risk(self, feats: Features) -> float:
        """P(the text reports trouble at the platform it names)."""
        return logistic(self.risk_w, self._risk_keys, self.risk_bias, feats)

    def sentiment(self, feats: Features) -> tuple[str, float]:
        """(label, P(positive) - P(negative))."""
        sw, raw = self.sent_w, feats.raw
        s = [0.0, 0.0, 0.0]
        for k in self._sent_keys.intersection(raw):
            ws, v = sw[k], raw[k]
            s[0] += ws[0] * v
            s[1] += ws[1] * v
            s[2] += ws[2] * v
        s = [b + x * feats.scale for b, x in zip(self.sent_bias, s, strict=True)]
        top = max(s)
        e = [math.exp(x - top) for x in s]
        total = sum(e)
        p = [x / total for x in e]
        return SENTIMENTS[max(range(3), key=lambda i: p[i])], round(p[2] - p[0], 3)

    def predict(self, feats: Features) -> Opinion:
        label, score = self.sentiment(feats)
        return Opinion(risk=self.risk(feats), sentiment=label, sentiment_score=score)


def load_platforms(path: Path = PLATFORMS_FILE) -> list[str]:
    """Platform names of the lexicon (one a line); none when the file is missing."""
    try:
        return [w.strip() for w in path.read_text("utf-8").splitlines() if w.strip()]
    except OSError:
        return []


def window(text: str, first_event: int | None) -> tuple[int, int]:
    """[start, end) of the part of a text the model reads: all of a post; on a long page,
    MAX_MODEL_CHARS around its first trouble word, so that a page costs no more than a post."""
    if len(text) <= MAX_MODEL_CHARS or first_event is None:
        return 0, min(len(text), MAX_MODEL_CHARS)
    start = max(0, min(first_event - LEAD_CHARS, len(text) - MAX_MODEL_CHARS))
    return start, start + MAX_MODEL_CHARS


def words(text: str) -> list[str]:
    """The words of a text, for the model's word features."""
    return rjieba.cut(text)
