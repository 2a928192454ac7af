"""Finish each digit's strokes with a threshold set by that digit's own ink.

The frame-wide thresholds must keep grain, grids and noise out, so a faint pencil digit, a digit in shade or
one on squared paper comes through with gaps: only its darkest parts pass. Once a digit is known to be there,
its own strokes say how dark its ink is, and around it every pixel at least a share as dark, not a line's and
above the noise floor, that joins the pieces already found is the rest of it.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from edge.params import DetectParams
from edge.regions import Box
from edge.segment import Ink

GROWTH = 2.0  # a finished digit is at most this many times the frame's median digit height, wide or tall
PAD = 0.5  # the look around a digit reaches this share of its box's longer side past the box


def complete(ink: Ink, boxes: list[Box], params: DetectParams = DetectParams()) -> tuple[np.ndarray, list[Box]]:
    """The mask with every digit's faint stroke parts joined in, and the boxes grown to hold them."""
    mask = ink.mask.copy()
    limit = GROWTH * float(np.median([b[3] for b in boxes])) if boxes else 0.0
    grown = [_finish(ink, mask, boxes, i, limit, params) or box for i, box in enumerate(boxes)]
    return mask, grown


def _finish(ink: Ink, mask: np.ndarray, boxes: list[Box], i: int, limit: float,
            params: DetectParams) -> Box | None:
    """Join the faint parts of digit `i` into `mask` (in place) and return its grown box; None when the
    digit is left as found."""
    x, y, w, h = boxes[i]
    height, width = mask.shape
    pad = math.ceil(PAD * max(w, h))
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(width, x + w + pad), min(height, y + h + pad)
    found = mask[y0:y1, x0:x1]
    seeds = cv2.findNonZero(found[y - y0:y - y0 + h, x - x0:x - x0 + w])
    if seeds is None:
        return None
    sx, sy = seeds[:, 0, 0] + (x - x0), seeds[:, 0, 1] + (y - y0)
    darker = ink.darker[y0:y1, x0:x1]
    values = darker[sy, sx]
    level = float(np.partition(values, len(values) // 2)[len(values) // 2])  # the digit's ink, its median
    centre = (min((y + h // 2) // ink.step, ink.need.shape[0] - 1),
              min((x + w // 2) // ink.step, ink.need.shape[1] - 1))
    if params.stroke_share * level >= ink.need[centre]:
        return None  # ink this dark passed the frame's threshold whole: nothing to finish
    quiet = ink.quiet[y0 // ink.step:-(-y1 // ink.step), x0 // ink.step:-(-x1 // ink.step)]
    bar = cv2.max(cv2.resize(quiet, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST),
                  min(255.0, params.stroke_share * level))
    open_ground = cv2.bitwise_not(ink.lines[y0:y1, x0:x1])  # neither a line's pixels ...
    for j, (ox, oy, ow, oh) in enumerate(boxes):  # ... nor another digit's box: no growing into a neighbour
        if j != i and ox < x1 and oy < y1 and ox + ow > x0 and oy + oh > y0:
            open_ground[max(oy, y0) - y0:min(oy + oh, y1) - y0, max(ox, x0) - x0:min(ox + ow, x1) - x0] = 0
    open_ground[y - y0:y - y0 + h, x - x0:x - x0 + w] = cv2.bitwise_not(ink.lines[y:y + h, x:x + w])
    candidate = cv2.bitwise_and(cv2.bitwise_or(found, cv2.compare(darker, bar, cv2.CMP_GT)), open_ground)
    _, labels = cv2.connectedComponents(candidate, connectivity=8)
    digit = np.zeros_like(found)
    for label in np.flatnonzero(np.bincount(labels[sy, sx])):  # the pieces found: one to a few
        cv2.bitwise_or(digit, cv2.compare(labels, float(label), cv2.CMP_EQ), dst=digit)
    bx, by, bw, bh = cv2.boundingRect(digit)
    if max(bw, bh) > limit:
        return None  # it ran into a grid, a rule or grain that is no part of it
    cv2.bitwise_or(found, digit, dst=found)
    return x0 + bx, y0 + by, bw, bh
