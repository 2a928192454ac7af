"""edge.lines: a page's print goes whole, even when only some of its lines come through as clean chains."""
from __future__ import annotations

import cv2
import numpy as np

from edge.lines import _fit, _inked, _more, _restore_ink, remove_lines, split_lines
from edge.params import DetectParams


def quarter(mask: np.ndarray) -> np.ndarray:
    return cv2.resize(mask, (mask.shape[1] // 4, mask.shape[0] // 4), interpolation=cv2.INTER_AREA)


def test_clean_chains_pass_for_all_the_lines_only_when_no_line_long_ink_is_left():
    """A grid whose upright lines came through as clean chains only in part still holds ink a line long
    once those are taken out; a ruled page whose lines were all found holds only its writing."""
    grid = np.zeros((480, 640), np.uint8)
    for y in range(20, 470, 24):
        cv2.line(grid, (10, y), (630, y), 255, 2)
    for x in range(20, 630, 24):
        cv2.line(grid, (x, 10), (x + 30, 470), 255, 2)  # upright lines, tilted a little
    found = np.zeros_like(grid)
    for x in range(20, 200, 24):  # the chains caught eight of them
        cv2.line(found, (x, 10), (x + 30, 470), 255, 2)
    assert _more(quarter(grid), found, 144, horizontal=False)
    ruled = np.zeros_like(grid)
    for y in range(20, 470, 30):
        cv2.line(ruled, (10, y), (630, y), 255, 2)
    cv2.putText(ruled, "47", (200, 300), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 6)
    every = np.zeros_like(ruled)
    for y in range(20, 470, 30):
        cv2.line(every, (10, y), (630, y), 255, 2)
    assert not _more(quarter(ruled), every, 144, horizontal=True)


def test_a_rule_under_two_digits_keeps_each_foot_but_no_bridge_between_them():
    """Both strokes end on the same rule, 8 px apart: each keeps the rule's pixels it crosses, and the rule
    between them goes, so they stay two blobs."""
    page = np.zeros((480, 640), np.uint8)
    for y in range(60, 480, 60):
        cv2.line(page, (0, y), (639, y), 255, 2)
    cv2.line(page, (200, 200), (200, 241), 255, 5)  # a "1" standing on the rule at y 240
    cv2.ellipse(page, (225, 220), (12, 20), 0, 0, 360, 255, 5)  # an "0" resting on it, 8 px to the right
    clean = remove_lines(page)
    count, labels = cv2.connectedComponents(clean[150:260, 150:300])
    assert count - 1 == 2
    assert clean[238:242, 198:203].any() and clean[238:242, 221:230].any()  # the feet are whole


def test_the_dashes_of_a_faint_grid_line_go_but_a_1_between_the_lines_stays():
    """Under perspective each upright line of a grid has its own slope, and faint print breaks some into
    dashes shorter than any chain. A dash with more dashes along its axis both ways is print; a 1, whose
    stroke ends in paper, is not."""
    page = np.zeros((480, 640), np.uint8)
    for y in range(20, 470, 40):
        cv2.line(page, (10, y), (630, y), 255, 2)
    for i, x in enumerate(range(40, 620, 40)):
        lean = (x - 320) // 20  # fanning out, as a page seen from a little below
        if i % 4 == 0:
            cv2.line(page, (x, 10), (x + lean, 470), 255, 2)  # a few lines come through whole
            continue
        for top in range(10, 470, 62):  # the others in dashes 50 px long, 12 px apart
            y0, y1 = top, min(470, top + 50)
            cv2.line(page, (x + lean * (y0 - 10) // 460, y0), (x + lean * (y1 - 10) // 460, y1), 255, 2)
    page[185:235, 258:262] = 255  # a 1, 50 px tall, in a cell between two upright lines
    out = remove_lines(page)
    assert np.count_nonzero(out[185:235, 256:264]) >= 0.8 * 50 * 4  # the 1 is whole
    dashes = out.copy()
    dashes[180:240, 250:270] = 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(dashes, connectivity=8)
    assert stats[1:, cv2.CC_STAT_HEIGHT].max() < 0.045 * 480  # of the dashes, no mark as tall as a digit is left



def test_a_dense_grid_broken_into_pieces_everywhere_goes_but_a_marker_1_on_it_stays():
    """Faint print on squared paper can come through with no line whole, only in pieces, so no chain is
    found either way. So many straight pieces as thin as print are a grid and go; but a straight 1 in a
    marker, thicker than print, stays; and as many pieces of noise strung into runs, thicker, are no grid."""
    page = np.zeros((480, 640), np.uint8)
    for k in range(26):  # upright lines in pieces 90 px long, 30 px apart, each line broken elsewhere
        x, start = 20 + 24 * k, (37 * k) % 120 - 120
        for top in range(start, 480, 120):
            cv2.line(page, (x, max(0, top)), (x, min(479, top + 90)), 255, 1)
    for k in range(20):  # level lines likewise
        y, start = 12 + 24 * k, (53 * k) % 120 - 120
        for left in range(start, 640, 120):
            cv2.line(page, (max(0, left), y), (min(639, left + 90), y), 255, 1)
    page[200:290, 293:299] = 255  # a 1, 90 px tall, as thick as a marker, in a column of cells
    out = remove_lines(page)
    assert np.count_nonzero(out[200:290, 293:299]) >= 0.8 * 90 * 6  # the 1 is whole
    rest = out.copy()
    rest[195:295, 287:305] = 0
    _, _, stats, _ = cv2.connectedComponentsWithStats(rest, connectivity=8)
    assert stats[1:, cv2.CC_STAT_HEIGHT].max(initial=0) < 0.045 * 480  # of the grid, nothing as tall as a digit
    thick = cv2.dilate(page, np.ones((3, 3), np.uint8))  # the same pieces 3 px thick: noise strung into runs
    assert np.count_nonzero(remove_lines(thick)) == np.count_nonzero(thick)


def test_rules_thresholded_into_dashes_too_far_apart_to_touch_at_quarter_size_still_go():
    """Faint rules can pass the threshold only in short dashes, each gap wide enough to leave a quarter-size
    block empty: no blob there is a line long, yet the dashes lie in lines (a small squared sheet read as
    "477334" and more, its grid everywhere)."""
    page = np.zeros((480, 640), np.uint8)
    for y in range(30, 480, 24):
        for x in range((7 * y) % 12, 640, 12):
            cv2.line(page, (x, y), (x + 5, y), 255, 1)  # 6 px dashes, 6 px apart
    cv2.putText(page, "4", (300, 300), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 4)
    out = remove_lines(page)
    assert np.count_nonzero(out[:, :250]) == 0  # the rules go
    assert np.count_nonzero(out[200:310, 290:380]) >= 0.75 * np.count_nonzero(page[200:310, 290:380])  # the 4 stays


def test_a_big_digits_thick_upright_strokes_are_no_blurred_ruling_but_many_thick_lines_are():
    """Digits a third of the frame tall, in a thick pen: a 9's tail, a 7's stem and a 0's side are three long,
    thick, parallel strokes, as a blurred ruled page's lines are; a page shows many more of those."""
    page = np.zeros((600, 800), np.uint8)
    cv2.circle(page, (120, 180), 45, 255, 12)
    cv2.line(page, (160, 180), (150, 380), 255, 12)  # the 9's tail
    cv2.line(page, (250, 90), (400, 90), 255, 12)
    cv2.line(page, (400, 90), (395, 300), 255, 12)  # the 7's stem
    cv2.ellipse(page, (620, 170), (65, 110), 0, 0, 360, 255, 12)  # the 0
    assert np.count_nonzero(remove_lines(page)) >= 0.95 * np.count_nonzero(page)
    blurred = np.zeros((600, 800), np.uint8)
    for y in range(60, 600, 80):
        cv2.line(blurred, (0, y), (799, y + 10), 255, 12)  # seven thick, parallel rules
    assert np.count_nonzero(remove_lines(blurred)) <= 0.05 * np.count_nonzero(blurred)


def test_a_small_pages_short_rules_are_lines_but_not_at_a_harder_looks_bars():
    """On a page 150 px tall in a 480 px frame, four parallel 70 px chains are its rules; at a harder look's
    low bars such short chains are as likely grain strung together, and only a frame-long line counts."""
    page = np.zeros((480, 640), np.uint8)
    for y in range(200, 300, 25):
        cv2.line(page, (250, y), (320, y), 255, 1)
    assert np.count_nonzero(split_lines(page, DetectParams(), page=150)[0]) == 0
    assert np.count_nonzero(split_lines(page, DetectParams())[0]) == np.count_nonzero(page)  # the frame's
    harder = DetectParams().harder_look()
    assert np.count_nonzero(split_lines(page, harder, page=150)[0]) == np.count_nonzero(page)


def test_a_rule_with_a_2s_foot_drawn_along_it_goes_whole_beyond_the_foot():
    """A 2's foot drawn along a tilted rule, converging onto it, merges with the rule into one chain. The
    line through the chain is fitted to its middle, not to its outline: the foot's curve has many outline
    points and the straight rule few, and a line fitted to them was tilted off the rule, which then stayed
    in the mask either side of the foot (30 px left of it and 17 px right)."""
    def rule(x: int) -> int:
        return round(300 + 0.12 * x)
    page = np.zeros((600, 800), np.uint8)
    for y in (60, 180, 300, 420):
        cv2.line(page, (0, y), (799, round(y + 0.12 * 799)), 255, 2)
    two = np.array([(60, 250), (90, 215), (130, 215), (150, 245), (140, 280),
                    (40, rule(40) - 7), (80, rule(80) - 4), (130, rule(130) - 1)], np.int32)
    cv2.polylines(page, [two], False, 255, 3)
    clean = remove_lines(page)
    left = [x for x in range(0, 30) if clean[rule(x) - 4:rule(x) + 5, x].any()]
    right = [x for x in range(160, 800) if clean[rule(x) - 4:rule(x) + 5, x].any()]
    assert left == [] and right == []
    assert np.count_nonzero(clean[200:270, 50:160]) >= 0.95 * np.count_nonzero(page[200:270, 50:160])


def test_the_dashes_of_a_rule_that_only_the_faint_mask_holds_are_line_pixels_too():
    """A faint rule passes the ink threshold only in dashes, the lower one whole. All of it is line, where a
    digit resting on it must not be grown along it later; the digit's own pixels are not."""
    faint = np.zeros((480, 640), np.uint8)
    for y in range(60, 480, 60):
        cv2.line(faint, (0, y), (639, y), 255, 2)
    mask = np.zeros_like(faint)
    for x in range(0, 640, 40):  # the ink threshold kept one stretch in two of each rule
        mask[:, x:x + 20] = faint[:, x:x + 20]
    cv2.putText(mask, "4", (300, 235), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, 3)  # resting on the rule at y 240
    faint = cv2.bitwise_or(faint, mask)
    clean, lines = split_lines(mask, faint=faint)
    only_faint = cv2.subtract(faint, mask)
    assert np.count_nonzero(cv2.bitwise_and(lines, only_faint)) >= 0.95 * np.count_nonzero(only_faint)
    assert np.count_nonzero(cv2.bitwise_and(lines, clean)) == 0
    assert np.array_equal(clean, remove_lines(mask, faint=faint))
    assert np.count_nonzero(clean[185:238, 290:360]) >= 0.95 * np.count_nonzero(mask[185:238, 290:360])


def test_a_1_standing_on_a_rule_keeps_its_stroke_but_gets_no_foot():
    """Where a stroke ends on a rule, the rule's pixels under it stay (cutting there would shorten it); the
    rule either side of it goes, as no ink lies beside the rule there. Kept, they were a foot that made a 1
    read as a 3 or a 2. A stroke that runs along the rule's edge keeps the stretch of rule it is merged with."""
    page = np.zeros((480, 640), np.uint8)
    for y in range(60, 480, 60):
        cv2.line(page, (0, y), (639, y), 255, 3)
    page[190:241, 200:205] = 255  # a 1, 5 px wide, standing on the rule at y 239-241
    cv2.line(page, (380, 200), (413, 235), 255, 3)  # a stroke coming down onto the rule at a slant ...
    cv2.line(page, (413, 235), (440, 236), 255, 3)  # ... and running along its top edge, merged with it
    clean = remove_lines(page)
    rule = clean[237:244]
    assert np.count_nonzero(clean[190:237, 200:205]) == 47 * 5  # the 1 is whole
    assert np.flatnonzero(rule[:, :300].any(axis=0)).tolist() == list(range(200, 205))  # no foot
    assert rule[:, 413:438].any(axis=0).all()  # the stroke along the rule stays joined


def test_a_big_marker_digits_long_strokes_beside_thin_rules_stay():
    """A 5 written large with a marker on a ruled page: its bar and its foot are long straight chains along
    the rules, but six times as thick as the rules that came through thin, so they are no lines. (Blur
    thickens all of a page's lines alike; only then do thick chains count as its rules.)"""
    page = np.zeros((720, 960), np.uint8)
    for y in (250, 560):
        cv2.line(page, (0, y), (959, y - 40), 255, 3)
    five = np.zeros_like(page)
    cv2.line(five, (480, 300), (730, 270), 255, 18)  # the bar
    cv2.line(five, (485, 300), (470, 400), 255, 18)  # the stem
    cv2.ellipse(five, (480, 450), (60, 55), 0, -90, 90, 255, 18)  # the belly
    cv2.line(five, (480, 505), (250, 530), 255, 18)  # the foot
    page |= five
    clean = remove_lines(page)
    assert cv2.countNonZero(cv2.bitwise_and(clean, five)) >= 0.95 * cv2.countNonZero(five)
    assert not clean[:, :200].any() and not clean[:, 800:].any()  # the rules go


def test_ink_across_a_line_is_sought_inside_the_frame_only():
    """An offset that falls off the frame is no ink, even where the frame's edge row (what a clipped index
    would read) is ink; inside, each offset reads its own pixel."""
    search = np.zeros((20, 12), np.uint8)
    search[0, :] = 255   # ink along the top edge
    search[10, 4] = 255  # one pixel of ink at x=4, y=10
    along = np.array([0, 4, 8])
    inked = _inked(search, along, np.array([1, 10, 1]), np.array([-3, -1, 0, 1]), horizontal=True)
    assert inked.tolist() == [[False, True, False, False], [False, False, True, False], [False, True, False, False]]
    upright = _inked(search.T.copy(), along, np.array([10, 10, 10]), np.array([0]), horizontal=False)
    assert upright[:, 0].tolist() == [False, True, False]


def test_a_straight_fit_recovers_the_line_and_is_level_when_all_points_share_one_position():
    t = np.array([0.0, 4.0, 8.0, 12.0, 16.0])
    slope, offset = _fit(t, 0.25 * t - 3.0)
    assert abs(slope - 0.25) < 1e-12 and abs(offset + 3.0) < 1e-12
    assert _fit(np.array([5.0, 5.0, 5.0]), np.array([1.0, 2.0, 3.0])) == (0.0, 2.0)


def test_two_thin_rules_of_a_small_sheet_are_lines_but_two_upright_strokes_or_two_broad_ones_are_not():
    """A small ruled sheet far from the camera, its rules faint: only two came through as chains a page's line
    long (0.3 of its 460 px), the others in dashes, and neither is as long as a lone line must be. Two such
    chains as thin as print are rules; two upright ones are as likely a margin and a 1, and two broad ones a
    marker's strokes."""
    rules = np.zeros((720, 960), np.uint8)
    for y in (300, 400):
        cv2.line(rules, (500, y), (690, y - 3), 255, 1)
    assert np.count_nonzero(split_lines(rules, DetectParams(), page=460)[0]) == 0
    broad = np.zeros_like(rules)
    for y in (300, 400):
        cv2.line(broad, (500, y), (690, y - 3), 255, 4)
    assert np.count_nonzero(split_lines(broad, DetectParams(), page=460)[0]) == np.count_nonzero(broad)
    upright = cv2.rotate(rules, cv2.ROTATE_90_CLOCKWISE)
    assert np.count_nonzero(split_lines(upright, DetectParams(), page=460)[0]) == np.count_nonzero(upright)


def test_a_faint_margin_in_dashes_on_a_page_with_no_print_found_goes_but_a_1_as_thin_and_shorter_stays():
    """A blank sheet's faint margin came through only in pieces, from a little below the top of the frame to
    the sheet's foot (the page, 500 px of the frame's 720), and its rules only in stubs by it: no chain is a
    line (the margin's reaches neither end of the frame, nor 0.6 of its height), so no print was found, and
    the margin's crossings with the stubs read "4 7". One thin line in dashes 0.6 of the page tall at least is
    a margin; a 1 as thin but a digit tall is not, nor is the margin on a page as tall as the frame."""
    page = np.zeros((720, 960), np.uint8)
    for y in range(100, 480, 52):  # 40 px pieces, 12 px apart: too far for the chains to bridge
        cv2.line(page, (88, y), (88, y + 39), 255, 1)
    for y in range(124, 480, 44):  # the rules' stubs by the margin
        for x in range(60, 120, 15):
            cv2.line(page, (x, y), (x + 5, y), 255, 2)
    page[300:420, 500] = 255  # a 1, 120 px tall, as thin as the margin
    out = split_lines(page, DetectParams(), page=500)[0]
    _, _, stats, _ = cv2.connectedComponentsWithStats(out[:, :200], connectivity=8)
    assert stats[1:, cv2.CC_STAT_HEIGHT].max(initial=0) < 0.045 * 720  # of the margin, nothing as tall as a digit
    assert np.count_nonzero(out[300:420, 500]) == 120  # the 1 stays
    assert np.count_nonzero(split_lines(page[:, 200:], DetectParams(), page=500)[0]) == 120  # no margin alone
    whole = split_lines(page, DetectParams(), page=720)[0]
    assert np.count_nonzero(whole[:, 84:93]) == np.count_nonzero(page[:, 84:93])


def test_a_1_along_a_grid_line_as_thick_as_the_blurred_lines_but_far_darker_comes_back_and_the_line_does_not():
    """A camera's blur spreads a grid's lines as wide as a gel pen's 1 written along one (6 px at 960 across): the
    line search takes the 1 with the line. Far darker than the print, it is ink, though no thicker than the
    lines: a '17' read '7'. The line's own pixels, as dark as print, stay removed."""
    mask = np.zeros((480, 640), np.uint8)
    mask[:, 300:306] = 255                                  # the grid line, 6 px wide, found whole
    mask[100:240, 300:306] = 255                            # the 1 along it, as wide
    found = np.zeros_like(mask)
    found[:, 300:306] = 255
    result = cv2.subtract(mask, found)
    result[300:380, 400:406] = 255                          # the page's other ink, a digit's stroke
    darker = np.zeros_like(mask)
    darker[:, 300:306] = 40                                 # print: a sixth of the paper
    darker[100:240, 300:306] = 150                          # the 1: most of it
    darker[300:380, 400:406] = 150
    paper = np.full_like(mask, 240)
    out = _restore_ink(mask, result, found, (darker, paper), (0.3 * 480, 6.0))
    assert np.count_nonzero(out[100:240, 300:306]) == 140 * 6
    assert np.count_nonzero(out[:100, 300:306]) == np.count_nonzero(out[240:, 300:306]) == 0


def _askew_grid(level: bool = True, upright: bool = True) -> np.ndarray:
    """A faint grid seen 10 degrees askew, thresholded into dashes: each line in 30 px dashes, and every third
    line with one piece of 100 px: eight a way, too few a way to be a grid's pieces alone (BROKEN)."""
    page = np.zeros((480, 640), np.uint8)
    tilt = np.tan(np.deg2rad(10))
    for k in range(-6, 30):
        for start in range(-200, 840, 50):
            end = start + (100 if k % 3 == 0 and 0 <= k < 24 and start == 250 else 30)
            if level:  # 24 px apart, falling 10 degrees to the right
                cv2.line(page, (start, round(24 * k + tilt * start)), (end, round(24 * k + tilt * end)), 255, 1)
            if upright:  # likewise, leaning 10 degrees
                cv2.line(page, (round(24 * k - tilt * start), start), (round(24 * k - tilt * end), end), 255, 1)
    return page


def test_a_faint_grid_askew_in_short_pieces_goes_when_both_ways_hold_them_but_one_way_alone_stays():
    """A blank squared sheet lying askew, at a harder look's low bars: every line breaks into dashes, with a
    long piece on a few of them, and the crossings read as 4s and 7s (22 false digits on one photo). Few long
    pieces a way are a grid when the other way has as many: writing has no long strokes both ways."""
    grid = _askew_grid()
    left = remove_lines(grid)
    assert np.count_nonzero(left) < 0.3 * np.count_nonzero(grid)  # the lines through the long pieces, and
    _, _, stats, _ = cv2.connectedComponentsWithStats(left, connectivity=8)  # dashes in line with them, go
    assert stats[1:, cv2.CC_STAT_HEIGHT].max(initial=0) <= 32  # what is left is no taller than one dash
    one_way = _askew_grid(upright=False)
    assert np.count_nonzero(remove_lines(one_way)) == np.count_nonzero(one_way)
