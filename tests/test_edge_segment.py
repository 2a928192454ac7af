"""edge.segment: ink is found under gradients, shadows and either polarity; paper, print and noise are not."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from edge.detect import DetectParams
from edge.segment import _polarity, find_ink, ink_mask, noise_level, texture_level
from tests import edge_frames as frames

RNG_SEED = 7


def ink(sheet: np.ndarray) -> np.ndarray:
    return ink_mask(frames.finish(sheet, np.random.default_rng(RNG_SEED)))


def share(mask: np.ndarray) -> float:
    return float(np.count_nonzero(mask)) / mask.size


def test_blank_paper_with_a_strong_gradient_has_no_ink():
    assert share(ink(frames.paper(gradient=0.5))) < 1e-4


def test_shadow_edge_is_not_ink():
    sheet = frames.shadow(frames.paper(), depth=0.55, x_from=320, softness=2.0)
    assert share(ink(sheet)) < 1e-4


def test_grainy_paper_and_jpeg_have_no_ink():
    rng = np.random.default_rng(1)
    grey = frames.finish(frames.paper(rng=rng, grain=4.0, gradient=0.3), rng, noise=5.0, jpeg=50)
    assert share(ink_mask(grey)) < 1e-3


def test_pure_noise_has_next_to_no_ink():
    grey = np.random.default_rng(2).integers(0, 256, (480, 640), dtype=np.uint8)
    assert share(ink_mask(grey)) < 1e-3


def stroke_mask(thickness: int) -> np.ndarray:
    """A ring the size of a big digit (a long straight stroke would be taken for a ruled line)."""
    layer = np.zeros((480, 640), np.uint8)
    cv2.circle(layer, (320, 240), 60, 255, thickness)
    return layer


def test_a_thin_pen_line_is_found_whole():
    sheet = frames.paper(gradient=0.3)
    truth = stroke_mask(2)
    sheet *= 1.0 - 0.7 * (truth / 255.0)
    mask = ink(sheet)
    assert np.count_nonzero(mask[truth > 0]) >= 0.95 * np.count_nonzero(truth)
    assert np.count_nonzero(mask[truth == 0]) < 0.5 * np.count_nonzero(truth)  # grown, not bloated


def test_a_marker_stroke_is_solid_not_hollow():
    sheet = frames.paper(gradient=0.3)
    truth = stroke_mask(24)
    sheet *= 1.0 - 0.7 * (truth / 255.0)
    mask = ink(sheet)
    core = cv2.erode(truth, np.ones((5, 5), np.uint8))
    assert np.count_nonzero(mask[core > 0]) == np.count_nonzero(core)


def test_ink_in_the_shadow_is_found_like_ink_in_the_light():
    sheet = frames.paper()
    boxes = frames.write(sheet, "7373", (40, 280), 3.0, 5)
    sheet = frames.shadow(sheet, depth=0.6, x_from=250)
    mask = ink(sheet)
    for x, y, w, h in boxes:
        assert np.count_nonzero(mask[y:y + h, x:x + w]) > 0.1 * w * h


def test_a_ballpoints_faint_writing_in_shade_is_found_as_whole_as_in_the_light():
    """Shade asks ink for a pen's contrast (a dim desk's grain is fainter), but a ballpoint only 26% darker
    than its paper keeps that 26% in a shadow: it is asked for about what the page's writing shows."""
    sheet = frames.paper()
    boxes = frames.write(sheet, "7373", (40, 280), 3.0, 4, ink=0.74)
    sheet = frames.shadow(sheet, depth=0.6, x_from=172)  # over the second "73"
    mask = ink_mask(frames.finish(sheet, np.random.default_rng(RNG_SEED), blur=0.8))
    found = [np.count_nonzero(mask[y:y + h, x:x + w]) for x, y, w, h in boxes]
    assert found[2] > 0.6 * found[0] and found[3] > 0.6 * found[1]  # each as whole as the same digit lit


