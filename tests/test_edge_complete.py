"""edge.complete: a digit found in pieces is finished from its own ink; lines and noise stay out."""
from __future__ import annotations

import cv2
import numpy as np

from edge.complete import _median, complete
from edge.segment import Ink


def ring_with_gaps() -> tuple[np.ndarray, np.ndarray]:
    """A faint 0 (darkness 40 over the paper) whose mask kept only its darker left and right sides (60)."""
    darker = np.zeros((200, 200), np.uint8)
    cv2.ellipse(darker, (100, 100), (25, 40), 0, 0, 360, 40, 4)
    cv2.ellipse(darker, (100, 100), (25, 40), 0, 150, 210, 60, 4)  # the darker parts the frame's threshold kept
    cv2.ellipse(darker, (100, 100), (25, 40), 0, -30, 30, 60, 4)
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    return darker, mask


def ink(mask: np.ndarray, darker: np.ndarray, lines: np.ndarray | None = None, quiet: int = 10,
        need: int = 55) -> Ink:
    """The frame's layers: the faint parts (40) and the found parts (60) are on either side of `need`."""
    small = (mask.shape[0] // 4, mask.shape[1] // 4)
    return Ink(mask, darker, np.full_like(mask, 200), np.zeros_like(mask) if lines is None else lines,
               np.full(small, need, np.uint8), np.full(small, quiet, np.uint8),
               cv2.resize(darker, small[::-1], interpolation=cv2.INTER_AREA), 4)


def test_a_faint_ring_found_as_two_arcs_is_closed_and_its_box_is_whole():
    darker, mask = ring_with_gaps()
    box = cv2.boundingRect(mask)
    done, boxes = complete(ink(mask, darker), [box])
    ring = darker >= 40
    assert np.count_nonzero(done[ring]) >= 0.95 * np.count_nonzero(ring)
    assert boxes == [cv2.boundingRect(ring.astype(np.uint8))]
    untouched, _ = complete(ink(mask, darker, need=30), [box])  # ink this dark was found whole: no second look
    assert np.array_equal(untouched, mask)


def test_line_pixels_noise_and_marks_not_joined_to_the_digit_stay_out():
    darker, mask = ring_with_gaps()
    lines = np.zeros_like(mask)
    cv2.line(darker, (0, 100), (199, 100), 40, 2)  # a rule through the ring, as dark as its faint parts
    cv2.line(lines, (0, 100), (199, 100), 255, 2)
    cv2.circle(darker, (100, 100), 3, 45, -1)  # a speck inside the ring, apart from the strokes
    done, _ = complete(ink(mask, darker, lines), [cv2.boundingRect(mask)])
    assert np.count_nonzero(done[99:102, :60]) == 0 and np.count_nonzero(done[99:102, 140:]) == 0
    assert done[100, 100] == 0
    quiet, _ = complete(ink(mask, darker, quiet=50), [cv2.boundingRect(mask)])  # faint parts under the noise
    assert np.array_equal(quiet, mask)


def test_a_digit_that_would_grow_into_a_long_faint_mark_is_left_as_found():
    darker, mask = ring_with_gaps()
    cv2.line(darker, (100, 5), (100, 195), 45, 3)  # a faint stroke through the ring, far taller than a digit
    box = cv2.boundingRect(mask)
    done, boxes = complete(ink(mask, darker), [box])
    assert boxes == [box] and np.array_equal(done, mask)


def test_touching_digits_cut_apart_are_not_grown_back_into_one():
    darker = np.zeros((200, 260), np.uint8)
    cv2.circle(darker, (80, 100), 35, 60, 4)
    cv2.circle(darker, (148, 100), 35, 60, 4)  # the rings touch: one blob, cut at x = 114 into two digits
    mask = np.where(darker > 0, np.uint8(255), np.uint8(0))
    left, right = (43, 63, 71, 75), (114, 63, 72, 75)
    _, boxes = complete(ink(mask, darker), [left, right])
    assert boxes[0][0] + boxes[0][2] <= 116 and boxes[1][0] >= 112


def test_a_digit_running_into_shade_is_finished_by_its_strokes_share_not_the_shade():
    """The paper estimate does not follow a narrow shade: the whole shade looks dark, the stroke in it darker
    still, by the same share of its dimmer ground as in the light."""
    darker = np.zeros((200, 200), np.uint8)
    darker[:, 100:] = 60  # shade: the ground there is 140, the estimate says 200
    ring = np.zeros_like(darker)
    cv2.ellipse(ring, (100, 100), (25, 40), 0, 0, 360, 255, 4)
    darker[(ring > 0) & (darker == 0)] = 60  # 30% of 200 in the light
    darker[(ring > 0) & (darker == 60) & (np.arange(200) >= 100)[None, :]] = 60 + 42  # 30% of 140 in shade
    mask = np.where((ring > 0) & (np.arange(200) < 100)[None, :], np.uint8(255), np.uint8(0))
    done, boxes = complete(ink(mask, darker), [cv2.boundingRect(mask)])
    assert np.count_nonzero(done[ring > 0]) >= 0.95 * np.count_nonzero(ring)
    assert boxes == [cv2.boundingRect(ring)]  # the shade itself stays out


def test_a_loose_piece_beside_a_digit_is_kept_only_when_it_finishes_into_a_digit():
    darker = np.zeros((200, 360), np.uint8)
    cv2.ellipse(darker, (100, 100), (25, 40), 0, 0, 360, 80, 4)  # a digit found whole
    cv2.ellipse(darker, (220, 100), (25, 40), 0, 0, 360, 40, 4)  # a faint one: only a short arc came through
    cv2.ellipse(darker, (220, 100), (25, 40), 0, -20, 20, 60, 4)
    cv2.circle(darker, (310, 100), 5, 60, -1)  # a speck of dirt in the row: nothing faint around it
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    part = np.searchsorted([160, 280], np.arange(360), side="right")[None, :]  # 0, 1, 2: digit, arc, speck
    left, middle, right = (np.where(part == k, mask, np.uint8(0)) for k in range(3))
    digit, arc, speck = (cv2.boundingRect(part) for part in (left, middle, right))
    _, boxes = complete(ink(mask, darker), [digit], loose=[arc, speck])
    faint = np.zeros_like(darker)
    cv2.ellipse(faint, (220, 100), (25, 40), 0, 0, 360, 255, 4)
    assert boxes == [digit, cv2.boundingRect(faint)]


def test_a_row_running_faint_is_finished_piece_by_piece():
    """A ballpoint running dry: of the row's last two digits only a short arc each came through. The first
    stands beside the digit found whole; the second only beside the first, once that is finished."""
    darker = np.zeros((200, 420), np.uint8)
    cv2.ellipse(darker, (100, 100), (25, 40), 0, 0, 360, 80, 4)
    for x in (220, 340):
        cv2.ellipse(darker, (x, 100), (25, 40), 0, 0, 360, 40, 4)
        cv2.ellipse(darker, (x, 100), (25, 40), 0, -50, 50, 60, 4)
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    digit, first, second = sorted(tuple(int(v) for v in stats[i, :4]) for i in range(1, count))
    _, boxes = complete(ink(mask, darker), [digit], loose=[second, first])
    assert complete(ink(mask, darker), [digit], loose=[first])[1] == boxes[:2]  # the second is no part of the row
    thin = np.where(darker >= 60, mask, np.uint8(0))
    thin[:, 352:] = 0
    thin[60:140, 360:366] = 255  # a sliver instead: a grid line's remnant, which a chain would run along
    sliver = (360, 60, 6, 80)
    finished = []
    for x in (220, 340):
        faint = np.zeros_like(darker)
        cv2.ellipse(faint, (x, 100), (25, 40), 0, 0, 360, 255, 4)
        finished.append(cv2.boundingRect(faint))
    assert boxes == [digit, *finished]
    assert complete(ink(thin, darker), [digit], loose=[sliver, first])[1] == boxes[:2]


def row_with_a_faint_end(faintness: int) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int, int]]]:
    """Three digits found (darkness 80) and a fourth at the row's right end, `faintness` dark on its right
    side and 10 less elsewhere, which the frame's threshold (need 55) missed whole: no pixel of it is in the
    mask."""
    darker = np.zeros((200, 440), np.uint8)
    for x in (100, 180, 260):
        cv2.ellipse(darker, (x, 100), (25, 40), 0, 0, 360, 80, 4)
    cv2.ellipse(darker, (340, 100), (25, 40), 0, 0, 360, faintness - 10, 4)
    cv2.ellipse(darker, (340, 100), (25, 40), 0, -60, 60, faintness, 4)
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return darker, mask, sorted(tuple(int(v) for v in stats[i, :4]) for i in range(1, count))


