"""edge.regions: blobs of a mask become digit boxes; broken digits join, touching ones split, junk goes."""
from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from edge.params import DetectParams
from edge.regions import beside, candidates, digit_boxes, within

SIZE = (480, 640)


def blank() -> np.ndarray:
    return np.zeros(SIZE, np.uint8)


def glyph(mask: np.ndarray, text: str, x: int, y: int, scale: float = 2.0, thickness: int = 4) -> None:
    cv2.putText(mask, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness)


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    return cv2.boundingRect(cv2.findNonZero(mask))


def test_empty_mask_has_no_boxes():
    assert digit_boxes(blank()) == []


def test_one_digit_gives_its_bounding_box():
    mask = blank()
    glyph(mask, "7", 300, 300)
    assert digit_boxes(mask) == [bbox(mask)]


def test_a_row_of_digits_comes_back_left_to_right():
    mask = blank()
    glyph(mask, "3 1 4 1 5 9", 40, 260)
    boxes = digit_boxes(mask)
    assert len(boxes) == 6
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)


def test_a_five_with_its_bar_broken_off_is_one_digit():
    mask = blank()
    cv2.ellipse(mask, (320, 290), (28, 26), 0, -140, 150, 255, 4)  # the belly
    cv2.line(mask, (298, 240), (300, 265), 255, 4)  # the stem, touching the belly
    cv2.line(mask, (303, 228), (345, 228), 255, 4)  # the bar, a gap of several pixels above
    boxes = digit_boxes(mask)
    assert boxes == [bbox(mask)]


def test_an_open_four_in_two_strokes_is_one_digit():
    mask = blank()
    cv2.line(mask, (300, 220), (285, 290), 255, 3)  # down-left stroke ...
    cv2.line(mask, (285, 290), (330, 290), 255, 3)  # ... and the bar, one piece
    cv2.line(mask, (334, 225), (334, 320), 255, 3)  # the stem, drawn apart from the bar
    assert digit_boxes(mask) == [bbox(mask)]


def test_two_rows_are_not_joined_into_tall_digits():
    mask = blank()
    glyph(mask, "1 2 3", 100, 200)
    glyph(mask, "4 5 6", 100, 300)
    boxes = digit_boxes(mask)
    assert len(boxes) == 6
    assert max(h for _, _, _, h in boxes) < 60


def test_touching_digits_are_cut_at_their_junction():
    mask = blank()
    cv2.circle(mask, (300, 250), 30, 255, 5)
    cv2.circle(mask, (363, 250), 30, 255, 5)  # the rings touch: one blob twice as wide as tall
    boxes = digit_boxes(mask)
    assert len(boxes) == 2
    (x0, _, w0, _), (x1, _, w1, _) = boxes
    junction = 332
    assert abs(x0 + w0 - junction) <= 4 and abs(x1 - junction) <= 4


def test_a_wide_single_digit_is_not_cut():
    mask = blank()
    cv2.ellipse(mask, (320, 250), (40, 32), 0, 0, 360, 255, 5)  # a wide 0, 1.25 times wider than tall
    assert len(digit_boxes(mask)) == 1


def test_a_digit_up_to_twice_as_wide_as_tall_is_cut_only_where_one_stroke_joins():
    mask = blank()
    cv2.ellipse(mask, (320, 250), (50, 30), 0, 0, 360, 255, 5)  # a flat 0, 1.6 times wider than tall
    cv2.line(mask, (150, 220), (230, 220), 255, 5)  # a wide 7: every column near its middle crosses two strokes
    cv2.line(mask, (230, 220), (160, 280), 255, 5)
    assert len(digit_boxes(mask)) == 2


def test_a_2_with_a_long_base_is_not_cut_at_its_base():
    mask = blank()
    cv2.ellipse(mask, (300, 230), (25, 25), 0, 180, 360, 255, 4)  # the 2's hook ...
    cv2.line(mask, (325, 230), (280, 290), 255, 4)  # ... its diagonal ...
    cv2.line(mask, (280, 290), (420, 290), 255, 4)  # ... and a base running far to the right: 1.7 x as wide as tall
    assert digit_boxes(mask) == [bbox(mask)]


