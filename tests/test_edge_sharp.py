"""edge.sharp: a written digit has a sharp edge; a soft dark blob (a noise pattern's, a shadow's core) does not."""
from __future__ import annotations

import cv2
import numpy as np

from edge.segment import Ink
from edge.sharp import SOFT, sharp, softness


def frame() -> tuple[Ink, np.ndarray, list[tuple[int, int, int, int]]]:
    """A blurred pen "4" (darkness 80), and a soft dark patch of a noise pattern (darkness 40 at its middle,
    fading out over some 30 px) that just passes the frame's threshold (30), as its tops do."""
    darker = np.zeros((200, 300), np.float32)
    cv2.putText(darker, "4", (30, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 80.0, 6)
    darker = cv2.GaussianBlur(darker, (0, 0), 1.2)
    yy, xx = np.mgrid[:200, :300]
    darker += 40.0 * np.exp(-((xx - 220) ** 2 + (yy - 100) ** 2) / (2 * 30.0 ** 2))
    darker = darker.astype(np.uint8)
    mask = np.where(darker > 30, np.uint8(255), np.uint8(0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    boxes = [tuple(int(v) for v in stats[i, :4]) for i in range(1, count)]
    small = (50, 75)
    ink = Ink(mask, darker, np.full_like(darker, 200), np.zeros_like(mask), np.full(small, 30, np.uint8),
              np.full(small, 10, np.uint8), np.zeros(small, np.uint8), 4)
    return ink, mask, sorted(boxes)


def test_the_soft_blob_is_dropped_and_the_pen_stroke_kept():
    ink, mask, boxes = frame()
    assert len(boxes) == 2  # the 4 (left), the blob (right)
    four, blob = softness(ink, mask, boxes)
    assert four < 0.3 and blob > SOFT
    assert sharp(ink, mask, boxes) == [boxes[0]]


def test_no_boxes_and_a_mark_filling_its_window_are_handled():
    ink, mask, _ = frame()
    assert sharp(ink, mask, []) == [] and softness(ink, mask, []) == []
    full = np.full_like(mask, 255)  # no ground around it in the frame: nothing says it is soft
    assert softness(ink, full, [(0, 0, 300, 200)]) == [0.0]
