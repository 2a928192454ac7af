"""edge.lean: a mark that is no one digit is cut along a slant or a bending path where both parts read surely,
and three digits run together in two cuts."""
from __future__ import annotations

import cv2
import numpy as np

from edge.lean import lean_cuts, path_cuts, slanted_cuts
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
    for paper, _ in ways:  # from the box's top to its bottom, not upright
        columns = [np.flatnonzero(row) for row in paper]
        assert all(len(c) for c in columns) and columns[0].mean() != columns[-1].mean()
    assert ways and all(min(a[3], b[3]) >= 0.5 * box[3] for _, (a, b) in ways)
    assert slanted_cuts(np.zeros((50, 50), np.uint8), (10, 10, 20, 20)) == []  # no ink: no way


def bowed_pair() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Two strokes bowed the same way, one beside the other, touching at their bulges: the paper between them
    bends like they do, so every straight cut takes a piece of one into the other, a path bending with them
    does not."""
    mask = np.zeros((200, 300), np.uint8)
    t = np.linspace(0, 1, 60)
    for shift in (0, 20):
        arc = np.stack([100 + shift + 25 * np.sin(np.pi * t), 40 + 80 * t], axis=1).round().astype(np.int32)
        cv2.polylines(mask, [arc], False, 255, 5)
    cv2.line(mask, (125, 80), (145, 80), 255, 5)  # where they touch
    return mask, cv2.boundingRect(mask)


def single_strokes(digit: int, sure: float = 0.99):
    """A network sure (`sure`) that a crop holding one stroke, crossing each row once, is `digit`, and taking
    anything else for no one digit."""
    def one_stroke(crop: np.ndarray) -> bool:
        ink = crop > 0.3
        runs = ink[:, 0].astype(int) + np.count_nonzero(ink[:, 1:] & ~ink[:, :-1], axis=1)
        return cv2.connectedComponents(ink.astype(np.uint8))[0] - 1 == 1 and int(runs.max()) <= 1

    def classify(batch: np.ndarray) -> np.ndarray:
        return np.array([one_hot(digit, sure) if one_stroke(c) else one_hot(8, 0.4) * 0.4 for c in batch])
    return classify


def test_a_path_bends_with_bowed_strokes_that_no_straight_cut_parts():
    mask, box = bowed_pair()
    straight = [single_strokes(1)(crops(mask, list(parts))) for _, parts in slanted_cuts(mask, box)]
    assert not any(min(float(p.max()) for p in r) >= 0.97 for r in straight)  # each takes a piece of the other
    ways = path_cuts(mask, box)
    assert ways
    for paper, (a, b) in ways:  # from top to bottom, two pixels wide, stepping one pixel sideways at most
        columns = [np.flatnonzero(row) for row in paper]
        assert all(len(c) == 2 and c[1] == c[0] + 1 for c in columns)
        assert all(abs(int(c[0]) - int(d[0])) <= 1 for c, d in zip(columns, columns[1:]))
        assert min(a[3], b[3]) >= 0.5 * box[3]
    cut, boxes, probabilities = lean_cuts(mask, [box], np.array([one_hot(8, 0.4) * 0.4]), cropper,
                                          single_strokes(1))
    assert len(boxes) == 2 and [int(p.argmax()) for p in probabilities] == [1, 1]
    assert path_cuts(np.zeros((50, 50), np.uint8), (10, 10, 20, 20)) == []  # no ink: no way


def three_run_together() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Three upright strokes 60 px apart joined at their feet: cut once, one stroke and a pair."""
    mask = np.zeros((200, 300), np.uint8)
    for x in (60, 120, 180):
        cv2.line(mask, (x, 50), (x, 150), 255, 5)
    cv2.line(mask, (60, 150), (180, 150), 255, 5)
    return mask, cv2.boundingRect(mask)


def test_three_digits_run_together_are_cut_twice_unless_a_part_is_a_1():
    mask, box = three_run_together()
    no_digit = np.array([one_hot(8, 0.4) * 0.4])
    cut, boxes, probabilities = lean_cuts(mask, [box], no_digit, cropper, single_strokes(7))
    assert len(boxes) == 3 and [int(p.argmax()) for p in probabilities] == [7, 7, 7]
    count, labels = cv2.connectedComponents(cut)
    assert count - 1 == 3 and len({labels[100, x] for x in (60, 120, 180)} - {0}) == 3  # a stroke each
    assert lean_cuts(mask, [box], no_digit, cropper, single_strokes(7), again=False)[1] == [box]
    assert lean_cuts(mask, [box], no_digit, cropper, single_strokes(1))[1] == [box]  # slivers of one digit
    assert lean_cuts(mask, [box], no_digit, cropper, single_strokes(7, 0.98))[1] == [box]  # each cut sure, not all
