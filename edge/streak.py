"""A sliver the page's faint print runs on from, past both its ends, is a piece of that print, not a 1.

A margin or a rule drawn faint (a pink margin in grey, a pale grid) passes the frame's thresholds in
pieces; a piece is thin, straight and upright, and the network reads it as a 1, surely. A written 1 stands
on paper: along its axis, a stroke's length past either end, the page is as light as anywhere (a 1 under or
over another digit meets it on one side only). A piece of print has the print's darkness there on both sides.
Of the 668 slivers that were digits on 22 generated sets, none had ground past its ends more than 0.38 as dark
as its ink on both sides (99%: 0.25); of the 31 that were no digit, seven had 0.54 to 1.06: margins, grid lines.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.grain import SLIVER
from edge.regions import Box

ON = 0.5      # the print past both ends is at least this share as dark as the sliver's ink ...
GAP = 3       # ... looked at from this many pixels past its ends, for as far again as it is long
SIDE = 1      # ... and this many pixels either side of the axis (the print's line wavers, JPEG blurs it)


def off_lines(darker: np.ndarray, mask: np.ndarray, boxes: list[Box]) -> list[Box]:
    """`boxes` without the slivers whose axis the page's darkness (`darker`, uint8, the mask's size) follows
    past both their ends."""
    return [box for box in boxes if not _runs_on(darker, mask, box)]


def _runs_on(darker: np.ndarray, mask: np.ndarray, box: Box) -> bool:
    x, y, w, h = box
    if h < SLIVER * w:
        return False
    ink = mask[y:y + h, x:x + w]
    points = cv2.findNonZero(ink)
    if points is None or len(points) < 2:
        return False
    vx, vy, cx, cy = (float(v) for v in cv2.fitLine(points, cv2.DIST_L2, 0, 0.01, 0.01).ravel())
    cx, cy = cx + x, cy + y
    own = float(np.median(darker[y:y + h, x:x + w][ink > 0]))  # the sliver's ink
    if own <= 0:
        return False
    before = _along(darker, cx, cy, vx, vy, np.arange(-1.5 * h, -h / 2 - GAP))
    after = _along(darker, cx, cy, vx, vy, np.arange(h / 2 + GAP, 1.5 * h))
    return min(before, after) >= ON * own


def _along(darker: np.ndarray, cx: float, cy: float, vx: float, vy: float, steps: np.ndarray) -> float:
    """The median over `steps` along the axis of the darkest pixel within SIDE across it (-1 off the frame)."""
    px = np.round(cx + steps * vx).astype(int)
    py = np.round(cy + steps * vy).astype(int)
    height, width = darker.shape
    inside = (py >= 0) & (py < height) & (px >= SIDE) & (px < width - SIDE)
    if not inside.any():
        return -1.0
    px, py = px[inside], py[inside]
    across = np.max([darker[py, px + d] for d in range(-SIDE, SIDE + 1)], axis=0)
    return float(np.median(across))