def test_a_wide_3_is_not_cut_where_its_arcs_meet():
    mask = blank()
    # A short upper arc and a long lower one; between the upper arc's end and the lower one's, a column
    # crosses only the stroke where they meet (a cheap cut), but each side is half a digit.
    strokes = [(0, 9), (10, 3), (20, 1), (22, 4), (18, 10), (15, 14), (35, 14), (38, 18), (37, 24), (32, 28), (25, 29)]
    cv2.polylines(mask, [np.array(strokes, np.int32) * 2 + (250, 200)], False, 255, 3)  # 1.3 x as wide as tall
    assert digit_boxes(mask) == [bbox(mask)]


def test_the_bar_of_a_7_broken_off_its_stem_is_joined_back():
    mask = blank()
    cv2.line(mask, (290, 200), (331, 200), 255, 5)  # the bar, ending just short of the stem's top
    cv2.line(mask, (338, 207), (333, 280), 255, 5)  # the stem: a separate blob, its box just touching the bar's
    assert digit_boxes(mask) == [bbox(mask)]


def test_the_flag_of_a_5_written_apart_a_few_pixels_off_its_body_is_joined_to_it():
    mask = blank()
    cv2.ellipse(mask, (320, 260), (30, 30), 0, -120, 150, 255, 5)  # the body, open at the top left
    cv2.line(mask, (300, 205), (300, 232), 255, 5)                  # its stem
    cv2.line(mask, (340, 190), (378, 190), 255, 5)  # the flag: 8 px above the body, off to its right
    flag, body = cv2.boundingRect(cv2.findNonZero(mask[:195])), cv2.boundingRect(cv2.findNonZero(mask[195:]))
    assert body[1] + 195 - (flag[1] + flag[3]) == 8  # the gap between them, about 8% of the digit's height
    assert digit_boxes(mask) == [bbox(mask)]


def test_a_smudge_with_a_ragged_outline_is_not_a_digit():
    mask = blank()
    cv2.ellipse(mask, (320, 240), (22, 26), 0, 0, 360, 255, -1)  # a soft dark blotch, thresholded ...
    band = cv2.subtract(mask, cv2.erode(mask, np.ones((9, 9), np.uint8)))
    rng = np.random.default_rng(5)
    speckle = (rng.random(mask.shape) < 0.5) & (band > 0)
    mask[speckle] = 0  # ... so its outline breaks into speckle: a long outline, as if it were thin strokes
    assert digit_boxes(mask) == []


def test_a_bold_blurred_marker_digit_with_its_hole_nearly_shut_is_a_digit_but_a_solid_blot_is_not():
    mask = blank()
    cv2.putText(mask, "6", (300, 260), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255, 10)  # a thick marker ...
    mask = cv2.compare(cv2.GaussianBlur(mask, (0, 0), 3), 90, cv2.CMP_GT)  # ... out of focus: its strokes swell
    assert cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)[1].shape[1] == 2  # the 6's hole is left
    assert digit_boxes(mask) == [bbox(mask)]
    blot = blank()
    cv2.ellipse(blot, (320, 240), (18, 24), 0, 0, 360, 255, -1)
    assert digit_boxes(blot) == []


def test_a_blurred_marker_digit_as_solid_as_a_blot_counts_in_a_row_of_digits_but_not_beside_one():
    """`--seed 8484 --kind all`, image 74: a marker's 8 blurred until its loops filled in read as a blot, and
    "74943218" as "7494321". In a row of digits of its height it is one; beside one digit, or half their
    height, it stays out."""
    row = blank()
    glyph(row, "3 4", 120, 260, 2.5, 8)
    cv2.ellipse(row, (330, 238), (20, 26), 0, 0, 360, 255, -1)  # the filled-in 8, as tall as the digits
    boxes = digit_boxes(row)
    assert len(boxes) == 3 and boxes[2][0] > 300
    pair = blank()
    glyph(pair, "3", 120, 260, 2.5, 8)
    cv2.ellipse(pair, (240, 238), (20, 26), 0, 0, 360, 255, -1)
    assert len(digit_boxes(pair)) == 1
    low = blank()
    glyph(low, "3 4", 120, 260, 2.5, 8)
    cv2.ellipse(low, (330, 248), (10, 12), 0, 0, 360, 255, -1)  # half their height
    assert len(digit_boxes(low)) == 2


