"""edge.lines: a page's print goes whole, even when only some of its lines come through as clean chains."""
from __future__ import annotations

import cv2
import numpy as np

from edge.lines import _more, remove_lines


def quarter(mask: np.ndarray) -> np.ndarray:
    return cv2.resize(mask, (mask.shape[1] // 4, mask.shape[0] // 4), interpolation=cv2.INTER_AREA)


def test_clean_chains_pass_for_all_the_lines_only_when_no_line_long_ink_is_left():
    """A grid whose upright lines came through as clean chains only in part still holds ink a line long
    once those are taken out; a ruled page whose lines were all found holds only its writing."""
    grid = np.zeros((480, 640), np.uint8)
    for y in range(20, 470, 24):
        cv2.line(grid, (10, y), (630, y), 255, 2)
    for x in range(20, 630, 24):
        cv2.line(grid, (x, 10), (x + 30, 470), 255, 2)  # upright lines, tilted a little
    found = np.zeros_like(grid)
    for x in range(20, 200, 24):  # the chains caught eight of them
        cv2.line(found, (x, 10), (x + 30, 470), 255, 2)
    assert _more(quarter(grid), found, 144, horizontal=False)
    ruled = np.zeros_like(grid)
    for y in range(20, 470, 30):
        cv2.line(ruled, (10, y), (630, y), 255, 2)
    cv2.putText(ruled, "47", (200, 300), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 6)
    every = np.zeros_like(ruled)
    for y in range(20, 470, 30):
        cv2.line(every, (10, y), (630, y), 255, 2)
    assert not _more(quarter(ruled), every, 144, horizontal=True)


def test_a_rule_under_two_digits_keeps_each_foot_but_no_bridge_between_them():
    """Both strokes end on the same rule, 8 px apart: each keeps the rule's pixels it crosses, and the rule
    between them goes, so they stay two blobs."""
    page = np.zeros((480, 640), np.uint8)
    for y in range(60, 480, 60):
        cv2.line(page, (0, y), (639, y), 255, 2)
    cv2.line(page, (200, 200), (200, 241), 255, 5)  # a "1" standing on the rule at y 240
    cv2.ellipse(page, (225, 220), (12, 20), 0, 0, 360, 255, 5)  # an "0" resting on it, 8 px to the right
    clean = remove_lines(page)
    count, labels = cv2.connectedComponents(clean[150:260, 150:300])
    assert count - 1 == 2
    assert clean[238:242, 198:203].any() and clean[238:242, 221:230].any()  # the feet are whole
