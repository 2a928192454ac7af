"""Boxes -> reading order: rows top to bottom, left to right within a row.

Rows are followed from left to right, each box joining the row whose latest box sits at its height, so a
slightly tilted or wavy line of digits stays one row even when its ends differ by more than a digit's height.
"""
from __future__ import annotations

from collections.abc import Sequence

SAME_ROW = 0.5  # centres within this share of the taller box's height are on one row


def reading_rows(boxes: Sequence[Sequence[int]]) -> list[list[int]]:
    """Indices into `boxes` ((x, y, w, h) each), grouped into rows top to bottom, each left to right."""
    rows: list[list[int]] = []
    for i in sorted(range(len(boxes)), key=lambda k: (boxes[k][0] + boxes[k][2] / 2, boxes[k][1])):
        best, best_dy = None, 0.0
        for row in rows:
            last = boxes[row[-1]]
            dy = abs(_centre_y(boxes[i]) - _centre_y(last))
            if dy <= SAME_ROW * max(boxes[i][3], last[3]) and (best is None or dy < best_dy):
                best, best_dy = row, dy
        if best is None:
            rows.append([i])
        else:
            best.append(i)
    return sorted(rows, key=lambda row: sum(_centre_y(boxes[k]) for k in row) / len(row))


def _centre_y(box: Sequence[int]) -> float:
    return box[1] + box[3] / 2