def test_a_bent_1_on_flecked_paper_is_no_line_going_on_past_its_ends():
    """`--seed 5656 --kind all`, image 44: on recycled paper's flecks, two bent ballpoint 1s were taken for
    pieces of a line, since the flecks beyond their ends, looked for as far off the axis as the 1's tightest
    box is thick (15 px, for a 4 px stroke), covered 92% of it: "15 011859" read "5 01859"."""
    mask = blank()
    mask[np.random.default_rng(0).random(SIZE) < 1 / 120] = 255  # one-pixel flecks
    cv2.polylines(mask, [np.array([(300, 160), (296, 200), (290, 240)], np.int32)], False, 255, 4)  # the 1
    glyph(mask, "5", 330, 240, 2.5, 4)
    assert [box[0] for box in digit_boxes(mask)] == [288, 336]


def test_small_digits_count_in_a_row_of_their_like_but_not_alone():
    mask = blank()
    glyph(mask, "2 5 8", 100, 200, 0.7, 2)  # three digits about 17 px tall on a 480 px frame: under 0.045
    heights = [b[3] for b in digit_boxes(mask)]
    assert len(heights) == 3 and max(heights) < 0.045 * SIZE[0]
    alone = blank()
    glyph(alone, "2", 100, 200, 0.7, 2)
    glyph(alone, "47", 300, 380, 2.0, 4)  # full-size digits elsewhere; the small mark stands alone
    assert all(b[3] >= 0.045 * SIZE[0] for b in digit_boxes(alone))


def test_small_digits_alone_count_when_nothing_on_the_frame_is_taller():
    """A camera far from the writing: a pair of small digits, and nothing of the usual size to measure them
    against, is the writing; it need not make a row of three."""
    small = DetectParams().smaller_look()
    mask = blank()
    glyph(mask, "25", 100, 200, 0.7, 2)
    boxes = digit_boxes(mask, small)
    assert len(boxes) == 2 and max(b[3] for b in boxes) < 0.045 * SIZE[0]
    assert digit_boxes(mask) == [], "on a first look a pair is too few to stand for a row of writing"
    lone = blank()
    glyph(lone, "7", 300, 200, 0.7, 2)
    glyph(lone, "47", 300, 380, 2.0, 4)  # with full-size digits elsewhere the small mark is measured by them
    assert all(b[3] >= 0.045 * SIZE[0] for b in digit_boxes(lone, small))


def test_lines_bars_blots_and_the_frame_edge_are_not_digits():
    mask = blank()
    cv2.line(mask, (20, 100), (600, 130), 255, 3)  # a long tilted line (a sheet's edge, a rule)
    cv2.rectangle(mask, (100, 300), (180, 360), 255, -1)  # a blot
    cv2.rectangle(mask, (0, 400), (639, 479), 255, -1)  # the desk along the bottom
    cv2.rectangle(mask, (400, 300), (520, 312), 255, -1)  # a thick dash
    assert digit_boxes(mask) == []


def test_specks_and_small_marks_are_not_digits_beside_real_ones():
    mask = blank()
    glyph(mask, "8 6", 200, 300, 2.5, 5)
    rng = np.random.default_rng(0)
    for x, y in rng.integers([0, 0], [640, 200], (40, 2)):
        cv2.circle(mask, (int(x), int(y)), 2, 255, -1)
    assert len(digit_boxes(mask)) == 2


def test_texture_all_over_the_frame_gives_nothing():
    rng = np.random.default_rng(1)
    mask = blank()
    for x, y in rng.integers([0, 0], [640, 480], (300, 2)):
        cv2.ellipse(mask, (int(x), int(y)), (int(rng.integers(5, 15)), int(rng.integers(8, 20))),
                    float(rng.uniform(0, 180)), 0, 300, 255, 2)
    assert digit_boxes(mask) == []


