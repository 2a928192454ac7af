"""Smoothing: a reading holds still through single-frame misreads and changes when the paper does."""
from __future__ import annotations

import numpy as np
import pytest

from edge.smooth import Smoother, iou


def _one_row(boxes):
    return [sorted(range(len(boxes)), key=lambda i: boxes[i][0])] if boxes else []


def _probs(digits: list[int], confidence: float = 0.9) -> np.ndarray:
    p = np.full((len(digits), 10), (1 - confidence) / 9, np.float32)
    p[np.arange(len(digits)), digits] = confidence
    return p


BOXES = [(10, 10, 20, 30), (40, 11, 20, 30), (70, 9, 20, 30)]


def test_iou() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(1 / 3)


def test_digits_appear_after_min_hits() -> None:
    s = Smoother(_one_row, min_hits=3)
    texts = [s.update(BOXES, _probs([1, 2, 3])).text for _ in range(3)]
    assert texts == ["", "", "123"]


def test_a_single_misread_frame_does_not_change_the_reading() -> None:
    s = Smoother(_one_row, window=8, min_hits=2)
    for _ in range(5):
        s.update(BOXES, _probs([1, 2, 3]))
    assert s.update(BOXES, _probs([7, 2, 3])).text == "123"


def test_jitter_keeps_tracks_and_a_missed_frame_keeps_the_digit() -> None:
    s = Smoother(_one_row, min_hits=2, max_missed=3)
    rng = np.random.default_rng(0)
    for _ in range(6):
        jittered = [(x + int(rng.integers(-2, 3)), y + int(rng.integers(-2, 3)), w, h) for x, y, w, h in BOXES]
        reading = s.update(jittered, _probs([4, 5, 6]))
    assert reading.text == "456"
    assert s.update(BOXES[:2], _probs([4, 5])).text == "456"  # the 6 blinked out for one frame


def test_new_paper_replaces_the_reading() -> None:
    s = Smoother(_one_row, window=4, min_hits=2, max_missed=2)
    for _ in range(5):
        s.update(BOXES, _probs([1, 2, 3]))
    other = [(200, 100, 25, 35)]
    texts = [s.update(other, _probs([9])).text for _ in range(4)]
    assert texts[-1] == "9"
    assert texts[0] == "123"  # not yet: one frame of new paper is not enough


def test_low_vote_reads_as_unsure_and_reset_clears() -> None:
    s = Smoother(_one_row, min_hits=1, min_confidence=0.6)
    assert s.update(BOXES[:1], _probs([8], confidence=0.4)).text == "?"
    s.reset()
    assert s.update([], _probs([])).text == ""


def test_a_digit_split_in_two_for_a_frame_stays_one_digit() -> None:
    s = Smoother(_one_row, min_hits=2)
    one = [(100, 50, 6, 40)]
    for _ in range(4):
        s.update(one, _probs([1]))
    for _ in range(4):
        reading = s.update([(98, 50, 4, 40), (103, 50, 4, 40)], _probs([1, 1]))
    assert reading.text == "1"


def test_thin_digit_shifting_sideways_keeps_its_track() -> None:
    s = Smoother(_one_row, min_hits=3)
    texts = [s.update([(100 + 4 * k, 50, 5, 40)], _probs([1])).text for k in range(5)]
    assert texts[2:] == ["1", "1", "1"]


def test_new_paper_with_digits_in_the_same_place_does_not_inherit_old_votes() -> None:
    s = Smoother(_one_row, min_hits=2, window=8)
    for _ in range(6):
        s.update([(100, 100, 20, 30)], _probs([7]))
    bigger = [(95, 90, 50, 60)]  # a bigger digit written where the small one was
    texts = [s.update(bigger, _probs([3])).text for _ in range(3)]
    assert texts[-1] == "3"
    assert "7" not in texts[1:]  # the old digit leaves the screen within two frames
