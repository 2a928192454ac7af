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
    grown: list[Box] = []
    height, width = mask.shape
    limit = GROWTH * float(np.median([b[3] for b in boxes])) if boxes else 0.0
    taken = np.zeros(mask.shape, np.uint8)  # every digit's box: no digit grows into a neighbour's
    for x, y, w, h in boxes:
        taken[y:y + h, x:x + w] = 255
    for x, y, w, h in boxes:
        pad = math.ceil(PAD * max(w, h))
        x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(width, x + w + pad), min(height, y + h + pad)
        found = mask[y0:y1, x0:x1]
        darker = ink.darker[y0:y1, x0:x1]
        own = np.zeros_like(found)
        own[y - y0:y - y0 + h, x - x0:x - x0 + w] = 255
        seeds = cv2.bitwise_and(found, own)
        open_ground = cv2.bitwise_or(own, cv2.bitwise_not(taken[y0:y1, x0:x1]))
        values = darker[seeds > 0]
        if values.size == 0:
            grown.append((x, y, w, h))
            continue
        bar = np.maximum(ink.quiet[y0:y1, x0:x1], np.uint8(min(255, params.stroke_share * np.median(values))))
        faint = (darker > bar) & (ink.lines[y0:y1, x0:x1] == 0)
        candidate = cv2.bitwise_and(np.where(faint, np.uint8(255), found), open_ground)
        count, labels = cv2.connectedComponents(candidate, connectivity=8)
        keep = np.zeros(count, bool)
        keep[labels[seeds > 0]] = True
        keep[0] = False
        digit = keep[labels]
        bx, by, bw, bh = cv2.boundingRect(digit.astype(np.uint8))
        if max(bw, bh) > limit:
            grown.append((x, y, w, h))  # it ran into a grid, a rule or grain that is no part of it
            continue
        found[digit] = 255
        grown.append((x0 + bx, y0 + by, bw, bh))
    return mask, grown