def test_the_paper_under_an_arms_shadow_is_followed_not_filled_in():
    """A band of shade narrower than the paper estimate's wide window: that window alone fills it with the
    light paper around it; the narrow one it falls back on follows it."""
    sheet = frames.band(frames.paper(), 320, 90, 0.5)
    grey = frames.finish(sheet, np.random.default_rng(0))
    shaded = frames.band(np.full((480, 640), 215.0, np.float32), 320, 90, 0.5)[240, 320]
    paper = float(find_ink(grey).paper[240, 320])
    filled = float(find_ink(grey, DetectParams(shade_window=0.0)).paper[240, 320])
    assert abs(paper - shaded) < 0.1 * shaded
    assert filled > 1.5 * shaded


def test_an_arms_shadow_whose_dark_core_stops_short_of_the_frames_edge_is_followed():
    """A soft shadow fades towards the frame's edge: its dark core, all the shade test sees, may end a few
    percent of the frame short of it (here 36 px of 480, top and bottom), and still came from outside."""
    shade = np.zeros((480, 640), np.float32)
    shade[36:444, 275:365] = 1.0
    sheet = frames.paper() * (1.0 - 0.5 * cv2.GaussianBlur(shade, (0, 0), 3))
    grey = frames.finish(sheet, np.random.default_rng(0))
    paper = float(find_ink(grey).paper[240, 320])
    filled = float(find_ink(grey, DetectParams(shade_window=0.0)).paper[240, 320])
    assert abs(paper - sheet[240, 320]) < 0.1 * sheet[240, 320]
    assert filled > 1.5 * sheet[240, 320]


def test_a_dark_blob_inside_the_frame_is_no_shadow_to_follow():
    """What casts a shadow on the page comes in from outside the picture; a blob of a noise pattern, as dark
    and as wide, floats inside it and is left to the wide estimate."""
    sheet = frames.paper()
    cv2.circle(sheet, (320, 240), 60, 120.0, -1)
    sheet = cv2.GaussianBlur(sheet, (0, 0), 10)
    grey = frames.finish(sheet, np.random.default_rng(0))
    assert np.array_equal(find_ink(grey).paper, find_ink(grey, DetectParams(shade_window=0.0)).paper)
    band = frames.finish(frames.band(frames.paper(), 320, 90, 0.5), np.random.default_rng(0))
    assert not np.array_equal(find_ink(band).paper, find_ink(band, DetectParams(shade_window=0.0)).paper)


def test_light_writing_on_a_dark_screen_is_ink():
    ground = frames.paper(tone=35.0)
    layer = np.zeros(ground.shape, np.uint8)
    cv2.putText(layer, "42", (150, 330), cv2.FONT_HERSHEY_SIMPLEX, 7, 255, 14, cv2.LINE_AA)
    mask = ink(ground + 180.0 * (layer / 255.0))
    strokes = layer > 200
    assert np.count_nonzero(mask[strokes]) > 0.95 * np.count_nonzero(strokes)
    assert np.count_nonzero(mask[layer == 0]) < 0.1 * np.count_nonzero(strokes)


def test_polarity_follows_the_writing_not_the_frame_brightness():
    dark_ink = frames.paper()
    frames.write(dark_ink, "123", (100, 300), 4.0, 8)
    grey = frames.finish(dark_ink, np.random.default_rng(0))
    small = cv2.resize(grey, (160, 120), interpolation=cv2.INTER_AREA)
    assert not _polarity(small, DetectParams())[0]
    assert _polarity(cv2.bitwise_not(small), DetectParams())[0]


