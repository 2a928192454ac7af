"""What a frame says: the digits found, in reading order, and the text they spell."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Box = tuple[int, int, int, int]  # x, y, w, h in the image's pixels
UNSURE = "?"


@dataclass(frozen=True)
class Digit:
    """One classified crop: the best class, how sure the model is, and where it is."""

    digit: int
    confidence: float
    box: Box
    sure: bool


@dataclass(frozen=True)
class Reading:
    """Digits in reading order, grouped into rows (top to bottom, left to right)."""

    rows: tuple[tuple[Digit, ...], ...]

    @property
    def digits(self) -> tuple[Digit, ...]:
        return tuple(d for row in self.rows for d in row)

    @property
    def text(self) -> str:
        """Rows joined by newlines; a digit the model is unsure of reads as '?'."""
        return "\n".join("".join(str(d.digit) if d.sure else UNSURE for d in row) for row in self.rows)


EMPTY = Reading(rows=())


def make_reading(boxes: Sequence[Box], rows: Sequence[Sequence[int]], probabilities: np.ndarray,
                 min_confidence: float) -> Reading:
    """Combine boxes, their reading-order rows and the model's (N, 10) probabilities into a Reading."""
    best = probabilities.argmax(axis=1) if len(probabilities) else np.zeros(0, int)
    confidence = probabilities.max(axis=1) if len(probabilities) else np.zeros(0)

    def digit(i: int) -> Digit:
        c = float(confidence[i])
        return Digit(int(best[i]), c, tuple(int(v) for v in boxes[i]), c >= min_confidence)  # type: ignore[arg-type]

    return Reading(rows=tuple(tuple(digit(i) for i in row) for row in rows if len(row)))


def to_json(reading: Reading) -> dict[str, Any]:
    """The `read --json` schema's reading part: text and digits with box in image pixels."""
    return {
        "text": reading.text,
        "digits": [{"digit": d.digit, "confidence": round(d.confidence, 4), "box": list(d.box)}
                   for d in reading.digits],
    }
