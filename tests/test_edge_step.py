"""edge.step: a stretch of a sheet's edge on the desk is no 1; a written 1 is, beside print or in shade."""
from __future__ import annotations

import cv2
import numpy as np

from edge.step import off_edges


def sheet_on_desk() -> tuple[np.ndarray, np.ndarray]:
    """Paper (200) left of x=400, desk (120) right of it, with a dark shading line along the edge; the mask
    holds that line's stretch 150-250 (as the thresholds leave it) and nothing else."""
    frame = np.full((480, 640), 200, np.uint8)
    frame[:, 400:] = 120
    frame[:, 398:401] = 90
    mask = np.zeros_like(frame)
    mask[150:250, 398:401] = 255
    return frame, mask


def one(frame: np.ndarray, mask: np.ndarray, x: int, slant: int = 0) -> tuple[int, int, int, int]:
    """A written 1, 80 px tall, leaning `slant` px; its box."""
    cv2.line(frame, (x + slant, 160), (x, 240), 60, 4)
    cv2.line(mask, (x + slant, 160), (x, 240), 255, 4)
    bx, by, bw, bh = cv2.boundingRect(cv2.findNonZero(mask[:, x - 10:x + slant + 10]))
    return bx + x - 10, by, bw, bh


def test_a_stretch_of_the_sheets_edge_goes_and_a_1_written_on_the_sheet_stays():
    frame, mask = sheet_on_desk()
    edge = cv2.boundingRect(cv2.findNonZero(mask))
    written = one(frame, mask, 200, slant=12)
    assert off_edges(frame, mask, [written, edge]) == [written]


def test_a_1_beside_a_grid_line_or_across_a_soft_shadow_stays():
    frame = np.full((480, 640), 200, np.uint8)
    frame[:, 211:213] = 150  # a grid line 3 px right of the 1's stroke
    frame = (frame * np.linspace(1.0, 0.45, 640)[None, :]).astype(np.uint8)  # light falling off steeply
    mask = np.zeros_like(frame)
    written = one(frame, mask, 206)
    assert off_edges(frame, mask, [written]) == [written]


def test_marks_that_are_not_slivers_are_not_judged():
    frame, mask = sheet_on_desk()
    wide = (370, 150, 60, 100)  # a digit-shaped box across the edge: left to the other tests
    assert off_edges(frame, mask, [wide]) == [wide]