def thin_light_writing() -> np.ndarray:
    """The digits "4853" in a fine pen, half as dark as its paper, on a photo turned negative: light writing too
    thin to outvote dark ink by much (POLARITY_LEAST), with no dark mark at all."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4853", (300, 250), 1.0, 1, ink=0.6)
    return cv2.bitwise_not(frames.finish(sheet, np.random.default_rng(0)))


def test_thin_light_writing_leaves_the_frame_dark_ink_but_hints_at_light_writing():
    grey = thin_light_writing()
    voted = find_ink(grey)
    assert voted.light_hint and not voted.mask[200:260, 290:460].any()
    turned = find_ink(grey, DetectParams(light_ink=True))
    assert not turned.light_hint and np.count_nonzero(turned.mask[200:260, 290:460]) > 200
    dark = frames.paper(gradient=0.2)
    frames.write(dark, "4853", (300, 250), 1.0, 1, ink=0.6)
    assert not find_ink(frames.finish(dark, np.random.default_rng(0))).light_hint


@pytest.mark.parametrize("tone, hint", [(190, True), (130, False)])
def test_marks_too_faint_to_vote_on_the_polarity_still_hint_at_light_writing(tone, hint):
    """At 1/step of a frame, strokes 30 grey levels off a ground of 160 depart less than POLARITY_CONTRAST:
    nothing votes. Those that depart as far as ink must still say whether the writing may be light."""
    small = np.full((120, 160), 160, np.uint8)
    for x in range(40, 120, 20):
        cv2.line(small, (x, 50), (x + 6, 70), tone, 2)
    assert _polarity(small, DetectParams()) == (False, hint)
    assert _polarity(np.full((120, 160), 160, np.uint8), DetectParams()) == (False, False)  # blank


def test_one_small_dark_digit_beside_light_grain_keeps_the_frame_dark_ink():
    scene = frames.paper(tone=150.0)
    for i in range(6):  # knots in a desk's grain, lighter than its ground: together a little more than the digit
        cv2.ellipse(scene, (400 + 50 * i % 200, 60 + 90 * i), (14, 6), 20, 0, 360, 250.0, -1)
    frames.write(scene, "4", (120, 200), 2.5, 6)
    small = cv2.resize(frames.finish(scene, np.random.default_rng(2)), (160, 120), interpolation=cv2.INTER_AREA)
    assert not _polarity(small, DetectParams())[0]


def test_a_white_sheet_on_a_dark_desk_is_still_dark_ink():
    scene = np.full((480, 640), 60.0, np.float32)
    scene[100:400, 150:500] = 215.0
    frames.write(scene, "58", (250, 300), 3.0, 5)
    mask = ink(scene)
    assert np.count_nonzero(mask[200:320, 240:400]) > 1000  # the digits
    assert np.count_nonzero(mask[:90]) == 0 and np.count_nonzero(mask[:, :140]) == 0  # not the desk


def test_a_squared_page_beside_a_strip_of_desk_at_the_frames_edge_is_no_more_ink_than_in_the_middle():
    """The texture bar's window stays whole inside the frame: padded with copies of the desk's strip, the
    window at the top saw mostly flat ground, and the grid below the strip passed as writing (3x the middle)."""
    sheet = frames.squared(frames.paper(), 24, darkness=0.2, thickness=2)
    sheet[:8] = 140.0  # the desk beyond the sheet's top edge
    mask = ink(sheet)
    assert np.count_nonzero(mask[8:108]) <= 1.5 * np.count_nonzero(mask[200:300])


def test_ruled_lines_go_but_the_digit_crossing_them_stays_whole():
    sheet = frames.ruled(frames.paper(), spacing=60, darkness=0.3, thickness=2, tilt=0.03, first=30)
    frames.write(sheet, "1", (300, 300), 5.0, 6)  # a tall 1 crossing at least one line
    mask = ink(sheet)
    away = mask[:, :200]
    assert np.count_nonzero(away) == 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    tallest = stats[1:, cv2.CC_STAT_HEIGHT].max()
    assert count - 1 <= 2 and tallest > 90  # the 1 is one piece (a stray speck at most), taller than a gap


def test_a_1_written_along_a_grid_line_stays_but_the_line_beyond_it_goes():
    """A straight 1 on a grid line is found as part of it; darker and much thicker than the print, it is given
    back whole, though no other ink joins it."""
    sheet = frames.squared(frames.paper(), 32, darkness=0.2, thickness=1)
    layer = np.zeros(sheet.shape, np.float32)
    cv2.line(layer, (336, 180), (336, 300), 1.0, 4, cv2.LINE_AA)  # along the upright grid line at x=336
    cv2.line(layer, (200, 200), (250, 200), 1.0, 4, cv2.LINE_AA)
    cv2.line(layer, (250, 200), (215, 290), 1.0, 4, cv2.LINE_AA)  # a 7 beside it
    sheet *= 1.0 - 0.7 * layer
    mask = ink(sheet)
    assert np.count_nonzero(mask[175:305, 328:345]) >= 0.8 * 120 * 4
    assert np.count_nonzero(mask[:170, 328:345]) == np.count_nonzero(mask[310:, 328:345]) == 0
    assert np.count_nonzero(mask[:, :150]) == 0  # the grid goes


def test_a_small_ruled_sheets_short_rules_go_too():
    """A sheet a third of the frame tall on a desk: its rules are shorter than a line must be on a frame-filling
    page, but as long as its own page is wide; left in, they joined the digit written across them."""
    scene = np.full((480, 640), 70.0, np.float32)
    scene[170:320, 230:360] = frames.ruled(frames.paper(150, 130), spacing=20, darkness=0.45, thickness=2, first=12)
    frames.write(scene, "4", (300, 290), 1.6, 3, ink=0.6)
    mask = ink(scene)
    assert np.count_nonzero(mask[170:240, 232:290]) <= 30  # the rules above the digit go
    assert 300 <= np.count_nonzero(mask[240:300, 295:350]) <= 600  # the 4 stays, without the rules across it


def test_lines_are_sought_on_the_page_only_not_in_a_wood_desks_grain_beside_it():
    """At a harder look's low bars the desk's grain passes too: its streaks, voted for as lines, crowded a
    faint page's own rules out of the search (a small ruled sheet on a grainy desk read as nothing)."""
    scene = frames.ruled(frames.paper(), spacing=40, darkness=0.25, thickness=2, first=40)
    desk = np.full((480, 240), 110.0, np.float32)
    for y in range(0, 480, 9):  # long, dark, near-level streaks
        cv2.line(desk, (0, y), (239, y + 6), 80.0, 2, cv2.LINE_AA)
    scene[:, :240] = desk
    frames.write(scene, "37", (320, 250), 2.5, 3)
    grey = frames.finish(scene, np.random.default_rng(RNG_SEED), noise=4.0)
    for params in (DetectParams(), DetectParams().harder_look()):
        lines = find_ink(grey, params).lines
        assert np.count_nonzero(lines[:, :236]) == 0 and np.count_nonzero(lines[:, 250:]) > 5000


