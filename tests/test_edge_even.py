"""edge.even: a pen's stroke keeps one width; a stone's fleck or a blot is a lump, thick in the middle."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.even import even, lump


def star(spikes: int = 7, inner: float = 9.0, outer: float = 20.0, size: int = 60) -> np.ndarray:
    """A fleck: a solid core with short thin arms all round, its outline ragged."""
    angles = np.linspace(0, 2 * np.pi, 2 * spikes, endpoint=False)
    radius = np.where(np.arange(2 * spikes) % 2 == 0, outer, inner)
    centre = size / 2
    points = np.stack([centre + radius * np.cos(angles), centre + radius * np.sin(angles)], 1)
    image = np.zeros((size, size), np.uint8)
    cv2.fillPoly(image, [points.round().astype(np.int32)], 255)
    return image


def written(text: str, thickness: int) -> np.ndarray:
    image = np.zeros((120, 100), np.uint8)
    cv2.putText(image, text, (10, 100), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, thickness)
    x, y, w, h = cv2.boundingRect(image)
    return image[y:y + h, x:x + w]


@pytest.mark.parametrize("spikes, inner, outer", [(7, 9, 20), (9, 10, 22), (6, 12, 24)])
def test_a_ragged_fleck_is_a_lump(spikes, inner, outer):
    assert lump(star(spikes, inner, outer))


@pytest.mark.parametrize("text, thickness", [("8", 2), ("4", 3), ("0", 8), ("9", 12), ("7", 16)])
def test_pen_and_marker_strokes_are_no_lumps(text, thickness):
    assert not lump(written(text, thickness))


def test_a_marker_9_with_its_loop_filled_in_is_no_lump():
    """Its width swings from loop to tail, but its outline is the pen's smooth edge."""
    image = np.zeros((120, 100), np.uint8)
    cv2.circle(image, (50, 35), 18, 255, -1)
    cv2.line(image, (62, 45), (55, 110), 255, 7)
    assert not lump(image)


def test_a_fleck_drawn_as_an_outline_is_no_lump():
    """The same ragged shape traced with a pen leaves its hull empty: a drawing, not a blot."""
    outline = cv2.subtract(star(), cv2.erode(star(), np.ones((3, 3), np.uint8)))
    assert not lump(outline) and lump(star())


def test_a_solid_disc_and_empty_ink_are_no_lumps():
    disc = np.zeros((40, 40), np.uint8)
    cv2.circle(disc, (20, 20), 15, 255, -1)  # even: one width all along its middle (a point)
    assert not lump(disc)
    assert not lump(np.zeros((10, 10), np.uint8))


def test_even_drops_the_fleck_and_keeps_the_digits():
    mask = np.zeros((120, 320), np.uint8)
    mask[10:10 + 105, 10:10 + 60] = cv2.resize(written("4", 4), (60, 105), interpolation=cv2.INTER_NEAREST)
    mask[30:90, 100:160] = star()
    mask[10:10 + 105, 200:260] = cv2.resize(written("7", 12), (60, 105), interpolation=cv2.INTER_NEAREST)
    four, fleck, seven = (10, 10, 60, 105), (100, 30, 60, 60), (200, 10, 60, 105)
    assert even(mask, [four, fleck, seven]) == [four, seven]
    assert even(mask, []) == []


def test_a_lump_level_with_two_digits_of_its_height_is_writing_but_not_beside_one():
    """People ink small loops solid (a 9's, a 6's) and go over a 4's crossing: such a digit can be as lumpy
    as a fleck. Standing in a row of writing, as tall as its digits, it stays; beside one digit it goes."""
    blob = star(7, 24, 52, size=105)
    assert lump(blob)
    mask = np.zeros((120, 420), np.uint8)
    mask[10:10 + 105, 10:10 + 60] = cv2.resize(written("4", 4), (60, 105), interpolation=cv2.INTER_NEAREST)
    mask[10:10 + 105, 130:130 + 105] = blob
    mask[10:10 + 105, 300:360] = cv2.resize(written("7", 12), (60, 105), interpolation=cv2.INTER_NEAREST)
    four, nine, seven = (10, 10, 60, 105), (130, 10, 105, 105), (300, 10, 60, 105)
    assert even(mask, [four, nine, seven]) == [four, nine, seven]
    assert even(mask, [four, nine]) == [four]


def test_a_lump_in_the_line_under_a_row_of_writing_is_writing_but_not_far_below_it():
    """"6409" over a "6" whose loop is inked solid: the 6 alone in its line, as tall as the digits over it and
    under one of them, is a number's second line; the same mark three digit heights down is a fleck."""
    digit = cv2.resize(written("4", 4), (60, 105), interpolation=cv2.INTER_NEAREST)
    blob = star(7, 24, 52, size=105)

    def page(drop: int) -> tuple[np.ndarray, list, tuple]:
        mask = np.zeros((500, 400), np.uint8)
        row = [(10 + 90 * k, 10, 60, 105) for k in range(4)]
        for x, y, w, h in row:
            mask[y:y + h, x:x + w] = digit
        under = (20, 10 + drop, 105, 105)
        mask[under[1]:under[1] + 105, 20:125] = blob
        return mask, row, under

    mask, row, under = page(150)  # its middle 1.4 digit heights under the row's
    assert even(mask, row + [under]) == row + [under]
    mask, row, under = page(330)  # 3.1 heights
    assert even(mask, row + [under]) == row
