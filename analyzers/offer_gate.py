"""The offer gate: does a post that rules 1-8 flag offer something to its readers?

Rules 1-8 are about what a text offers (rules.md). In a social-media post their words are as
often used in an everyday sense: a team lead's 兜底, a guild's 拉人头, a joke's 年化收益率. The
rules and their context words (unless, offer_cues, quoting) catch many of those; this small
linear model, trained on the project's hand-written corpus (offers against everyday posts,
scripts/train_offer_gate.py), decides the rest: a post whose rules 1-8 findings it scores below
its threshold keeps none of them. Pages, ads and notices never pass through it, and neither do
public_risk findings (the opinion model decides those).

Features are those of the opinion model (analyzers/opinion.py: character 1- to 3-grams of the
normalized text, log-scaled, L2-normalized), without words or rule facts: the same function
serves training and inference. Loading is a JSON read; inference is a dot product.
"""

from __future__ import annotations

import json
from pathlib import Path

from .opinion import MODEL_DIR, features, logistic

GATE_FILE = MODEL_DIR / "offer_gate.json"
FORMAT = 1


class OfferGate:
    """Exported weights of one logistic regression and the threshold chosen for it."""

    def __init__(self, data: dict) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"offer gate format {data.get('format')!r}, expected {FORMAT}")
        self.threshold: float = float(data["threshold"])
        self.bias: float = float(data["bias"])
        self.weights: dict[str, float] = data["weights"]
        self.info: dict = data.get("info", {})
        self._keys = frozenset(self.weights)

    @classmethod
    def load(cls, path: Path = GATE_FILE) -> OfferGate:
        return cls(json.loads(Path(path).read_text("utf-8")))

    def probability(self, text: str) -> float:
        """P(the normalized post offers something), from its first MAX_MODEL_CHARS characters."""
        return logistic(self.weights, self._keys, self.bias, features(text, (), ()))

    def offers(self, text: str) -> bool:
        return self.probability(text) >= self.threshold
