"""A sheet's edge on a desk: a sliver of it passes for a 1 where the edge's shading is dark enough.

Seen alone, a short stretch of a sheet's edge is a thin, straight, upright dark line: the network reads it
as a 1, often surely. What tells it apart is the ground right beside it: a written 1 has the same paper on
both sides of its stroke, row by row, while an edge has the sheet on one side and the desk on the other.
(Right beside it: a soft shadow or a steep light fall-off changes the paper across a wide, slanted 1.)
"""
from __future__ import annotations

import numpy as np

from edge.grain import SLIVER  # a mark this many times taller than wide is a sliver: a 1, or a stretch of an edge
from edge.regions import Box

STEP = 0.12   # a sliver lies on an edge when the ground either side differs by this share of the brighter
OFF = 2       # the ground is read this many pixels off the stroke's side ...
STRIP = 6     # ... over this many pixels, in every row of the mark: its brightest but one (a grid line
              # beside a 1 is print on the paper, darker than it)


def off_edges(frame: np.ndarray, mask: np.ndarray, boxes: list[Box]) -> list[Box]:
    """`boxes` without the slivers lying on a step of the ground's brightness (`frame`, uint8 grey, and
    `mask`, the ink, both in the boxes' pixels)."""
    return [box for box in boxes if not _on_a_step(frame, mask, box)]


def _on_a_step(frame: np.ndarray, mask: np.ndarray, box: Box) -> bool:
    x, y, w, h = box
    reach = OFF + STRIP
    if h < SLIVER * w or x < reach or x + w + reach > frame.shape[1]:
        return False
    ink = mask[y:y + h, x:x + w] > 0
    rows = np.flatnonzero(ink.any(axis=1))
    if len(rows) == 0:
        return False
    first = x + ink[rows].argmax(axis=1)
    last = x + w - 1 - ink[rows, ::-1].argmax(axis=1)
    offsets = np.arange(OFF, OFF + STRIP)
    brightest = STRIP - 2  # the second brightest of each row's strip: a grid line, or one bright speck, is passed
    left = np.partition(frame[y + rows[:, None], first[:, None] - offsets], brightest, axis=1)[:, brightest]
    right = np.partition(frame[y + rows[:, None], last[:, None] + offsets], brightest, axis=1)[:, brightest]
    step = float(np.median(left.astype(np.int16) - right))
    return abs(step) > STEP * max(float(np.median(left)), float(np.median(right)), 1.0)
