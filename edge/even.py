"""A pen's stroke is even: a mark whose width swings along its middle, thick in places, is a grain or a blot.

A ballpoint, a gel pen or a marker lays down one width wherever it goes, so the distance from the middle of
a digit's strokes to their edge hardly changes along them (its spread is 0.13 of its mean for the median digit
found on nine generated sets; 0.37 at the 99th percentile). The flecks of a stone desk and blots are lumps
with thin arms: along their middle the width swings by 0.64 to 1.4 of its mean, their thickest tenth is 1.46
to 7.6 times as thick as most of them, they fill much of the hull around them, and their outline is
ragged: 1.25 to 2.2 times as long as their hull's on generated desks. A marker digit whose loops filled in
can swing as much, but its outline is the pen's smooth edge (one in 8,000 digits found was as lumpy, its
outline 1.195 times its hull's); a pencil's crossings swing too, but leave its hull mostly empty. Those
figures are for digits redrawn with an even pen: written by hand, a digit may have its small loop inked solid
and still be lumpy, so a lump in line with writing of its height counts as writing.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.normalise import middle as middle_line, own_ink
from edge.regions import Box, in_rows_of, next_line_of

UNEVEN = 0.6   # a mark whose width along its middle varies by this share of its mean ...
FILLED = 0.45  # ... that fills this share of its convex hull ...
RAGGED = 1.2   # ... whose outline is this many times as long as its hull's ...
PEAK = 1.4     # ... and whose thickest tenth is this many times as thick as its median width is no writing
NEXT_LINE = 2.0  # ... unless in a row of writing or in the line next to one, this many digit heights away at most


def even(mask: np.ndarray, boxes: list[Box]) -> list[Box]:
    """`boxes` without those whose own ink in `mask` (255 = ink) is a lump, not a pen's stroke, unless it
    stands in a row of writing (`in_rows_of`) or just above or below one (`next_line_of`): people fill small
    loops (a 9's or a 6's written as a blob, a 4's crossing inked over), and a fleck or a blot seldom sits in
    line with digits of its height."""
    lumps = [lump(own_ink(mask, box)) for box in boxes]
    if not any(lumps):
        return boxes
    strokes = [box for box, lumpy in zip(boxes, lumps) if not lumpy]
    marks = [box for box, lumpy in zip(boxes, lumps) if lumpy]
    written = iter(in_rows_of(strokes, marks) | next_line_of(strokes, marks, NEXT_LINE))
    return [box for box, lumpy in zip(boxes, lumps) if not lumpy or next(written)]


def lump(ink: np.ndarray) -> bool:
    """Whether a mark (uint8, 255 = ink) is a lump: uneven along its middle, filled, ragged, far thicker in
    places. The first test, the cheapest, clears nearly every digit."""
    middle = middle_line(ink)
    if middle.size < 3:
        return False
    mean, spread = (float(v[0, 0]) for v in cv2.meanStdDev(middle))
    if spread <= UNEVEN * mean:
        return False
    outlines, _ = cv2.findContours(ink, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(np.vstack(outlines))
    if (cv2.countNonZero(ink) < FILLED * cv2.contourArea(hull)
            or sum(cv2.arcLength(c, True) for c in outlines) < RAGGED * cv2.arcLength(hull, True)):
        return False
    median, thickest = np.percentile(middle, (50, 90))
    return bool(thickest > PEAK * median)
