"""edge.page: the sheet is found by its hard edge, its shadows stay part of it, and the desk is left out."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.detect import DetectParams
from edge.page import page_region, quantile
from edge.segment import ink_mask, paper_brightness
from tests import edge_frames as frames


def closed_of(scene: np.ndarray) -> np.ndarray:
    grey = frames.finish(scene, np.random.default_rng(0))
    small = cv2.resize(grey, (grey.shape[1] // 4, grey.shape[0] // 4), interpolation=cv2.INTER_AREA)
    return paper_brightness(small, DetectParams().background_window)


def page_of(closed: np.ndarray) -> np.ndarray:
    return page_region(closed, np.zeros_like(closed), quantile(closed, None, 0.95))


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


def speckle(scene: np.ndarray, rng: np.random.Generator, tone: float) -> None:
    """Grain on the desk: dark flecks all over the frame (the sheet is laid on top afterwards)."""
    for x, y in rng.integers([0, 0], [640, 480], (400, 2)):
        cv2.ellipse(scene, (int(x), int(y)), (int(rng.integers(3, 9)), int(rng.integers(3, 12))),
                    int(rng.integers(180)), 0, 360, tone, -1)


@pytest.mark.parametrize("grid", [False, True])
def test_a_grainy_desk_as_light_as_the_paper_is_cut_off_along_the_sheets_straight_edges(grid: bool):
    """A patch of desk as bright as the paper beside the sheet's left edge leaves a long gap in its outline;
    its straight edges still say where the sheet ends, squared paper's own print notwithstanding."""
    rng = np.random.default_rng(5)
    scene = np.full((480, 640), 190.0, np.float32)  # 0.84 of the paper: a light desk
    scene[230:330, :150] = 224.0
    speckle(scene, rng, 120.0)
    pts = np.array([[150, 70], [530, 50], [545, 420], [135, 430]], np.int32)
    cv2.fillConvexPoly(scene, pts, 225.0)
    if grid:
        sheet = np.zeros(scene.shape, np.uint8)
        cv2.fillConvexPoly(sheet, pts, 255)
        lines = np.zeros_like(sheet)
        for k in range(0, 640, 24):
            cv2.line(lines, (k, 0), (k, 479), 255, 1)
            cv2.line(lines, (0, k), (639, k), 255, 1)
        scene[(lines > 0) & (sheet > 0)] = 185.0
    frames.write(scene, "47", (260, 280), 3.0, 5)
    mask = ink_mask(frames.finish(scene, rng))
    assert np.count_nonzero(mask[200:300, 250:400]) > 800  # the digits
    inside = np.zeros_like(mask)
    cv2.fillConvexPoly(inside, pts, 255)
    assert np.count_nonzero(mask[(inside == 0)[:, :]]) < 40  # next to no flecks of the desk


def test_a_hard_shadow_edge_across_the_sheet_keeps_the_digits_in_its_shade():
    """Paper on both sides: no grain beyond the edge, so nothing is cut off but the desk's own flecks."""
    rng = np.random.default_rng(6)
    scene = np.full((480, 640), 215.0, np.float32)
    scene[:, 330:] *= 0.85  # a hard-edged shadow over the right of a sheet filling the frame
    frames.write(scene, "38", (420, 280), 3.0, 5)
    mask = ink_mask(frames.finish(scene, rng))
    assert np.count_nonzero(mask[200:300, 410:560]) > 800


def test_writing_across_a_hard_shadows_straight_edge_is_not_taken_for_a_grainy_desk():
    """The shadow's edge is straight and hard like a sheet's, and the strokes in its shade are dark marks
    beyond it like a desk's grain; but the shade is far dimmer than the paper, and a desk that dim is found
    by its brightness alone. (Low resolution layers, as find_ink hands them over.)"""
    columns = np.arange(160, dtype=np.float32)
    depth = np.clip(np.minimum(columns - 5, 155 - columns) / 20.0, 0.0, 1.0)  # soft at its sides only
    closed = np.full((120, 160), 220.0, np.float32)
    closed[65:] *= 1.0 - 0.32 * depth[None, :]
    closed = closed.astype(np.uint8)
    coarse = np.zeros_like(closed)
    coarse[67:80:3, 20:140:2] = 60  # the lower halves of a marker's digits, in the shade
    region = page_region(closed, coarse, quantile(closed, None, 0.95))
    assert region[70:110, 40:120].all()


def test_a_step_within_a_grainy_desk_does_not_cut_through_the_sheet():
    # Two tones of desk meet in a straight, hard step above the sheet; the darker one is speckled. Extended,
    # the step would cut the sheet in two, but it has desk on both sides, not the page's paper on one.
    rng = np.random.default_rng(5)
    scene = np.full((480, 640), 70.0, np.float32)
    scene[:, :320] = 60.0
    for x, y in rng.integers([0, 0], [320, 480], (700, 2)):
        cv2.ellipse(scene, (int(x), int(y)), (int(rng.integers(2, 5)), int(rng.integers(2, 6))),
                    int(rng.integers(180)), 0, 360, 25.0, -1)
    scene[280:470, 100:580] = 215.0
    frames.write(scene, "47", (150, 440), 3.0, 5)
    frames.write(scene, "58", (400, 440), 3.0, 5)
    mask = ink_mask(frames.finish(scene, rng))
    assert np.count_nonzero(mask[350:460, 140:300]) > 800  # the digits left of the step's line
    assert np.count_nonzero(mask[350:460, 390:550]) > 800  # and right of it


def test_a_wood_desk_a_fifth_darker_than_the_paper_beyond_the_sheets_edge_is_cut_off():
    """Its light streaks make the desk a piece of ground as bright as the page, and its dark ones pass for
    ink; beside the sheet it is a fifth darker than the paper, still far lighter than a hard shadow's shade.
    (Low resolution layers, as find_ink hands them over.)"""
    closed = np.full((120, 160), 220, np.uint8)
    closed[:, :50] = np.linspace(190, 168, 50).astype(np.uint8)[None, :]  # lit by the light streaks far off
    coarse = np.full_like(closed, 2)
    coarse[:, :50] = 14  # and its dark ones
    region = page_region(closed, coarse, quantile(closed, None, 0.95))
    assert region[:, :45].max() == 0 and region[:, 56:].all()
