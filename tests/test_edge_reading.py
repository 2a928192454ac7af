"""Readings: reading order, unsure digits as '?', and the JSON schema of `read --json`."""
from __future__ import annotations

import numpy as np

from edge.reading import EMPTY, make_reading, to_json


def _onehot(digits: list[int], confidence: float) -> np.ndarray:
    p = np.full((len(digits), 10), (1 - confidence) / 9, np.float32)
    p[np.arange(len(digits)), digits] = confidence
    return p


def test_rows_make_lines_of_text() -> None:
    boxes = [(10, 10, 5, 8), (30, 10, 5, 8), (10, 40, 5, 8)]
    reading = make_reading(boxes, [[0, 1], [2]], _onehot([4, 2, 7], 0.9), min_confidence=0.5)
    assert reading.text == "42\n7"
    assert [d.box for d in reading.digits] == boxes


def test_unsure_digit_reads_as_question_mark() -> None:
    p = np.vstack([_onehot([3], 0.95), _onehot([8], 0.3)])
    reading = make_reading([(0, 0, 1, 1), (5, 0, 1, 1)], [[0, 1]], p, min_confidence=0.5)
    assert reading.text == "3?"
    assert [d.sure for d in reading.digits] == [True, False]
    assert make_reading([(0, 0, 1, 1), (5, 0, 1, 1)], [[0, 1]], p, min_confidence=0.2).text == "38"


def test_json_schema() -> None:
    reading = make_reading([(1, 2, 3, 4)], [[0]], _onehot([5], 0.876543), min_confidence=0.5)
    doc = to_json(reading)
    assert doc == {"text": "5", "digits": [{"digit": 5, "confidence": 0.8765, "box": [1, 2, 3, 4]}]}
    assert all(type(v) is int for v in doc["digits"][0]["box"])
    assert to_json(EMPTY) == {"text": "", "digits": []}


def test_no_crops_no_digits() -> None:
    assert make_reading([], [], np.zeros((0, 10), np.float32), 0.5).text == ""