def test_a_digit_written_fainter_than_its_row_at_the_rows_end_is_found():
    """A pen pressed lightly for one digit: nothing of it passes the frame's threshold, raised by the row's
    darker ink, but a stroke nearly a digit tall and 0.69 as dark as the row stands right after it; the rest
    of the digit is finished from it."""
    darker, mask, boxes = row_with_a_faint_end(55)
    assert len(boxes) == 3
    _, grown = complete(ink(mask, darker), boxes)
    faint = np.zeros_like(darker)
    cv2.ellipse(faint, (340, 100), (25, 40), 0, 0, 360, 255, 4)
    assert grown == boxes + [cv2.boundingRect(faint)]


def test_a_mark_far_fainter_than_the_row_or_off_the_page_is_not_taken_for_a_missed_digit():
    darker, mask, boxes = row_with_a_faint_end(30)  # 0.38 as dark as the row: print, grain, a shadow's edge
    assert complete(ink(mask, darker), boxes)[1] == boxes
    darker, mask, boxes = row_with_a_faint_end(55)
    layers = ink(mask, darker)
    layers.need[:, 300 // 4:] = 255  # the desk beyond the sheet's edge at x = 300
    assert complete(layers, boxes)[1] == boxes


def row_with_a_dotted_one(gap: int) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int, int]]]:
    """Three digits found (darkness 80) and, at the row's right end, a faint 1 (55) that came through the
    noise as dots 5 px long, `gap` px apart; the frame's threshold (need 55) kept none of it."""
    darker = np.zeros((200, 440), np.uint8)
    for x in (100, 180, 260):
        cv2.ellipse(darker, (x, 100), (25, 40), 0, 0, 360, 80, 4)
    for y in range(62, 139, 5 + gap):
        cv2.line(darker, (340, y), (340, min(y + 4, 138)), 55, 4)
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return darker, mask, sorted(tuple(int(v) for v in stats[i, :4]) for i in range(1, count))


