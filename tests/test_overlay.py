"""The overlay: boxes where the digits are, unsure digits in their own colour, the reading, timings, crop inset."""
from __future__ import annotations

import numpy as np
import pytest

from edge.overlay import DOUBT, SURE, Stats, _overlap, _tags, draw
from edge.reading import EMPTY, Reading, make_reading

GREY = 128


def _frame(h: int = 480, w: int = 640) -> np.ndarray:
    return np.full((h, w, 3), GREY, np.uint8)


def _reading(boxes: list[tuple[int, int, int, int]], digits: list[int], confidence: list[float],
             rows: list[list[int]] | None = None) -> Reading:
    p = np.full((len(digits), 10), 0.0, np.float32)
    for i, (d, c) in enumerate(zip(digits, confidence)):
        p[i] = (1 - c) / 9
        p[i, d] = c
    return make_reading(boxes, rows if rows is not None else [list(range(len(boxes)))], p, min_confidence=0.5)


def _colour_mask(image: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    return np.all(image == np.array(colour, np.uint8), axis=2)


def test_boxes_are_drawn_around_each_digit_and_nowhere_else() -> None:
    boxes = [(200, 200, 40, 60), (300, 220, 40, 60)]
    out = draw(_frame(), _reading(boxes, [3, 7], [0.95, 0.9]))
    sure = _colour_mask(out, SURE)
    for x, y, w, h in boxes:
        assert sure[y + h // 2, x] and sure[y + h // 2, x + w - 1]  # left and right edges
        assert sure[y + h - 1, x + w // 2]  # bottom edge
        assert (out[y + 10:y + h - 10, x + 10:x + w - 10] == GREY).all()  # the digit itself stays visible
    # Far from the digits, the reading panel and the corners: untouched.
    assert (out[300:420, 420:600] == GREY).all()


def test_unsure_digit_has_its_own_colour() -> None:
    boxes = [(200, 200, 40, 60), (300, 200, 40, 60)]
    out = draw(_frame(), _reading(boxes, [3, 7], [0.95, 0.2]))
    assert _colour_mask(out[:, 190:250], SURE).sum() > 100
    assert _colour_mask(out[:, 190:250], DOUBT).sum() == 0
    assert _colour_mask(out[:, 290:350], DOUBT).sum() > 100
    assert _colour_mask(out[:, 290:350], SURE).sum() == 0


def test_box_scale_maps_analysis_pixels_onto_the_shown_image() -> None:
    out = draw(_frame(), _reading([(100, 100, 20, 30)], [5], [0.99]), box_scale=2.0)
    sure = _colour_mask(out, SURE)
    assert sure[230, 200] and sure[230, 239]  # the box at (200, 200, 40, 60)
    assert not sure[115, 100]  # not where the unscaled box would be


def test_input_is_never_changed() -> None:
    frame = np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    before = frame.copy()
    crops = np.ones((2, 28, 28), np.float32)
    out = draw(frame, _reading([(50, 300, 30, 40), (100, 300, 30, 40)], [1, 2], [0.9, 0.9]),
               Stats(fps=30.0, stages={"segment": 1.0}), crops)
    assert (frame == before).all()
    assert out is not frame and not np.shares_memory(out, frame)
    assert not (out == frame).all()


def test_empty_reading_without_stats_is_a_plain_copy() -> None:
    frame = _frame()
    out = draw(frame, EMPTY)
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert (out == frame).all() and out is not frame


def test_reading_is_shown_in_large_type_one_line_per_row() -> None:
    boxes = [(300, 300, 30, 40), (340, 300, 30, 40), (300, 380, 30, 40)]
    one_row = draw(_frame(), _reading(boxes, [1, 2, 3], [0.9] * 3))
    two_rows = draw(_frame(), _reading(boxes, [1, 2, 3], [0.9] * 3, rows=[[0, 1], [2]]))

    def panel_height(image: np.ndarray) -> int:
        dark = (image[:, :200] < GREY // 2).all(axis=2)  # the backing darkens the grey frame
        return int(dark.any(axis=1).sum())

    assert panel_height(one_row) >= 40  # large type: taller than the per-digit tags
    assert panel_height(two_rows) > 1.6 * panel_height(one_row)
    white = _colour_mask(one_row[:120, :200], (255, 255, 255)).sum()
    assert white > 200  # the text itself


def test_stats_appear_only_when_given() -> None:
    reading = _reading([(300, 200, 30, 40)], [4], [0.9])
    without = draw(_frame(), reading)
    with_stats = draw(_frame(), reading, Stats(fps=29.7, stages={"capture": 0.5, "classify": 1.25}))
    bottom = slice(400, 480)
    assert (without[bottom] == GREY).all()
    assert (with_stats[bottom] != GREY).any(axis=2).sum() > 500


def test_stats_wrap_to_the_picture_width() -> None:
    stages = {f"stage{i}": float(i) for i in range(12)}
    narrow = draw(_frame(480, 320), EMPTY, Stats(fps=10.0, stages=stages))
    changed_rows = (narrow != GREY).any(axis=(1, 2))
    assert changed_rows[300:].sum() > 40  # several lines, not one line running off the edge
    assert (narrow[:, -4:] == GREY).all()


def test_inset_shows_the_crops_enlarged_and_labelled() -> None:
    boxes = [(100, 200, 30, 40), (150, 200, 30, 40), (200, 200, 30, 40)]
    reading = _reading(boxes, [1, 2, 3], [0.9, 0.9, 0.1])
    crops = np.zeros((3, 28, 28), np.float32)
    crops[:, 7:21, 7:21] = 1.0  # a bright square in each crop
    stats = Stats(fps=30.0, stages={"classify": 1.0})
    plain = draw(_frame(), reading, stats)
    inset = draw(_frame(), reading, stats, crops)
    corner = (slice(320, 480), slice(320, 640))  # bottom right
    white = _colour_mask(inset[corner], (255, 255, 255))
    assert white.sum() >= 3 * (14 * 2) ** 2  # three squares, enlarged at least 2x
    assert _colour_mask(plain[corner], (255, 255, 255)).sum() == 0
    black = _colour_mask(inset[corner], (0, 0, 0)).sum()
    assert black >= 3 * (28 * 2) ** 2 - 3 * (14 * 2) ** 2  # the crops' dark surround, not the grey frame
    assert _colour_mask(inset[corner], DOUBT).any()  # the unsure crop's label
    assert (inset[:320] == plain[:320]).all() and (inset[:, :320] == plain[:, :320]).all()  # only its corner
    stats_rows = np.nonzero((plain[:, :100] != GREY).any(axis=(1, 2)))[0]
    inset_rows = np.nonzero(white.any(axis=1))[0] + 320
    assert inset_rows.max() < stats_rows[stats_rows > 320].min()  # above the timings, not over them


def test_many_crops_wrap_and_stay_in_the_bottom_third() -> None:
    crops = np.ones((40, 28, 28), np.float32)
    out = draw(_frame(), EMPTY, crops=crops)
    changed = np.nonzero((out != GREY).any(axis=(1, 2)))[0]
    assert changed.min() >= 480 * 2 // 3 - 8
    assert _colour_mask(out, (255, 255, 255)).sum() >= 15 * 56 * 56  # more than one row (ten fit in a row)


def test_grey_frames_are_drawn_in_colour() -> None:
    out = draw(np.full((240, 320), GREY, np.uint8), _reading([(100, 100, 30, 40)], [8], [0.9]))
    assert out.shape == (240, 320, 3)
    assert _colour_mask(out, SURE).any()


@pytest.mark.parametrize("bad", [np.zeros((10, 10, 3), np.float32), np.zeros((2, 2, 2, 2), np.uint8)])
def test_rejects_what_is_not_an_image(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="uint8"):
        draw(bad, EMPTY)


def test_tiny_frames_and_boxes_at_the_edges_do_not_fail() -> None:
    reading = _reading([(0, 0, 10, 12), (50, 50, 20, 20)], [1, 9], [0.9, 0.3])
    out = draw(_frame(64, 64), reading, Stats(fps=1.0, stages={"a": 1.0}), np.ones((2, 28, 28), np.float32))
    assert out.shape == (64, 64, 3)
    assert _colour_mask(out, SURE).any()


def test_tags_of_digits_written_close_together_do_not_cover_each_other() -> None:
    boxes = [(100, 100, 20, 40), (124, 102, 20, 40), (300, 100, 20, 40)]  # two close, one apart
    texts = [("4", " 100%"), ("9", " 98%"), ("7", " 99%")]
    tags = _tags(boxes, texts, 0.5, 1)
    assert [tag for tag, _ in tags] == ["4", "9 98%", "7 99%"]  # only the crowded one is shortened
    rects = [rect for _, rect in tags]
    assert not any(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