@pytest.mark.parametrize("ink_darkness", [0.8, 0.3])
def test_a_stroke_drawn_along_a_rule_stays_when_the_ink_is_darker_than_the_rule(ink_darkness):
    """The rule darkens the paper by a fifth; a pen (0.8) or a pencil a half darker than the rule (0.3)."""
    sheet = frames.ruled(frames.paper(), spacing=60, darkness=0.2, thickness=2, first=30)
    layer = np.zeros(sheet.shape, np.float32)
    cv2.line(layer, (300, 215), (340, 170), 1.0, 3, cv2.LINE_AA)  # a 2's diagonal down to the rule ...
    cv2.line(layer, (300, 270), (380, 270), 1.0, 3, cv2.LINE_AA)  # ... and its base, right on the rule at y=270
    cv2.line(layer, (300, 215), (300, 270), 1.0, 3, cv2.LINE_AA)
    sheet *= 1.0 - ink_darkness * layer
    mask = ink(sheet)
    assert np.count_nonzero(mask[:, :250]) == 0  # the rules themselves go
    base = mask[265:276, 305:376]
    assert np.count_nonzero(base.any(axis=0)) >= 0.9 * base.shape[1]  # the base drawn on the rule stays


def test_noise_level_measures_sensor_noise_where_it_is():
    rng = np.random.default_rng(3)
    for sigma in (2.0, 6.0, 12.0):
        grey = np.clip(128 + rng.normal(0, sigma, (240, 320)), 0, 255).astype(np.uint8)
        level = noise_level(grey, (60, 80), DetectParams())
        assert level.shape == (60, 80)
        assert abs(float(np.median(level)) - sigma) < 0.35 * sigma + 1
    calm_and_grainy = np.hstack([np.full((240, 160), 200.0), 80 + rng.normal(0, 10, (240, 160))])
    level = noise_level(np.clip(calm_and_grainy, 0, 255).astype(np.uint8), (60, 80), DetectParams())
    assert level[:, :30].max() <= 2 and level[:, 50:].min() >= 6


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 80), st.integers(1, 80))))
def test_any_frame_gives_a_binary_mask_of_its_shape(grey):
    mask = ink_mask(grey)
    assert mask.shape == grey.shape and mask.dtype == np.uint8
    assert set(np.unique(mask)) <= {0, 255}


