"""The digits of one sheet are written with one pen: a mark far fainter, or far broader, than the writing is not.

A stone or laminate desk as light as the paper, the sheet's grid or edge, a shadow's border: what passes the
thresholds beside the writing is mostly grey, while a pen's ink is about equally dark in every digit, as a
share of the paper under it (so shade does not change it). And a pen draws strokes of one width, while the
blotches of a speckled desk are solid. A box whose darkest ink is well short of the frame's typical digit,
or whose strokes are twice as broad, is dropped; unless they are as broad as the rest's along their middle
too, where most of a digit is its pen's line even when a small loop is inked solid (a 2's, a 9's) and
doubles its ink for its outline.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.normalise import middle, stroke_width
from edge.page import quantile
from edge.regions import Box
from edge.segment import Ink

FAINT = 0.5  # a box whose ink reaches less than this share of the typical digit's darkness is not writing
BROAD = 2.0  # ... nor one whose strokes are this many times as broad as the typical digit's
FEWEST = 3   # the typical digit is known from this many boxes


def same_pen(ink: Ink, mask: np.ndarray, boxes: list[Box]) -> list[Box]:
    """`boxes` without those whose ink in `mask` is far fainter than the rest's (as a share of the paper) or
    whose strokes are far broader."""
    if len(boxes) < FEWEST:
        return boxes
    dark = np.array([darkest(ink, mask, box) for box in boxes])
    crops = [mask[y:y + h, x:x + w] for x, y, w, h in boxes]
    width = np.array([stroke_width(crop) for crop in crops])
    broad = width > BROAD * float(np.median(width))
    if broad.any():  # ... unless broad only in places: a small loop inked solid
        middle = np.array([breadth(crop) for crop in crops])
        broad &= middle > BROAD * float(np.median(middle))
    keep = (dark >= FAINT * float(np.median(dark))) & ~broad
    return [box for box, kept in zip(boxes, keep) if kept]


def breadth(ink: np.ndarray) -> float:
    """How broad a mark's strokes are (uint8, 255 = ink): twice the median distance to the outline along
    their middle (`normalise.middle`), 0 for no ink."""
    along = middle(ink)
    return 2.0 * float(np.median(along)) if along.size else 0.0


def darkest(ink: Ink, mask: np.ndarray, box: Box) -> float:
    """How dark the box's darkest ink is: the 90th percentile of its darkness over its paper (0-255)."""
    x, y, w, h = box
    window = (slice(y, y + h), slice(x, x + w))
    share = cv2.divide(ink.darker[window], ink.paper[window], scale=255)
    return quantile(share, mask[window], 0.9)


def passed_by(ink: Ink, mask: np.ndarray, box: Box) -> float:
    """How many times the darkness a pixel needed at the box's centre (`Ink.need`) the box's ink is, by its
    median over `mask`: near 1, the digit only just passed the frame's bar, and one written a little fainter
    beside it may not have."""
    x, y, w, h = box
    window = (slice(y, y + h), slice(x, x + w))
    level = quantile(ink.darker[window], mask[window], 0.5)
    row = min((y + h // 2) // ink.step, ink.need.shape[0] - 1)
    column = min((x + w // 2) // ink.step, ink.need.shape[1] - 1)
    return level / max(1.0, float(ink.need[row, column]))
