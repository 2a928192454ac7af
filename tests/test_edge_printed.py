"""edge.printed: a mark no darker than a page's print (a grid's stub by the sheet's edge) is print; writing is
darker; a sheet's edges alone say nothing of its print."""
from __future__ import annotations

import cv2
import numpy as np

from edge.printed import darker_than_print

SIZE = (300, 400)


def squared(dark: int = 40, pitch: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """How much darker than its paper each pixel is, and the print the line search took out: a grid `dark`."""
    darker, lines = np.zeros(SIZE, np.uint8), np.zeros(SIZE, np.uint8)
    for at in range(10, SIZE[1], pitch):
        cv2.line(lines, (at, 0), (at, SIZE[0] - 1), 255, 1)
    for at in range(10, SIZE[0], pitch):
        cv2.line(lines, (0, at), (SIZE[1] - 1, at), 255, 1)
    darker[lines > 0] = dark
    return darker, lines


def stroke(darker: np.ndarray, mask: np.ndarray, points: list[tuple[int, int]], dark: int) -> tuple:
    """A stroke `dark` through `points`, drawn into `darker` and `mask`: its box."""
    ink = np.zeros(SIZE, np.uint8)
    cv2.polylines(ink, [np.array(points, np.int32)], False, 255, 2)
    darker[ink > 0] = dark
    mask |= ink
    return cv2.boundingRect(cv2.findNonZero(ink))


def test_a_grid_stub_as_dark_as_the_grid_is_print_but_a_pen_digit_darker_than_it_is_writing():
    darker, lines = squared(dark=40)
    mask = np.zeros(SIZE, np.uint8)
    stub = stroke(darker, mask, [(30, 40), (30, 75), (30, 60), (15, 60), (45, 60)], dark=40)  # a cross: "4"
    digit = stroke(darker, mask, [(200, 100), (230, 100), (205, 150)], dark=90)  # a 7 in a pen
    assert darker_than_print(darker, lines, mask, [stub, digit]) == [digit]


def test_without_much_print_nothing_is_dropped():
    """A plain sheet: the only line taken out is its edge (under 0.3% of the frame), darker than a faint
    ballpoint's digit."""
    darker, lines = np.zeros(SIZE, np.uint8), np.zeros(SIZE, np.uint8)
    cv2.line(lines, (5, 0), (5, SIZE[0] - 1), 255, 1)
    darker[lines > 0] = 80
    mask = np.zeros(SIZE, np.uint8)
    digit = stroke(darker, mask, [(200, 100), (230, 100), (205, 150)], dark=35)
    assert darker_than_print(darker, lines, mask, [digit]) == [digit]
    assert darker_than_print(darker, lines, mask, []) == []
