"""train.touching: two or three digits whose ink joins, framed as edge frames one mark."""
from __future__ import annotations

import cv2
import numpy as np

from train.touching import TRIPLES, touching


def _rings() -> np.ndarray:
    """0s of a few widths and strokes: each digit of a touching mark keeps its hole, so holes count digits."""
    rings = np.zeros((5, 28, 28), np.uint8)
    for i in range(5):
        cv2.ellipse(rings[i], (14, 14), (5 + i % 3, 9), 0, 0, 360, 255, 2 + i % 2)
    return rings


def _outlines(crop: np.ndarray) -> tuple[int, int]:
    """(pieces of ink, holes) of a crop's ink."""
    _, hierarchy = cv2.findContours((crop > 100).astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    parents = hierarchy[0][:, 3]
    return int(np.sum(parents < 0)), int(np.sum(parents >= 0))


def test_each_mark_is_two_or_three_digits_whose_ink_is_one_piece() -> None:
    marks = touching(_rings(), 200, np.random.default_rng(0))
    assert marks.shape == (200, 28, 28) and marks.dtype == np.uint8
    outlines = [_outlines(mark) for mark in marks]
    assert all(pieces == 1 for pieces, _ in outlines)
    holes = np.array([h for _, h in outlines])
    assert set(holes) == {2, 3}
    assert abs(np.mean(holes == 3) - TRIPLES) < 0.08


def test_marks_are_framed_like_a_found_mark_wider_than_tall_in_a_20_px_box() -> None:
    for mark in touching(_rings(), 50, np.random.default_rng(1)):
        x, y, w, h = cv2.boundingRect((mark > 0).astype(np.uint8))
        assert 19 <= w <= 22 and w >= h  # fitted by its longer side, as edge.normalise fits a mark
        ys, xs = np.nonzero(mark)
        centre = np.average(np.stack([ys, xs]), axis=1, weights=mark[ys, xs].astype(float))
        assert np.abs(centre - 14).max() < 1.5


def test_the_same_seed_gives_the_same_marks() -> None:
    a = touching(_rings(), 20, np.random.default_rng(5))
    np.testing.assert_array_equal(a, touching(_rings(), 20, np.random.default_rng(5)))
    assert not np.array_equal(a, touching(_rings(), 20, np.random.default_rng(6)))


def test_an_empty_image_is_never_part_of_a_mark() -> None:
    images = np.concatenate([_rings(), np.zeros((5, 28, 28), np.uint8)])
    marks = touching(images, 30, np.random.default_rng(2))
    assert all(_outlines(mark)[1] >= 2 for mark in marks)
