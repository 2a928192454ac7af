"""edge.page: the sheet is found by its hard edge, its shadows stay part of it, and the desk is left out."""
from __future__ import annotations

import cv2
import numpy as np

from edge.detect import DetectParams
from edge.page import page_region, quantile
from edge.segment import ink_mask, paper_brightness
from tests import edge_frames as frames


def closed_of(scene: np.ndarray) -> np.ndarray:
    grey = frames.finish(scene, np.random.default_rng(0))
    small = cv2.resize(grey, (grey.shape[1] // 4, grey.shape[0] // 4), interpolation=cv2.INTER_AREA)
    return paper_brightness(small, DetectParams().background_window)


def page_of(closed: np.ndarray) -> np.ndarray:
    return page_region(closed, quantile(closed, None, 0.95))


def sheet_on_desk(desk: float = 70.0) -> np.ndarray:
    scene = np.full((480, 640), desk, np.float32)
    scene[60:420, 120:520] = 215.0
    return scene


def test_paper_filling_the_frame_is_all_page():
    assert page_of(closed_of(frames.paper(gradient=0.4))).all()


def test_the_desk_around_a_sheet_is_not_page_but_a_soft_shadow_on_it_is():
    scene = frames.shadow(sheet_on_desk(), depth=0.5, x_from=320, softness=25.0)
    scene[:60] = scene[420:] = 70.0  # the shadow falls on the sheet; the desk stays as it was
    scene[:, :120] = scene[:, 520:] = 70.0
    region = page_of(closed_of(scene))
    assert region[40:80, 50:110].mean() > 0.95  # the sheet's middle, light and shade (quarter-size pixels)
    assert region[:10].max() == 0 and region[:, :25].max() == 0 and region[:, 135:].max() == 0  # the desk


def test_a_desk_as_light_as_the_paper_is_kept_rather_than_lose_the_sheet():
    region = page_of(closed_of(sheet_on_desk(desk=200.0)))
    assert region[40:80, 50:110].all() and region[:10].mean() > 0.9


def test_speckles_on_a_dark_desk_are_not_ink_but_the_digits_on_the_sheet_are():
    rng = np.random.default_rng(4)
    scene = sheet_on_desk(desk=110.0)
    for x, y in rng.integers([0, 0], [640, 480], (400, 2)):
        if not (110 <= x <= 530 and 50 <= y <= 430):
            cv2.ellipse(scene, (int(x), int(y)), (int(rng.integers(3, 9)), int(rng.integers(3, 12))),
                        int(rng.integers(180)), 0, 360, 25.0, -1)
    frames.write(scene, "47", (250, 280), 3.0, 5)
    mask = ink_mask(frames.finish(scene, rng))
    assert np.count_nonzero(mask[200:300, 240:400]) > 800  # the digits
    off_sheet = mask.copy()
    off_sheet[50:430, 110:530] = 0
    assert np.count_nonzero(off_sheet) == 0
