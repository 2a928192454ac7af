"""Boxes -> reading order: rows top to bottom, left to right within a row.

Rows are followed from left to right, each box joining the row whose latest box sits at its height, so a
slightly tilted or wavy line of digits stays one row even when its ends differ by more than a digit's height.
Once a row has three boxes, its slope (fitted through them) also says where its next box may sit: a steeply
tilted photo's row climbs more than half a digit between two spaced digits.
"""
from __future__ import annotations

from collections.abc import Sequence

SAME_ROW = 0.5  # centres within this share of the taller box's height are on one row
STEEPEST = 0.4  # a row's slope is trusted up to this (about 22 degrees)


def reading_rows(boxes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Indices into `boxes` ((x, y, w, h) each), grouped into rows top to bottom, each left to right."""
    rows: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda k: (boxes[k][0] + boxes[k][2] / 2, boxes[k][1])):
        best, best_dy = None, 0.0
        for row in rows:
            last = boxes[row[-1]]
            y = _centre_y(boxes[i])
            dy = min(abs(y - _centre_y(last)), abs(y - _along(boxes, row, _centre_x(boxes[i]))))
            if dy <= SAME_ROW * max(boxes[i][3], last[3]) and (best is None or dy < best_dy):
                best, best_dy = row, dy
        if best is None:
            rows.append([i])
        else:
            best.append(i)
    return sorted(rows, key=lambda row: sum(_centre_y(boxes[k]) for k in row) / len(row))


def _along(boxes: Sequence[Sequence[int]], row: list[int], x: float) -> float:
    """Where the row's next box at `x` would have its centre going on along the row's slope (fitted through
    its boxes, from three on; level before)."""
    last = boxes[row[-1]]
    if len(row) < 3:
        return _centre_y(last)
    xs = [_centre_x(boxes[k]) for k in row]
    ys = [_centre_y(boxes[k]) for k in row]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((v - mx) ** 2 for v in xs)
    slope = sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / spread if spread > 0 else 0.0
    return _centre_y(last) + max(-STEEPEST, min(STEEPEST, slope)) * (x - _centre_x(last))


def _centre_x(box: Sequence[int]) -> float:
    return box[0] + box[2] / 2


def _centre_y(box: Sequence[int]) -> float:
    return box[1] + box[3] / 2
