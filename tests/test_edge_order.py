"""edge.order: boxes are read in rows, top to bottom, left to right, even when the page is tilted."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.order import reading_rows


def test_no_boxes_no_rows():
    assert reading_rows([]) == []


def test_two_rows_from_shuffled_boxes():
    top = [(10 + 40 * i, 20 + (i % 2) * 4, 30, 40) for i in range(5)]
    bottom = [(15 + 40 * i, 100 - (i % 3) * 3, 30, 40) for i in range(3)]
    boxes = top + bottom
    order = np.random.default_rng(0).permutation(len(boxes))
    shuffled = [boxes[i] for i in order]
    rows = reading_rows(shuffled)
    assert [[shuffled[i] for i in row] for row in rows] == [top, bottom]


def test_a_tilted_row_stays_one_row():
    # each digit sits 40% of a digit lower than the one before: ten of them drift four digit heights
    boxes = [(40 * i, 100 + 16 * i, 30, 40) for i in range(10)]
    assert reading_rows(boxes) == [list(range(10))]


def test_two_tilted_rows_stay_apart():
    first = [(40 * i, 100 + 8 * i, 30, 40) for i in range(8)]
    second = [(40 * i, 170 + 8 * i, 30, 40) for i in range(8)]
    rows = reading_rows(second + first)
    assert rows == [list(range(8, 16)), list(range(8))]


def test_a_short_digit_joins_the_row_it_sits_in():
    boxes = [(0, 100, 30, 40), (40, 118, 20, 20), (70, 100, 30, 40)]  # a small 0 or a dot-like digit between
    assert reading_rows(boxes) == [[0, 1, 2]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(1, 80), st.integers(1, 80)),
                max_size=25))
def test_every_box_is_read_exactly_once(boxes):
    rows = reading_rows(boxes)
    flat = [i for row in rows for i in row]
    assert sorted(flat) == list(range(len(boxes)))
    for row in rows:
        centres = [boxes[i][0] + boxes[i][2] / 2 for i in row]
        assert centres == sorted(centres)


def test_a_steeply_tilted_row_of_spaced_digits_stays_one_row_over_a_second():
    # 11 degrees and perspective: the row climbs 28 px between two digits 44 px tall, 75 px apart
    row = [(194, 193, 41, 44), (257, 180, 43, 49), (314, 166, 36, 51), (359, 167, 33, 44), (412, 161, 62, 42),
           (501, 129, 36, 51), (567, 120, 37, 46), (622, 101, 33, 56), (682, 101, 25, 43), (737, 85, 33, 48)]
    below = [(x + 10, y + 120, w, h) for x, y, w, h in row[:4]]
    assert reading_rows(row + below) == [list(range(10)), list(range(10, 14))]
