"""edge.streak: a piece of faint print (a margin, a pale grid line) is no 1; a written 1 stands on paper."""
from __future__ import annotations

import cv2
import numpy as np

from edge.streak import off_lines


def page(margin: int = 0) -> np.ndarray:
    """How much darker than the paper each pixel is: blank, or with a faint margin (`margin` dark) at x = 60
    from top to bottom, slightly tilted as a photo's would be."""
    darker = np.zeros((300, 200), np.uint8)
    if margin:
        cv2.line(darker, (58, 0), (62, 299), margin, 2)
    return darker


def mark(darker: np.ndarray, top: int, bottom: int, x: int = 60, dark: int = 60) -> tuple[np.ndarray, tuple]:
    """Draw a short upright stroke (`dark`) from `top` to `bottom` along the margin's line; its mask and box."""
    cv2.line(darker, (x, top), (x + 1, bottom), dark, 3)
    mask = np.where(darker >= 40, np.uint8(255), np.uint8(0))
    return mask, cv2.boundingRect(cv2.findNonZero(mask))


def test_a_piece_of_a_faint_margin_is_dropped():
    """The margin (25) came through the threshold (40) only where it is darker (45): read alone, a 1."""
    darker = page(margin=25)
    mask, box = mark(darker, 120, 180, dark=45)
    assert off_lines(darker, mask, [box]) == []


def test_a_1_written_on_blank_paper_is_kept():
    darker = page()
    mask, box = mark(darker, 120, 180)
    assert off_lines(darker, mask, [box]) == [box]


def test_a_1_with_a_digit_under_it_is_kept():
    """A number's second line: ink past one end of the 1, paper past the other."""
    darker = page()
    cv2.line(darker, (60, 190), (61, 250), 60, 3)  # a 1 in the next line, right under it
    mask, box = mark(darker, 120, 180)
    first = (box[0], 117, box[2], 66)  # the upper 1's box alone
    assert off_lines(darker, mask, [first]) == [first]


def test_a_wide_mark_and_a_sliver_at_the_frames_edge_are_left_alone():
    darker = page(margin=25)
    ring = np.zeros_like(darker)
    cv2.ellipse(ring, (60, 150), (25, 35), 0, 0, 360, 255, 3)  # a 0 on the margin: no sliver
    box = cv2.boundingRect(cv2.findNonZero(ring))
    assert off_lines(cv2.max(darker, ring // 4), ring, [box]) == [box]
    mask, edge = mark(darker, 0, 50, dark=45)  # nothing seen past its top: it may be a 1
    assert off_lines(darker, mask, [edge]) == [edge]
    assert off_lines(darker, mask, []) == []
