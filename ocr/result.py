"""What OCR read in one image: text boxes (words, corner box, confidence) and the image size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TextBox:
    text: str
    box: tuple[int, int, int, int]   # x0, y0, x1, y1 in image pixels
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": list(self.box), "score": round(self.score, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TextBox:
        x0, y0, x1, y1 = (int(v) for v in d["box"])
        return cls(str(d["text"]), (x0, y0, x1, y1), float(d.get("score", 0.0)))


@dataclass(frozen=True)
class OcrResult:
    width: int
    height: int
    boxes: tuple[TextBox, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """One line per box, in reading order: what the analyzers read."""
        return "\n".join(b.text for b in self.boxes)

    def box_at(self, offset: int) -> TextBox | None:
        """The box whose line holds character `offset` of `text`."""
        pos = 0
        for b in self.boxes:
            end = pos + len(b.text)
            if pos <= offset < end or offset == end and b is self.boxes[-1]:
                return b
            pos = end + 1
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height,
                "boxes": [b.to_dict() for b in self.boxes]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> OcrResult:
        return cls(int(d["width"]), int(d["height"]),
                   tuple(TextBox.from_dict(b) for b in d.get("boxes", [])))
