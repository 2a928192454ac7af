"""Digits leaning into each other: a mark that is still no one digit is cut along a slant or a bending path.

Written fast, digits lean, and neighbours run into each other along their slant: every upright cut
(`second_look`) takes a piece of one into the other. So a mark the network still takes for no one digit is cut
along lines leaning either way, where few strokes cross, and along paths that bend with the paper between
two curves (a 4's arm tucked under an 8, two 3s' bowls) where the least ink lies; the cut whose two parts
the network reads surely wins, and the mask is cut there (paper two pixels wide), so that each part's crop
holds its own strokes only (`normalise.own_ink` leaves out a blob crossing into a box from outside).
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
CUTS = 4  # per slant (and for paths), the cut is tried at this many places where its cost dips, cheapest first
THIRDS = 0.99  # a mark cut twice is three digits only when each reads this surely (a grid's cells cut in three
               # read 0.98 as 5s)
BEND = 0.1  # a path's cost for each pixel it steps sideways, in ink pixels crossed: straight where it can be

Way = tuple[np.ndarray, tuple[Box, Box]]  # the cut's paper (bool, the box's size) and the two parts


def lean_cuts(mask: np.ndarray, boxes: list[Box], probabilities: np.ndarray,
              crops: Callable[[np.ndarray, list[Box]], np.ndarray],
              classify: Callable[[np.ndarray], np.ndarray],
              again: bool = True) -> tuple[np.ndarray, list[Box], np.ndarray]:
    """The mask, boxes and (N, 10) probabilities with each mark that is no one digit cut along a slant or a
    path where both parts read surely. `crops` makes the crops of boxes in a mask, `classify` reads them (all
    in one call). `mask` is left as it is: a cut is drawn into a copy.
    Three digits run together cut in two give one digit and a mark that is still no one digit. When no cut
    gives two digits, of the cuts that give such parts the one whose digit's box is biggest (a whole digit,
    not a sliver) is kept if its other part is cut again (`again`) into two digits, each read THIRDS surely
    and none a 1 (a digit cut in three leaves slivers, read surely as 1s)."""
    doubted = [i for i, (box, p) in enumerate(zip(boxes, probabilities)) if _no_one_digit(box, p)]
    tried = {i: ways for i in doubted if (ways := slanted_cuts(mask, boxes[i]) + path_cuts(mask, boxes[i]))}
    if not tried:
        return mask, boxes, probabilities
    cut = mask.copy()
    asked = []
    for i, ways in tried.items():
        x, y, w, h = boxes[i]
        for paper, parts in ways:
            cut[y:y + h, x:x + w][paper] = 0
            asked.append(crops(cut, list(parts)))
            cut[y:y + h, x:x + w] = mask[y:y + h, x:x + w]
    read = iter(classify(np.concatenate(asked)))
    out: dict[int, list[tuple[Box, np.ndarray]]] = {i: [(b, p)] for i, (b, p) in enumerate(zip(boxes, probabilities))}
    halfway: dict[int, tuple[np.ndarray, tuple[Box, Box], list[np.ndarray]]] = {}
    for i, ways in tried.items():
        readings = [[next(read), next(read)] for _ in ways]
        best = surest(readings, SURE)
        x, y, w, h = boxes[i]
        if best is not None:
            paper, parts = ways[best]
            cut[y:y + h, x:x + w][paper] = 0
            out[i] = list(zip(parts, readings[best]))
        elif again and (partly := [k for k, (_, parts) in enumerate(ways) if _digit_and_more(parts, readings[k])]):
            k = max(partly, key=lambda k: _sure_area(ways[k][1], readings[k]))
            halfway[i] = (ways[k][0], ways[k][1], readings[k])
    for i, (paper, parts, readings) in halfway.items():
        x, y, w, h = boxes[i]
        trial = cut.copy()
        trial[y:y + h, x:x + w][paper] = 0
        trial, thirds, thirds_read = lean_cuts(trial, list(parts), np.array(readings), crops, classify, again=False)
        if (len(thirds) == 3 and not (thirds_read.argmax(axis=1) == 1).any()
                and float(thirds_read.max(axis=1).min()) >= THIRDS):
            cut = trial
            out[i] = list(zip(thirds, thirds_read))
    kept = [pair for i in sorted(out) for pair in out[i]]
    found = [b for b, _ in kept]
    if found == boxes:
        return mask, boxes, probabilities
    return cut, found, np.array([p for _, p in kept]).reshape(-1, probabilities.shape[1])


def _no_one_digit(box: Box, probabilities: np.ndarray) -> bool:
    """Whether a mark is read as no one digit (NOT_ONE) and is wide enough (PAIR_NARROW) to be cut."""
    return float(probabilities.sum()) < NOT_ONE and box[2] >= PAIR_NARROW * box[3]


def _digit_and_more(parts: tuple[Box, Box], readings: list[np.ndarray]) -> bool:
    """Whether a cut gave one digit read surely and a mark that is still no one digit."""
    sure = [float(p.max()) >= SURE for p in readings]
    more = [_no_one_digit(part, p) for part, p in zip(parts, readings)]
    return (sure[0] and more[1]) or (sure[1] and more[0])


def _sure_area(parts: tuple[Box, Box], readings: list[np.ndarray]) -> int:
    """The box area of the part of a cut read surely."""
    return max(part[2] * part[3] for part, p in zip(parts, readings) if float(p.max()) >= SURE)


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
            way = _way(ink, x, y, (columns < line - 1), (columns > line + 1), _line(box, middle, slant))
            if way is not None:
                ways.append(way)
    return ways


def path_cuts(mask: np.ndarray, box: Box) -> list[Way]:
    """Ways to cut `box` in two along a path from its top to its bottom, two pixels wide, stepping at most one
    pixel sideways a row: the CUTS paths crossing the least ink (BEND for each step) that end where that
    cost dips, but not near the box's sides; each part at least PART of the box's height."""
    x, y, w, h = box
    ink = mask[y:y + h, x:x + w]
    low, high = max(1, int(EDGE_CUT * w)), w - 1 - max(1, int(EDGE_CUT * w))
    if low >= high:
        return []
    inked = (ink > 0).astype(np.float32)
    cost = inked[:, low:high] + inked[:, low + 1:high + 1]  # the path covers column c and c + 1
    total = cost[0].copy()
    came = np.zeros(cost.shape, np.int8)  # per row and column, the step from the row above (-1, 0, 1)
    for row in range(1, h):
        options = np.stack([np.r_[np.inf, total[:-1]] + BEND, total, np.r_[total[1:], np.inf] + BEND])
        step = np.argmin(options, axis=0)
        total = options[step, np.arange(len(total))] + cost[row]
        came[row] = step - 1
    columns = np.arange(w)[None, :]
    ways = []
    for end in dips(total)[:CUTS]:
        path = np.empty(h, np.int64)
        path[-1] = end
        for row in range(h - 1, 0, -1):
            path[row - 1] = path[row] + came[row, path[row]]
        path += low
        paper = np.zeros((h, w), bool)
        paper[np.arange(h), path] = paper[np.arange(h), path + 1] = True
        way = _way(ink, x, y, columns < path[:, None], columns > path[:, None] + 1, paper)
        if way is not None:
            ways.append(way)
    return ways


def _way(ink: np.ndarray, x: int, y: int, left: np.ndarray, right: np.ndarray, paper: np.ndarray) -> Way | None:
    """A cut whose `paper` parts `ink` (a box's, at `x`, `y`) into its pixels on the `left` and the `right`;
    None when a part is missing or less than PART of the box's height."""
    parts = [_box((ink > 0) & side, x, y) for side in (left, right)]
    if parts[0] is None or parts[1] is None or min(parts[0][3], parts[1][3]) < PART * ink.shape[0]:
        return None
    return paper, (parts[0], parts[1])


def _box(side: np.ndarray, x: int, y: int) -> Box | None:
    """The bounding box of a part's pixels (bool, the box's size), in the frame; None when it has none."""
    points = cv2.findNonZero(side.astype(np.uint8))
    if points is None:
        return None
    bx, by, bw, bh = cv2.boundingRect(points)
    return x + bx, y + by, bw, bh


def _line(box: Box, middle: float, slant: float) -> np.ndarray:
    """The paper of a straight cut in `box` (bool, the box's size): two pixels wide along the line through
    (`middle`, half the height), leaning `slant`, from its top to its bottom (rounded in the frame's pixels)."""
    x, _, w, h = box
    paper = np.zeros((h, w), np.uint8)
    top, bottom = round(x + middle - slant * h / 2) - x, round(x + middle + slant * h / 2) - x
    cv2.line(paper, (top, 0), (bottom, h - 1), 1, 2)
    return paper > 0