def test_a_1_on_speckled_paper_is_a_digit_but_a_rule_that_goes_on_past_it_is_not():
    rng = np.random.default_rng(5)
    mask = blank()
    glyph(mask, "2", 100, 300)
    mask[240:302, 200:206] = 255  # a 1: paper above and below it, flecked like recycled paper
    glyph(mask, "0", 260, 300)
    for x, y in rng.integers([0, 0], [640, 480], (2500, 2)):
        mask[y:y + 2, x:x + 2] = 255
    assert len(digit_boxes(mask)) == 3
    for y in range(100, 480, 20):  # the 1 as part of a dashed line: ink on along its axis, not beside it
        mask[y:y + 14, 203:209] = 255
    assert len(digit_boxes(mask)) == 2


def test_the_biggest_grains_of_a_speckled_desk_are_not_digits():
    rng = np.random.default_rng(3)
    mask = blank()
    for text, x, y in (("1", 60, 120), ("7", 420, 90), ("2", 250, 400)):  # grains that look like digits
        glyph(mask, text, x, y, 1.2, 3)
    assert len(digit_boxes(mask)) == 3
    specks = blank()
    for x, y in rng.integers([0, 0], [640, 480], (40, 2)):
        cv2.ellipse(specks, (int(x), int(y)), (int(rng.integers(4, 8)), int(rng.integers(4, 8))),
                    float(rng.uniform(0, 180)), 0, 360, 255, -1)
    assert digit_boxes(cv2.bitwise_or(mask, specks)) == []
    writing = blank()
    glyph(writing, "2 5 0 9", 100, 300, 1.2, 3)
    dirt = np.zeros_like(specks)
    dirt[:240, :320] = specks[:240, :320]
    assert 5 <= len(cv2.findContours(dirt, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]) <= 15
    assert len(digit_boxes(cv2.bitwise_or(writing, dirt))) == 4  # a page's own dirt does not hide the writing



def test_a_row_of_writing_on_a_speckled_desk_is_kept():
    """A sheet as light as the stone desk it lies on: the desk's flecks outnumber the digits, but the digits
    stand in a row, as a desk's biggest flecks do not (the few of those found too are the network's to doubt)."""
    rng = np.random.default_rng(3)
    specks = blank()
    for x, y in rng.integers([0, 0], [640, 480], (60, 2)):
        cv2.ellipse(specks, (int(x), int(y)), (int(rng.integers(4, 8)), int(rng.integers(4, 8))),
                    float(rng.uniform(0, 180)), 0, 360, 255, -1)
    specks[200:330, 100:560] = 0  # none on the writing itself
    writing = blank()
    glyph(writing, "4 8 2 5", 120, 300, 1.2, 3)
    boxes = digit_boxes(cv2.bitwise_or(writing, specks))
    assert len([b for b in boxes if b[1] >= 200 and b[1] + b[3] <= 330]) == 4

@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 60), st.integers(1, 60)),
                  elements=st.sampled_from([0, 255])))
def test_any_mask_gives_boxes_inside_it(mask):
    for x, y, w, h in digit_boxes(mask):
        assert w > 0 and h > 0 and x >= 0 and y >= 0
        assert x + w <= mask.shape[1] and y + h <= mask.shape[0]


def test_loose_pieces_are_the_small_blobs_outside_the_digits_and_beside_them_when_level_and_near_or_just_above():
    mask = blank()
    glyph(mask, "3 8", 100, 300)
    boxes = digit_boxes(mask)
    assert candidates(mask) == (boxes, [])
    x8, y8, w8, _ = boxes[1]
    level = (240, 270, 12, 10)   # beside the 8, at its height: maybe the dark part of a faint digit
    above = (x8 + w8 - 5, y8 - 13, 20, 5)  # just over the 8's right side: a 5's flag written apart
    below = (180, 420, 12, 10)   # far under the row: dirt
    inside = (110, 265, 8, 8)    # over the 3: part of a digit already found
    for x, y, w, h in (level, above, below, inside):
        mask[y:y + h, x:x + w] = 255
    found, loose = candidates(mask)
    assert found == boxes and loose == [below, level, above]  # biggest first
    assert beside(loose, boxes).tolist() == [False, True, True]
    assert beside(loose, [boxes[0]]).tolist() == [False, False, False]  # the 3 has neither beside it


