"""Centre lines of MNIST-sized digits: one pixel wide, where the stroke was, found for a whole batch at once."""
from __future__ import annotations

import cv2
import numpy as np

from train.strokes import centre_lines, thin


def _ring() -> np.ndarray:
    digit = np.zeros((28, 28), np.uint8)
    cv2.circle(digit, (14, 14), 7, 255, 3)  # a thick "0"
    return digit


def test_a_thick_ring_becomes_a_closed_one_pixel_ring_at_twice_the_size() -> None:
    line = centre_lines(_ring()[None])[0]
    assert line.shape == (56, 56) and line.dtype == np.uint8
    on = line > 0
    count, _ = cv2.connectedComponents(on.astype(np.uint8), connectivity=8)
    holes, _ = cv2.connectedComponents((~on).astype(np.uint8), connectivity=4)
    assert count - 1 == 1 and holes - 1 == 2  # one stroke, still closed around its hole
    radius = np.hypot(*(np.nonzero(on) - np.array([[28.5], [28.5]])))
    assert abs(np.median(radius) - 14.0) < 1.5  # along the middle of the stroke
    assert on.sum() < 1.3 * 2 * np.pi * 14  # about as long as the circle: one pixel wide


def test_a_batch_is_thinned_as_each_of_its_masks_alone() -> None:
    rng = np.random.default_rng(0)
    masks = np.zeros((6, 40, 40), bool)
    for mask in masks:
        x, y = rng.integers(5, 15, size=2)
        mask[y:y + rng.integers(8, 20), x:x + rng.integers(4, 20)] = True  # blocks, thick and thin
    together = thin(masks)
    for mask, line in zip(masks, together):
        np.testing.assert_array_equal(thin(mask), line)
        assert line.any() and not (line & ~mask).any()
