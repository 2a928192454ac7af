"""edge.level: the angle a sheet's writing runs at, the frame turned level, and boxes taken back."""
from __future__ import annotations

import cv2
import numpy as np

from edge.classify import Classifier
from edge.detect import DetectParams, debug_images
from edge.level import box_back, turned, writing_angle
from edge.recognise import recognise
from tests import edge_frames as frames


def row(angle: float, count: int = 5, start: tuple[float, float] = (100, 100), step: float = 60) -> list:
    """Digit-sized boxes whose centres run at `angle` degrees (falling to the right)."""
    dx, dy = step * np.cos(np.radians(angle)), step * np.sin(np.radians(angle))
    return [(int(start[0] + i * dx) - 15, int(start[1] + i * dy) - 20, 30, 40) for i in range(count)]


def test_the_angle_is_the_rows_and_two_rows_agree_but_a_column_or_a_lone_digit_says_nothing():
    assert abs(writing_angle(row(25.0)) - 25.0) < 1.5
    assert abs(writing_angle(row(-20.0) + row(-20.0, start=(100, 250))) + 20.0) < 1.5
    column = [(100, 100 + 50 * i, 30, 40) for i in range(4)]  # numbers written one under another
    assert writing_angle(column) is None
    assert writing_angle(row(10.0, count=1)) is None


def test_a_box_of_the_turned_frame_comes_back_round_the_same_ink_in_the_original():
    grey = np.full((300, 400), 200, np.uint8)
    cv2.circle(grey, (120, 90), 6, 0, -1)
    level, back = turned(grey, 30.0)
    assert level.shape[0] > grey.shape[0] and level.shape[1] > grey.shape[1]  # nothing cut off
    x, y, w, h = cv2.boundingRect(cv2.findNonZero((level < 100).astype(np.uint8)))
    bx, by, bw, bh = box_back((x, y, w, h), back, grey.shape)
    assert bx <= 114 and by <= 84 and bx + bw >= 126 and by + bh >= 96  # holds the dot ...
    assert bw <= 2 * w and bh <= 2 * h  # ... and little more


def test_a_sheet_lying_askew_is_read_from_the_frame_turned_level_with_boxes_on_the_photo():
    """Digits turned 28 degrees with their sheet, beyond the 12 the network learnt: read again level. The
    boxes are the photo's own, round each digit's ink; the debug pictures show the level frame."""
    sheet = frames.paper(480, 640)
    frames.write(sheet, "47290", (150, 260), 2.4, 5)
    photo = frames.finish(sheet, np.random.default_rng(3))
    turn = cv2.getRotationMatrix2D((320, 240), 28.0, 1.0)
    askew = cv2.warpAffine(photo, turn, (640, 480), borderMode=cv2.BORDER_REPLICATE)
    result = recognise(askew, Classifier(), DetectParams(), 0.5)
    assert result.reading.text == "47290"
    assert abs(result.detection.turned + 28.0) < 4.0
    ink = (askew < 120).astype(np.uint8)
    for digit in result.reading.digits:
        x, y, w, h = digit.box
        assert cv2.countNonZero(ink[y:y + h, x:x + w]) > 0.1 * w * h
    pictures = debug_images(askew, result.detection, result.dropped)
    assert pictures["boxes"].shape[:2] == result.detection.mask.shape