def test_a_flag_written_apart_over_its_bodys_box_corner_and_wider_than_it_is_tall_is_loose():
    """`--seed 8080 --kind sheets`, image 48: a marker 5 whose flag, written apart, starts over the corner of
    its body's box and reaches past it, wider than the body is tall. Neither in the box nor under the width
    a loose piece had to keep to, it was no part of anything, and the body alone a doubtful 5."""
    mask = blank()
    glyph(mask, "3 8", 100, 300)
    boxes = digit_boxes(mask)
    x8, y8, w8, h8 = boxes[1]
    flag = (x8 + w8 - 10, y8 - 12, h8 + 10, 8)
    mask[flag[1]:flag[1] + flag[3], flag[0]:flag[0] + flag[2]] = 255
    found, loose = candidates(mask)
    assert found == boxes and loose == [flag]
    assert within(loose, found).tolist() == [False] and beside(loose, found).tolist() == [True]
    assert within([(x8 + 2, y8 + 2, 5, 5)], found).tolist() == [True]


def test_a_speckled_patch_is_not_a_digit_but_the_digit_beside_it_is():
    rng = np.random.default_rng(8)
    mask = blank()
    glyph(mask, "5", 100, 300)
    mask[200:270, 300:345] = np.where(rng.random((70, 45)) < 0.45, 255, 0).astype(np.uint8)  # noise at the threshold
    assert digit_boxes(mask) == [bbox(mask[:, :200])]


def test_a_digit_cut_by_the_frames_edge_is_not_read():
    mask = blank()
    glyph(mask, "3 7", 200, 300)
    glyph(mask, "8", -25, 300)  # half out of view on the left
    boxes = digit_boxes(mask)
    assert len(boxes) == 2 and all(b[0] > 0 for b in boxes)


def test_grid_lines_left_in_the_mask_do_not_make_the_digits_look_like_fragments():
    """Tilted lines as tall as the frame are digit-sized by their boxes' heights; taken for digits, they
    would make every real digit a fragment of something five times its size, and join them all up."""
    mask = blank()
    glyph(mask, "7 0 0", 60, 300, scale=2.5, thickness=3)
    for x in (400, 460, 520, 580):
        cv2.line(mask, (x, 0), (x - 80, 440), 255, 2)  # an 11 degree grid's upright lines
    digits = digit_boxes(mask)
    assert len(digits) == 3 and all(b[0] < 330 and b[3] < 100 for b in digits)


def test_big_digits_written_with_a_fine_pen_set_the_digit_size_so_a_broken_nine_is_joined():
    """A fine pen's big 6 fills little of its box, as a tilted line does; taken for a line, it would leave
    the digit size to the pieces of a broken 9, whose head and tail would then each be a digit."""
    mask = blank()
    cv2.ellipse(mask, (260, 190), (55, 65), 0, 0, 360, 255, 2)  # a big 0 ...
    cv2.line(mask, (360, 90), (440, 90), 255, 2)                 # ... and a big 7
    cv2.line(mask, (440, 90), (380, 250), 255, 2)
    cv2.ellipse(mask, (100, 150), (27, 30), 0, 0, 360, 255, 3)  # a 9's head ...
    cv2.line(mask, (128, 170), (118, 250), 255, 3)               # ... and its tail, broken off it
    digits = digit_boxes(mask)
    assert len(digits) == 3
    assert min(digits)[3] > 110  # the 9 whole, head to tail



def test_a_slanted_one_between_two_flecks_on_its_axis_is_a_digit():
    """A line goes on past a sliver's ends; a 1 among flecks has only a fleck or two out there. Looking for
    ink right at its ends found the 1's own tips, and that tipped it over into being a line."""
    mask = blank()
    glyph(mask, "0", 130, 320, scale=3.5, thickness=8)
    glyph(mask, "5", 420, 320, scale=3.5, thickness=8)
    bottom, top = np.array([300.0, 320.0]), np.array([335.0, 225.0])
    cv2.line(mask, (300, 320), (335, 225), 255, 8)
    along = (top - bottom) / np.linalg.norm(top - bottom)
    for fleck in (top + 30 * along, bottom - 30 * along):
        cv2.circle(mask, (int(fleck[0]), int(fleck[1])), 2, 255, -1)
    digits = digit_boxes(mask)
    assert len(digits) == 3 and 290 < digits[1][0] < 310


