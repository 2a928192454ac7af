"""Which part of the frame is the sheet of paper: writing is only looked for there.

A desk beside the sheet holds grain, speckles and dirt that threshold like ink, and the sheet's own edge
thresholds like a stroke. The paper's brightness (edge.segment.paper_brightness, strokes already erased) shows
the sheet as bright ground bounded by a hard step, while a shadow on the sheet only dims it gradually. So the
ground is cut at hard steps, and the page is every large piece of it about as bright as the brightest paper:
the sheet with its shadows, and a desk as light as the paper (which costs nothing more than today).
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.params import DetectParams

ABRUPT = 0.45  # an edge's change over 3 low-resolution pixels is at least this share of its change over 7


def page_region(closed: np.ndarray, bright: float, params: DetectParams = DetectParams()) -> np.ndarray:
    """uint8 at the size of `closed` (the paper's brightness, low resolution): 1 on the page, 0 off it.

    `bright` is the brightest paper's brightness: the 95th percentile of `closed` (`quantile`).
    """
    brightest, step = _step(closed, 3)
    _, wide_step = _step(closed, 7)
    # An edge is steep and abrupt: nearly all of the change seen over 7 pixels happens within 3. A shadow's
    # edge, however dark, spreads its change out.
    hard = cv2.bitwise_and(cv2.compare(step, cv2.convertScaleAbs(brightest, alpha=params.page_step), cv2.CMP_GT),
                           cv2.compare(step, cv2.convertScaleAbs(wide_step, alpha=ABRUPT), cv2.CMP_GT))
    if not cv2.countNonZero(hard):
        return np.ones_like(closed)  # no hard step anywhere: the paper fills the frame
    # Grain or a ruled line's end can break an edge's outline for a pixel or two; a leak would join the desk.
    smooth = cv2.bitwise_not(cv2.dilate(hard, np.ones((3, 3), np.uint8)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(smooth, connectivity=4)
    if count <= 2:
        return np.ones_like(closed)  # the hard steps cut nothing off: one piece of ground
    large = stats[:, cv2.CC_STAT_AREA] >= params.page_min_area * closed.size
    large[0] = False
    page = np.zeros_like(closed)
    for label in np.flatnonzero(large):
        piece = cv2.compare(labels, float(label), cv2.CMP_EQ)
        if quantile(closed, piece, 0.9) >= params.page_ground * bright:
            page[piece > 0] = 1
    return page


def quantile(image: np.ndarray, where: np.ndarray | None, share: float) -> float:
    """The `share` quantile of a uint8 image's values (over `where`, when given), from its histogram."""
    histogram = cv2.calcHist([image], [0], where, [256], [0, 256]).ravel()
    return float(np.searchsorted(np.cumsum(histogram), share * histogram.sum()))


def _step(closed: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The brightest value within a `size` square around each pixel, and the change of brightness there."""
    near = np.ones((size, size), np.uint8)
    brightest = cv2.dilate(closed, near, borderType=cv2.BORDER_REPLICATE)
    return brightest, cv2.subtract(brightest, cv2.erode(closed, near, borderType=cv2.BORDER_REPLICATE))
