"""edge.pen: marks far fainter than the sheet's writing are dropped; writing in shade is not fainter."""
from __future__ import annotations

import numpy as np

from edge.normalise import stroke_width
from edge.pen import passed_by, same_pen
from edge.segment import Ink


def sheet(darkness: dict[tuple[int, int, int, int], tuple[int, int]]) -> tuple[Ink, np.ndarray]:
    """Boxes of ink, each with its darkness below the paper and the paper's brightness there."""
    darker = np.zeros((100, 400), np.uint8)
    paper = np.full_like(darker, 200)
    mask = np.zeros_like(darker)
    for (x, y, w, h), (dark, ground) in darkness.items():
        darker[y:y + h, x + 2:x + 5] = dark  # a stroke down the box
        paper[y:y + h, x:x + w] = ground
        mask[y:y + h, x + 2:x + 5] = 255
    small = (25, 100)
    zeros = np.zeros(small, np.uint8)
    return Ink(mask, darker, paper, np.zeros_like(mask), zeros, zeros, zeros, 4), mask


def test_a_grey_mark_among_written_digits_goes_and_digits_in_shade_stay():
    digits = {(10, 20, 20, 40): (120, 200), (60, 20, 20, 40): (110, 200), (110, 20, 20, 40): (60, 100)}  # shade
    grey = (200, 20, 20, 40)
    ink, mask = sheet({**digits, grey: (40, 200)})
    assert same_pen(ink, mask, list(digits) + [grey]) == list(digits)
    ink, mask = sheet({**digits, grey: (90, 200)})  # as dark as a light stroke of the same pen: kept
    assert same_pen(ink, mask, list(digits) + [grey]) == list(digits) + [grey]


def test_with_fewer_than_three_boxes_nothing_says_what_the_pen_is():
    boxes = {(10, 20, 20, 40): (120, 200), (200, 20, 20, 40): (30, 200)}
    ink, mask = sheet(boxes)
    assert same_pen(ink, mask, list(boxes)) == list(boxes)


def test_a_solid_blotch_among_pen_digits_goes_but_a_marker_sheet_stays():
    digits = {(10, 20, 20, 40): (120, 200), (60, 20, 20, 40): (110, 200), (110, 20, 20, 40): (115, 200)}
    blotch = (200, 20, 20, 40)
    ink, mask = sheet({**digits, blotch: (120, 200)})
    mask[30:50, 202:214] = 255  # as dark as the pen, but a solid patch 12 px across, not a 3 px stroke
    assert stroke_width(mask[20:60, 200:220]) > 2 * stroke_width(mask[20:60, 10:30])  # the boxes' ink
    assert same_pen(ink, mask, list(digits) + [blotch]) == list(digits)
    for x, _, _, _ in digits:
        mask[20:60, x + 2:x + 12] = 255  # every digit written as broad: one marker, all kept
    assert same_pen(ink, mask, list(digits) + [blotch]) == list(digits) + [blotch]


def test_passed_by_says_how_many_times_its_bar_a_digits_ink_is():
    ink, mask = sheet({(10, 20, 20, 40): (60, 200), (60, 20, 20, 40): (33, 200)})
    need = np.full_like(ink.need, 30)
    need[:, 15:] = 50  # a darker bar from x = 60 on (1/4 scale)
    ink = Ink(ink.mask, ink.darker, ink.paper, ink.lines, need, ink.quiet, ink.coarse, ink.step)
    assert passed_by(ink, mask, (10, 20, 20, 40)) == 2.0  # 60 against 30: well clear
    assert abs(passed_by(ink, mask, (60, 20, 20, 40)) - 33 / 50) < 1e-6  # under its own bar's darkness



def test_a_digit_with_its_loop_inked_solid_is_no_broader_than_its_pen():
    """A 9 whose loop is one solid blob on its stem has twice the ink per outline of the pen's digits, but
    along its middle it is the pen's line: the same pen, kept. A blotch solid through is still too broad."""
    import cv2

    digits = {(10, 20, 20, 40): (120, 200), (60, 20, 20, 40): (110, 200), (110, 20, 20, 40): (115, 200)}
    nine, blotch = (200, 20, 30, 40), (300, 20, 30, 40)
    ink, mask = sheet({**digits, nine: (120, 200), blotch: (120, 200)})
    cv2.circle(mask, (214, 32), 10, 255, -1)  # the loop, inked solid, on the stem down the box
    mask[20:60, 300:330] = 0
    cv2.circle(mask, (314, 40), 12, 255, -1)  # a blotch: nothing but solid
    assert stroke_width(mask[20:60, 200:230]) > 2 * stroke_width(mask[20:60, 10:30])
    assert same_pen(ink, mask, list(digits) + [nine, blotch]) == list(digits) + [nine]