def test_a_faint_1_come_through_as_dots_at_the_rows_end_is_found():
    darker, mask, boxes = row_with_a_dotted_one(3)
    assert len(boxes) == 3
    _, grown = complete(ink(mask, darker), boxes)
    assert len(grown) == 4
    x, y, w, h = grown[3]
    assert 336 <= x <= 340 <= x + w <= 344 and y <= 63 and y + h >= 137  # the whole 1, top dot to bottom dot


def test_dots_far_apart_are_no_stroke():
    darker, mask, boxes = row_with_a_dotted_one(20)  # specks in a column, a digit's height between them
    assert complete(ink(mask, darker), boxes)[1] == boxes


def test_the_median_from_a_histogram_is_the_sorted_values_middle_one():
    rng = np.random.default_rng(4)
    for size in (1, 2, 7, 50):
        image = rng.integers(0, 256, (size, size + 3), dtype=np.uint8)
        where = np.where(rng.random(image.shape) < 0.6, np.uint8(255), np.uint8(0))
        where[0, 0] = 255
        values = np.sort(image[where > 0])
        assert _median(image, where) == values[len(values) // 2]


def test_a_slanted_1_finished_from_a_piece_is_kept_though_longer_than_a_digit_is_tall():
    """A faint slanted 1 beside two digits: only a short piece of it came through. Finished, it is a sliver
    as long as the digits are tall; a line is one half as long again as that, not half as long again as the
    least height a finished piece must reach."""
    darker = np.zeros((200, 360), np.uint8)
    for x in (100, 180):
        cv2.ellipse(darker, (x, 100), (25, 40), 0, 0, 360, 80, 4)  # two digits found whole
    cv2.line(darker, (275, 60), (250, 140), 40, 4)  # the 1, faint ...
    cv2.line(darker, (268, 84), (260, 110), 60, 4)  # ... but for a short piece the threshold kept
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    found = sorted(tuple(int(v) for v in stats[i, :4]) for i in range(1, count))
    digits, piece = found[:2], found[2]
    _, boxes = complete(ink(mask, darker), digits, loose=[piece])
    one = np.zeros_like(darker)
    cv2.line(one, (275, 60), (250, 140), 255, 4)
    assert boxes == digits + [cv2.boundingRect(one)]


def test_a_digit_whose_faint_strokes_run_past_the_first_look_is_finished_whole():
    """A faint 6 beside a digit found whole: only the top of its stem came through. Its stem and loop run on
    past the look around that piece, so the look is taken again around what the first one found."""
    darker = np.zeros((240, 300), np.uint8)
    cv2.ellipse(darker, (80, 120), (25, 40), 0, 0, 360, 80, 4)  # a digit found whole, 80 px tall
    six = np.zeros_like(darker)
    cv2.line(six, (215, 80), (185, 140), 255, 4)  # the 6's stem ...
    cv2.circle(six, (200, 140), 18, 255, 4)  # ... and its loop: 80 px tall in all
    darker[six > 0] = 40  # faint ...
    cv2.line(darker, (215, 80), (205, 100), 60, 4)  # ... but for the stem's top, which the threshold kept
    mask = np.where(darker >= 60, np.uint8(255), np.uint8(0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    digit, piece = sorted(tuple(int(v) for v in stats[i, :4]) for i in range(1, count))
    _, boxes = complete(ink(mask, darker), [digit, piece])
    assert boxes == [digit, cv2.boundingRect(six)]
