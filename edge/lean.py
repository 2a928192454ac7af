"""Digits leaning into each other: a mark that is still no one digit is cut along a slant.

Written fast, digits lean, and neighbours run into each other along their slant: every upright cut
(`second_look`) takes a piece of one into the other. So a mark the network still takes for no one digit is cut
along lines leaning either way, where few strokes cross; the cut whose two parts the network reads surely
wins, and the mask is cut there (a line of paper two pixels wide), so that each part's crop holds its own
strokes only (`normalise.own_ink` leaves out a blob crossing into a box from outside).
"""
from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from edge.regions import EDGE_CUT, PART, Box, cut_cost, dips
from edge.second_look import NOT_ONE, PAIR_NARROW, SURE, surest

# A mark is cut when it is no one digit (NOT_ONE), at least PAIR_NARROW wide for its height, and both parts
# read SURE: at 0.9, as upright cuts beyond the first two ask, a squared sheet's grid cells and a wide 2 were
# cut in two.
SLANTS = (-0.6, -0.4, -0.2, 0.2, 0.4, 0.6)  # a cut leans this far: its sideways step per pixel down
CUTS = 4  # per slant, the cut is tried at this many places where its cost dips, cheapest first

Way = tuple[float, float, tuple[Box, Box]]  # where a cut crosses the box's middle row, its slant, the parts


def lean_cuts(mask: np.ndarray, boxes: list[Box], probabilities: np.ndarray,
              crops: Callable[[np.ndarray, list[Box]], np.ndarray],
              classify: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, list[Box], np.ndarray]:
    """The mask, boxes and (N, 10) probabilities with each mark that is no one digit cut along a slant where
    both parts read surely. `crops` makes the crops of boxes in a mask, `classify` reads them (all in one
    call). `mask` is left as it is: a cut is drawn into a copy."""
    doubted = [i for i, (box, p) in enumerate(zip(boxes, probabilities))
               if float(p.sum()) < NOT_ONE and box[2] >= PAIR_NARROW * box[3]]
    tried = {i: ways for i in doubted if (ways := slanted_cuts(mask, boxes[i]))}
    if not tried:
        return mask, boxes, probabilities
    cut = mask.copy()
    asked = []
    for i, ways in tried.items():
        x, y, w, h = boxes[i]
        for middle, slant, parts in ways:
            _draw(cut, boxes[i], middle, slant)
            asked.append(crops(cut, list(parts)))
            cut[y:y + h, x:x + w] = mask[y:y + h, x:x + w]
    read = iter(classify(np.concatenate(asked)))
    out: dict[int, list[tuple[Box, np.ndarray]]] = {i: [(b, p)] for i, (b, p) in enumerate(zip(boxes, probabilities))}
    for i, ways in tried.items():
        readings = [[next(read), next(read)] for _ in ways]
        best = surest(readings, SURE)
        if best is not None:
            middle, slant, parts = ways[best]
            _draw(cut, boxes[i], middle, slant)
            out[i] = list(zip(parts, readings[best]))
    kept = [pair for i in sorted(out) for pair in out[i]]
    found = [b for b, _ in kept]
    if found == boxes:
        return mask, boxes, probabilities
    return cut, found, np.array([p for _, p in kept]).reshape(-1, probabilities.shape[1])


def slanted_cuts(mask: np.ndarray, box: Box) -> list[Way]:
    """Ways to cut `box` in two along a leaning line (SLANTS), each at the CUTS places where the strokes it
    crosses and the ink it takes dip lowest, but near the box's sides; each part at least PART of the box's
    height."""
    x, y, w, h = box
    ink = mask[y:y + h, x:x + w]
    rows, columns = np.mgrid[0:h, 0:w]
    ways = []
    for slant in SLANTS:
        # Shear the box so the slant stands upright: column c of the sheared box is the line through
        # (c - pad, h / 2) of the box, leaning `slant`.
        pad = int(np.ceil(abs(slant) * h / 2)) + 1
        shear = np.float32([[1, -slant, pad + slant * h / 2], [0, 1, 0]])
        upright = cv2.warpAffine(ink, shear, (w + 2 * pad, h), flags=cv2.INTER_NEAREST)
        cost = cut_cost(upright > 0)
        low, high = pad + max(1, int(EDGE_CUT * w)), pad + w - max(1, int(EDGE_CUT * w))
        if low >= high:
            continue
        for column in low + dips(cost[low:high])[:CUTS]:
            middle = float(column - pad)
            line = middle + slant * (rows - h / 2)
            left, right = (ink > 0) & (columns < line - 1), (ink > 0) & (columns > line + 1)
            parts = [_box(side, x, y) for side in (left, right)]
            if all(part is not None and part[3] >= PART * h for part in parts):
                ways.append((middle, slant, (parts[0], parts[1])))
    return ways


def _box(side: np.ndarray, x: int, y: int) -> Box | None:
    """The bounding box of a part's pixels (bool, the box's size), in the frame; None when it has none."""
    points = cv2.findNonZero(side.astype(np.uint8))
    if points is None:
        return None
    bx, by, bw, bh = cv2.boundingRect(points)
    return x + bx, y + by, bw, bh


def _draw(mask: np.ndarray, box: Box, middle: float, slant: float) -> None:
    """Draw the cut into `mask` (in place): paper two pixels wide along the line through (`middle`, half the
    height) of `box`, leaning `slant`, from its top to its bottom."""
    x, y, w, h = box
    top = (round(x + middle - slant * h / 2), y)
    bottom = (round(x + middle + slant * h / 2), y + h - 1)
    cv2.line(mask[y:y + h, x:x + w], (top[0] - x, 0), (bottom[0] - x, h - 1), 0, 2)