def test_a_smudge_riddled_with_holes_is_not_a_digit_but_an_8_is():
    """The darkest part of a soft shadow just passes the threshold as a solid smudge full of pinholes; its
    outline is not long enough for speckle, nor its strokes broad enough for a blot."""
    rng = np.random.default_rng(2)
    mask = blank()
    cv2.ellipse(mask, (300, 240), (20, 40), 0, 0, 360, 255, -1)
    for x, y in rng.integers([288, 212], [312, 268], (40, 2)):
        mask[y:y + 2, x:x + 2] = 0  # pinholes where the shade is lightest
    _, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    assert (hierarchy[0, :, 3] >= 0).sum() >= 15
    assert digit_boxes(mask) == []
    eight = blank()
    glyph(eight, "8", 280, 280, 3.0, 6)
    assert len(digit_boxes(eight)) == 1


def test_a_small_digit_in_a_line_of_its_own_or_beside_a_digit_stays_but_not_a_speck_or_a_cut_off_piece():
    """A frame 720 high: a digit under 32 px is small, and a row of small digits needs three. "5" over "3222",
    the 5 at 32 px and alone in its line, is writing; so is the small 4 of "46" beside its 6. A speck as tall
    far below the writing is not; nor a small mark beside writing but half as tall as it; nor the small
    piece a wide blob was cut into, with no paper between it and its big part (a desk's blotch)."""
    from edge.regions import _small_in_rows

    row = [(395, 181, 41, 36), (452, 190, 20, 33), (483, 189, 37, 37), (536, 194, 40, 36)]
    five, speck, dot = (382, 120, 36, 32), (400, 500, 30, 31), (590, 200, 14, 15)
    assert _small_in_rows(row + [five, speck, dot], sure=32.4) == row + [five]
    four, six = (100, 400, 24, 30), (130, 398, 26, 36)
    assert _small_in_rows([four, six], sure=32.4) == [four, six]
    blotch, piece = (179, 358, 18, 34), (197, 365, 28, 30)
    assert _small_in_rows([blotch, piece], sure=32.4) == [blotch]


def test_a_small_line_of_two_three_digit_heights_under_a_row_of_small_writing_stays_but_not_a_mark_further_down():
    """A frame 720 high, a camera far from the writing: "307355" about 26 px tall, and "37" written under it,
    its centres 3 digit heights lower (it was dropped at 2.5). A mark as small five heights down is not
    writing."""
    from edge.regions import _small_in_rows

    row = [(341, 353, 20, 25), (373, 354, 19, 25), (407, 354, 18, 26), (438, 355, 11, 24), (462, 350, 23, 29),
           (492, 354, 24, 26)]
    under = [(361, 432, 21, 27), (396, 436, 15, 25)]
    assert _small_in_rows(row + under, sure=32.4) == row + under
    far = [(361, 490, 21, 27), (396, 492, 15, 25)]
    assert _small_in_rows(row + far, sure=32.4) == row


def test_a_long_run_of_touching_digits_written_on_a_slant_is_cut_by_the_frames_digit_size():
    """Nine digits written into one another on a slant are one blob nearly twice as tall as each digit. Cut
    by its own height, it held three digits, each part lower than the blob: it was left whole, as one mark
    the network took for none. Measured by the frame's other digits, it is cut digit by digit."""
    mask, run = blank(), blank()
    for i, digit in enumerate("747708123"):
        glyph(run, digit, 170 + 25 * i, 260, thickness=7)
    mask |= cv2.warpAffine(run, cv2.getRotationMatrix2D((300, 240), -12, 1.0), SIZE[::-1], flags=cv2.INTER_NEAREST)
    glyph(mask, "9 0", 20, 220, thickness=7)
    assert cv2.connectedComponents(mask)[0] - 1 == 3  # the 9, the 0 and the run
    boxes = digit_boxes(mask)
    digit = boxes[0][3]
    parts = [box for box in boxes if box[0] > 150]
    assert len(parts) >= 6
    assert all(0.9 * digit <= h <= 1.3 * digit for _, _, _, h in parts)
