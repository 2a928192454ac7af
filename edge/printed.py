"""A mark no darker than the page's print is a piece of that print, not writing.

Rules and grids are printed light so that writing stands out on them. The line search takes out the lines it
finds, but where a line stops short of them, a grid's stubs by the sheet's edge stay, and the network reads a
stub crossing a stub as a 4, a 7 or a 1: a blank squared sheet read "4 4 1741447444". Ink is darker: of the
3,641 digits a first look found on pages with print (18 generated sets), 2, both in pencil, were no darker than
the print at the 75th percentile of both; of the 32 marks that were no digit, 27 were.
Only a page with much print says how dark its print is: a sheet's edges alone are no print. And a harder look
(`DetectParams.harder_look`) keeps such marks: the faint writing it looks for may be as faint as the print.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.page import quantile
from edge.regions import Box

PRINT_SHARE = 0.003  # print covers this share of the frame at least (a ruled page, a grid) to be measured ...
PERCENTILE = 0.75    # ... and a mark's ink is darker than it at this quantile of both's darkness


def darker_than_print(darker: np.ndarray, lines: np.ndarray, mask: np.ndarray, boxes: list[Box]) -> list[Box]:
    """`boxes` without those whose ink in `mask` (255 = ink) is no darker than the print in `lines` (255 = the
    pixels of ruled lines, grids and edges taken out); `darker`: how much darker than its paper each pixel is.
    All three are the analysis frame's size."""
    if not boxes or cv2.countNonZero(lines) < PRINT_SHARE * lines.size:
        return boxes
    printed = cv2.bitwise_and(lines, cv2.compare(darker, 0, cv2.CMP_GT))  # the print's own pixels, not paper
    if cv2.countNonZero(printed) < PRINT_SHARE * lines.size:
        return boxes
    bar = quantile(darker, printed, PERCENTILE)
    return [box for box in boxes if _ink_darkness(darker, mask, box) > bar]


def _ink_darkness(darker: np.ndarray, mask: np.ndarray, box: Box) -> float:
    """How dark a box's ink is, at PERCENTILE (a stroke's core, not its blurred edge); a box with no ink is
    never taken for print."""
    x, y, w, h = box
    ink = mask[y:y + h, x:x + w]
    return quantile(darker[y:y + h, x:x + w], ink, PERCENTILE) if cv2.countNonZero(ink) else float("inf")
