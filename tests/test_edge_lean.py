"""edge.lean: a mark that is no one digit is cut along a slant where both parts read surely."""
from __future__ import annotations

import cv2
import numpy as np

from edge.lean import lean_cuts, slanted_cuts
from edge.normalise import crops


def leaning_pair() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Two strokes leaning right, 30 px apart, the first's foot run into the second's: no upright cut parts
    them (their columns overlap), a cut leaning with them does."""
    mask = np.zeros((200, 300), np.uint8)
    cv2.line(mask, (100, 150), (140, 50), 255, 5)   # a slanted 1 ...
    cv2.line(mask, (135, 150), (175, 50), 255, 5)   # ... and another beside it
    cv2.line(mask, (100, 150), (135, 150), 255, 5)  # joined at the foot
    return mask, cv2.boundingRect(mask)


def one_hot(digit: int, confidence: float) -> np.ndarray:
    p = np.full(10, (1.0 - confidence) / 9, np.float32)
    p[digit] = confidence
    return p


def reads_strokes(sure: float):
    """A network sure of a crop holding one stroke (ink in under a third of its columns at its middle row) and
    taking anything else for no one digit."""
    def classify(batch: np.ndarray) -> np.ndarray:
        return np.array([one_hot(1, sure) if np.count_nonzero(c[14] > 0.3) <= 6 else one_hot(8, 0.4) * 0.4
                         for c in batch])
    return classify


def cropper(cut: np.ndarray, boxes: list) -> np.ndarray:
    return crops(cut, boxes)


def test_leaning_digits_run_into_each_other_are_cut_along_their_slant():
    mask, box = leaning_pair()
    before = mask.copy()
    no_digit = np.array([one_hot(8, 0.4) * 0.4])
    cut, boxes, probabilities = lean_cuts(mask, [box], no_digit, cropper, reads_strokes(0.99))
    assert len(boxes) == 2 and [int(p.argmax()) for p in probabilities] == [1, 1]
    (lx, _, lw, _), (rx, _, rw, _) = boxes
    assert lx < rx < lx + lw  # the parts' columns overlap: no upright cut gave them
    assert np.array_equal(mask, before)  # the cut is drawn into a copy ...
    assert np.count_nonzero(cut) < np.count_nonzero(mask)  # ... and kept, for the crops made later
    assert cv2.connectedComponents(cut[box[1]:box[1] + box[3], box[0]:box[0] + box[2]])[0] - 1 >= 2


def test_a_mark_is_left_whole_unless_both_parts_read_surely_or_when_it_is_one_digit():
    mask, box = leaning_pair()
    no_digit = np.array([one_hot(8, 0.4) * 0.4])
    whole = lean_cuts(mask, [box], no_digit, cropper, reads_strokes(0.95))
    assert whole[0] is mask and whole[1] == [box] and np.array_equal(whole[2], no_digit)
    doubted = np.array([one_hot(8, 0.6)])  # doubted, but one digit: second_look's business
    assert lean_cuts(mask, [box], doubted, cropper, reads_strokes(0.99))[1] == [box]


def test_every_way_leans_and_leaves_two_tall_parts():
    mask, box = leaning_pair()
    ways = slanted_cuts(mask, box)
    assert ways and all(slant != 0 for _, slant, _ in ways)
    assert all(min(a[3], b[3]) >= 0.5 * box[3] for _, _, (a, b) in ways)
    assert slanted_cuts(np.zeros((50, 50), np.uint8), (10, 10, 20, 20)) == []  # no ink: no way