def test_texture_asks_no_more_than_a_pens_ink_on_a_clean_frame_only():
    """A bold digit's junction darkens most of its window, like grain; on a clean page the bar stops at a
    share of the page's paper. Where most of the frame is dark marks (a desk, noise), it does not."""
    params = DetectParams()
    darker = np.zeros((120, 160), np.uint8)
    darker[40:80, 60:100] = 150  # a solid patch of marker ink, a quarter of the frame's height across
    capped = texture_level(darker, 200.0, params)
    assert capped.max() == int(params.texture_cap * 200)
    grainy = np.where(np.indices(darker.shape).sum(axis=0) % 4 != 0, 40, 0).astype(np.uint8)  # marks everywhere
    assert texture_level(cv2.max(darker, grainy), 200.0, params).max() > params.texture_cap * 200


def test_texture_asks_no_more_than_a_share_of_the_shaded_paper_where_the_page_is_in_shade():
    params = DetectParams()
    darker = np.zeros((120, 160), np.uint8)
    darker[40:80, 60:100] = 110  # the marker's ink, in a shadow where the paper is 160
    paper = np.full_like(darker, 240)
    paper[:, 50:] = 160
    level = texture_level(darker, paper, params)
    assert level[60, 80] == int(params.texture_cap * 160) < 110  # the ink passes
    assert level[60, 80] < texture_level(darker, 240.0, params)[60, 80]


def test_a_big_marker_digit_in_a_shadow_on_a_noisy_page_is_solid_ink():
    """Seen on a photo: a marker "8" a third of the frame tall, in the shadow of a hand on grainy paper. Its
    strokes fill most of the texture window, and with the bar capped at a share of the sunlit paper its
    core passed only in specks, so it read as speckle and nothing."""
    rng = np.random.default_rng(3)
    frame = np.full((480, 640), 235.0, np.float32)
    frame[:, 380:] = 160.0  # the shadow, over the right of the page
    frame = cv2.GaussianBlur(frame, (0, 0), 25)
    strokes = np.zeros((480, 640), np.uint8)
    cv2.putText(strokes, "8", (400, 400), cv2.FONT_HERSHEY_SIMPLEX, 8, 255, 30)
    frame[strokes > 0] = 65.0  # 95 darker than its shaded paper: more than half of it, less than half the sunlit
    grey = np.clip(frame + rng.normal(0, 8, frame.shape), 0, 255).astype(np.uint8)
    mask = ink_mask(grey)
    core = cv2.erode(strokes, np.ones((7, 7), np.uint8))
    assert cv2.countNonZero(cv2.bitwise_and(mask, core)) >= 0.95 * cv2.countNonZero(core)
    assert cv2.countNonZero(cv2.bitwise_and(mask, cv2.bitwise_not(cv2.dilate(strokes, np.ones((9, 9), np.uint8))))) < 200
