"""The digits of one sheet are written with one pen: a mark far fainter than the writing is not writing.

A stone or laminate desk as light as the paper, the sheet's grid or edge, a shadow's border: what passes the
thresholds beside the writing is mostly grey, while a pen's ink is about equally dark in every digit, as a
share of the paper under it (so shade does not change it). A box whose darkest ink is well short of the
frame's typical digit is dropped.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.page import quantile
from edge.regions import Box
from edge.segment import Ink

FAINT = 0.5  # a box whose ink reaches less than this share of the typical digit's darkness is not writing
FEWEST = 3   # the typical digit is known from this many boxes


def same_pen(ink: Ink, mask: np.ndarray, boxes: list[Box]) -> list[Box]:
    """`boxes` without those whose ink in `mask` is far fainter than the rest's (as a share of the paper)."""
    if len(boxes) < FEWEST:
        return boxes
    dark = np.array([_darkest(ink, mask, box) for box in boxes])
    return [box for box, value in zip(boxes, dark) if value >= FAINT * float(np.median(dark))]


def _darkest(ink: Ink, mask: np.ndarray, box: Box) -> float:
    """How dark the box's darkest ink is: the 90th percentile of its darkness over its paper."""
    x, y, w, h = box
    window = (slice(y, y + h), slice(x, x + w))
    share = cv2.divide(ink.darker[window], ink.paper[window], scale=255)
    return quantile(share, mask[window], 0.9)
