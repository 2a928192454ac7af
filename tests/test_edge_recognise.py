"""edge.recognise: marks the network mostly doubts are no writing, and are kept aside for --debug-dir."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.detect import DetectParams, debug_images
from edge.recognise import _more_of_it, _wholes, recognise
from tests import edge_frames as frames


class Sure:
    """A stand-in network: reads every crop as `digit` with `confidence`."""

    def __init__(self, digit: int, confidence: float) -> None:
        self.digit, self.confidence = digit, confidence

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = np.full((len(crops), 10), (1.0 - self.confidence) / 9, np.float32)
        out[:, self.digit] = self.confidence
        return out


def photo() -> np.ndarray:
    sheet = frames.paper()
    frames.write(sheet, "12", (100, 300), 3.0, 5)
    return frames.finish(sheet, np.random.default_rng(0))


def test_marks_the_network_reads_surely_are_the_reading_and_nothing_is_dropped():
    result = recognise(photo(), Sure(7, 0.99), DetectParams(), 0.5)
    assert [d.digit for d in result.reading.digits] == [7, 7]
    assert result.dropped == []


def test_marks_the_network_doubts_read_as_nothing_but_are_kept_for_the_debug_pictures():
    grey = photo()
    result = recognise(grey, Sure(7, 0.4), DetectParams(), 0.5)
    assert not result.reading.digits and not result.detection.boxes
    assert len(result.dropped) == 2
    pictures = debug_images(grey, result.detection, result.dropped)
    red = (pictures["boxes"][..., 2] > 200) & (pictures["boxes"][..., 1] < 60)
    assert red.sum() > 100  # the dropped marks are boxed in red
    kept_only = debug_images(grey, result.detection)
    assert pictures["crops"].shape[0] > kept_only["crops"].shape[0]  # and their crops shown below
    assert pictures["crops"][kept_only["crops"].shape[0]:].max() > 200  # with bright ink


class ByPlace:
    """A stand-in network: sure of every crop but one, which it reads as a 4 at `doubt`."""

    def __init__(self, doubted: int, doubt: float) -> None:
        self.doubted, self.doubt = doubted, doubt

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = np.full((len(crops), 10), 0.001, np.float32)
        out[:, 7] = 0.99
        if self.doubted < len(crops):
            out[self.doubted] = (1.0 - self.doubt) / 9
            out[self.doubted, 4] = self.doubt
        return out


def test_a_doubted_mark_standing_apart_from_the_writing_is_dropped_but_a_sure_one_is_kept():
    """A fleck on the desk or the sheet's corner far from the page's row of digits fits some digit fairly
    well at most; a digit written apart on purpose is read surely."""
    sheet = frames.paper()
    frames.write(sheet, "123", (100, 200), 2.0, 4)
    frames.write(sheet, "8", (500, 420), 2.0, 4)  # far below and right of the row
    grey = frames.finish(sheet, np.random.default_rng(0))
    doubted = recognise(grey, ByPlace(3, 0.7), DetectParams(), 0.5)  # the lone 8 is the last box
    assert len(doubted.reading.digits) == 3 and len(doubted.dropped) == 1
    assert doubted.dropped[0][0] > 400
    sure = recognise(grey, ByPlace(3, 0.95), DetectParams(), 0.5)
    assert len(sure.reading.digits) == 4 and sure.dropped == []
    in_row = recognise(grey, ByPlace(1, 0.7), DetectParams(), 0.5)  # a doubted digit within the row stays
    assert len(in_row.reading.digits) == 4 and in_row.dropped == []


def test_a_doubted_mark_far_from_a_lone_sure_digit_is_dropped_too():
    """One digit written alone and a fleck far from it: two marks, one of them no writing. A pair of digits
    written together stays, the doubted one too."""
    sheet = frames.paper()
    frames.write(sheet, "1", (100, 200), 2.0, 4)
    frames.write(sheet, "8", (500, 420), 2.0, 4)
    grey = frames.finish(sheet, np.random.default_rng(0))
    result = recognise(grey, ByPlace(1, 0.7), DetectParams(), 0.5)
    assert len(result.reading.digits) == 1 and len(result.dropped) == 1 and result.dropped[0][0] > 400
    pair = frames.paper()
    frames.write(pair, "18", (100, 200), 2.0, 4)
    together = recognise(frames.finish(pair, np.random.default_rng(0)), ByPlace(1, 0.7), DetectParams(), 0.5)
    assert len(together.reading.digits) == 2 and together.dropped == []


def test_a_doubted_digit_in_the_line_under_the_writing_stays():
    """A number's second line: a digit 1.8 digit heights under the row is part of the writing, doubted or not
    (a fleck stands further off)."""
    sheet = frames.paper()
    frames.write(sheet, "123", (100, 200), 2.0, 4)
    frames.write(sheet, "8", (100, 330), 2.0, 4)  # its top 83 px under the row's foot; digits 47 px tall
    result = recognise(frames.finish(sheet, np.random.default_rng(0)), ByPlace(0, 0.7), DetectParams(), 0.5)
    assert result.reading.text == "777\n4" and result.dropped == []


def faint_fine_pen(seed: int = 0) -> np.ndarray:
    """A 1 px pen 15% darker than its paper, in noise and JPEG: the usual bars let only specks of it through."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4853", (120, 300), 2.0, 1, ink=0.85)
    return frames.finish(sheet, np.random.default_rng(seed), noise=3.0, blur=0.5, jpeg=60)


def test_a_faint_fine_pen_the_first_look_misses_is_read_on_a_harder_look():
    grey = faint_fine_pen()
    assert not recognise(grey, Sure(7, 0.99), DetectParams(harder=0.0), 0.5).reading.digits
    result = recognise(grey, Sure(7, 0.99), DetectParams(), 0.5)
    assert len(result.reading.digits) == 4 and len(result.detection.boxes) == 4


def test_what_a_harder_look_finds_counts_only_as_rows_the_network_is_sure_of_and_not_of_1s_alone():
    grey = faint_fine_pen()
    for network in (Sure(7, 0.9), Sure(1, 0.99)):  # doubted marks; slivers of a streaked desk
        result = recognise(grey, network, DetectParams(), 0.5)
        assert not result.reading.digits and result.detection.boxes == []


def test_a_harder_look_at_blank_noisy_paper_finds_nothing():
    blank = frames.finish(frames.paper(gradient=0.2), np.random.default_rng(0), noise=10.0, blur=0.5, jpeg=60)
    assert not recognise(blank, Sure(7, 0.99), DetectParams(), 0.5).reading.digits


def counted_looks(monkeypatch: pytest.MonkeyPatch) -> list[DetectParams]:
    """The params of every look `recognise` takes from now on (each a call of `detect`), in order."""
    import edge.recognise as recognise_module

    looks: list[DetectParams] = []
    first = recognise_module.detect

    def counted(grey: np.ndarray, params: DetectParams, lap, ink=None):
        looks.append(params)
        return first(grey, params, lap, ink)

    monkeypatch.setattr(recognise_module, "detect", counted)
    return looks


def test_a_page_that_left_no_specks_is_not_looked_at_harder(monkeypatch):
    """Looking harder costs 3 to 5 times a first look; a blank page that leaves no specks of ink has nothing
    for it to find."""
    looks = counted_looks(monkeypatch)
    recognise(frames.finish(frames.paper(gradient=0.2), np.random.default_rng(0)), Sure(7, 0.99), DetectParams(), 0.5)
    assert len(looks) == 1
    recognise(faint_fine_pen(), Sure(7, 0.99), DetectParams(), 0.5)
    assert len(looks) == 3 and looks[2].ink_contrast == 0.5 * DetectParams().ink_contrast, "found on the harder look"


def fainter_last_digit(fainter: str = "3") -> np.ndarray:
    """"485" in a pen that only just passes the frame's bars, then `fainter` written fainter still."""
    sheet = frames.paper()
    frames.write(sheet, "485", (100, 300), 2.0, 3, ink=0.87)
    frames.write(sheet, fainter, (250, 300), 2.0, 3, ink=0.93)
    return frames.finish(sheet, np.random.default_rng(0))


def test_a_digit_fainter_than_its_row_is_read_on_a_harder_look_at_a_still_photo_only():
    """A row whose faintest digit only just passed the bars is looked at again, harder, on a still photo
    (`fill_rows`, as `read` does): the mark in its row the network is sure of joins it. A live frame is not
    (a third of the demo clip's frames would pay for it), nor does a doubted mark join."""
    grey = fainter_last_digit()
    assert len(recognise(grey, Sure(7, 0.99), DetectParams(), 0.5).reading.digits) == 3
    still = recognise(grey, Sure(7, 0.99), DetectParams(fill_rows=True), 0.5)
    assert len(still.reading.digits) == 4 and max(box[0] for box in still.detection.boxes) > 240
    assert still.detection.mask[260:300, 255:285].any()  # the 3's ink is in the mask its crop was cut from
    assert len(recognise(grey, Sure(7, 0.95), DetectParams(fill_rows=True), 0.5).reading.digits) == 3
    two = fainter_last_digit("33")
    assert len(recognise(two, Sure(7, 0.99), DetectParams(fill_rows=True), 0.5).reading.digits) == 5
    assert len(recognise(two, Sure(1, 0.99), DetectParams(fill_rows=True), 0.5).reading.digits) == 3  # slivers


def one_stroke_darker(fleck: tuple[int, int] | None = None) -> np.ndarray:
    """A faint fine pen's "4853" with a darker 1 over its 4's stem: the first look finds only the 4 (a sure 7 to
    the stand-in network), and not as barely as a row's faint digit; the harder look finds "485" too. The
    `fleck`, a faint 6 as tall as the digits, stands where it is put."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4853", (120, 300), 2.0, 1, ink=0.88)
    frames.write(sheet, "1", (135, 300), 2.0, 1, ink=0.8)
    if fleck:
        frames.write(sheet, "6", fleck, 2.0, 1, ink=0.88)
    return frames.finish(sheet, np.random.default_rng(0), noise=3.0, blur=0.5, jpeg=60)


def test_a_harder_look_holding_what_the_first_found_and_more_is_read_instead():
    """One digit found is no row to fill, but the harder look's row holds it: the row is the reading."""
    grey = one_stroke_darker()
    assert recognise(grey, Sure(7, 0.99), DetectParams(), 0.5).reading.text == "7"
    still = recognise(grey, Sure(7, 0.99), DetectParams(fill_rows=True), 0.5)
    assert still.reading.text == "777" and len({box[0] for box in still.detection.boxes}) == 3


def test_a_harder_look_that_parts_a_digit_found_whole_is_not_read_instead_but_one_parting_a_pair_is():
    """A wide 2 with a loop, found whole at first, came apart at the harder look's lower bars into its loop
    (read surely as 0) and the rest (a 2): more marks, all near, but two over one digit found. Taken whole,
    "928213" read "9028213". The same row with the 2 over one mark is the first look's digits and more; and
    so is one where the two marks lie over a mark the network took for no one digit: a pair the lower bars
    parted ("53399829" read "5?299829" when two marks over any one found were refused)."""
    found = [(83, 135, 40, 70), (150, 144, 82, 66), (243, 155, 40, 64)]
    parted = [(83, 135, 39, 69), (151, 160, 44, 50), (192, 144, 40, 66), (243, 155, 40, 64)]
    digits = np.zeros(3, bool)
    assert not _more_of_it(found, parted, digits)
    assert _more_of_it(found, parted, np.array([False, True, False]))
    assert _more_of_it(found, [(83, 135, 39, 69), (150, 144, 82, 66), (243, 155, 40, 64), (300, 150, 40, 66)], digits)


@pytest.mark.parametrize("fleck", [(30, 450), (450, 450), (400, 120)])
def test_a_harder_look_with_a_sure_mark_far_from_what_was_found_is_not_read_instead(fleck):
    """A sure mark two digit heights from every digit found (below, beside or over the row) may be a desk's
    fleck: the harder look is not taken whole. Only its row holding the digit found joins the reading."""
    result = recognise(one_stroke_darker(fleck), Sure(7, 0.99), DetectParams(fill_rows=True), 0.5)
    assert result.reading.text == "777"
    assert all(abs(x + w / 2 - fleck[0]) + abs(y + h / 2 - fleck[1]) > 60 for x, y, w, h in result.detection.boxes)


def test_a_row_well_clear_of_the_bars_is_not_looked_at_again(monkeypatch):
    """Looking harder costs 3 to 5 times a first look: only a row that barely passed is worth it."""
    looks = counted_looks(monkeypatch)
    recognise(photo(), Sure(7, 0.99), DetectParams(fill_rows=True), 0.5)  # dark ink
    assert len(looks) == 1
    recognise(fainter_last_digit(), Sure(7, 0.99), DetectParams(fill_rows=True), 0.5)
    assert len(looks) == 3 and looks[2].ink_contrast == 0.5 * DetectParams().ink_contrast


def small_pair() -> np.ndarray:
    """A camera far from the writing: "25" in a fine pen, 17 px tall on a 480 px frame, under the least height
    a digit must have on its own (0.045 of the frame, 22 px), and nothing taller."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "25", (300, 250), 0.7, 2)
    return frames.finish(sheet, np.random.default_rng(0))


def test_small_writing_with_nothing_taller_is_read_on_a_smaller_look_when_the_network_is_sure():
    grey = small_pair()
    result = recognise(grey, Sure(7, 0.99), DetectParams(), 0.5)
    assert len(result.reading.digits) == 2
    assert all(box[3] < 0.045 * grey.shape[0] for box in result.detection.boxes)
    assert not recognise(grey, Sure(7, 0.9), DetectParams(), 0.5).reading.digits  # doubted: a desk's flecks



class FirstDoubted:
    """A stand-in network: sure of every crop (a 7), but of the first of a batch of `size` (a harder look's),
    it doubts (a 4 at `confidence`): boxes come left to right, so that is the mark furthest left."""

    def __init__(self, size: int, confidence: float) -> None:
        self.size, self.confidence = size, confidence

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = Sure(7, 0.99).probabilities(crops)
        if len(crops) == self.size:
            out[0] = Sure(4, self.confidence).probabilities(crops[:1])[0]
        return out


def test_beside_a_doubted_fleck_a_harder_look_reads_the_row_the_network_is_sure_of():
    """Faint ballpoint on a speckled desk as light as the sheet: looking harder brings the row through,
    and a fleck of the desk with it, which the network doubts. The row is the reading; asking every mark
    to be sure read it as nothing."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4853", (120, 300), 2.0, 1, ink=0.85)
    frames.write(sheet, "6", (30, 430), 1.2, 1, ink=0.85)  # the fleck, far below the row's left end
    grey = frames.finish(sheet, np.random.default_rng(0), noise=3.0, blur=0.5, jpeg=60)
    assert len(recognise(grey, Sure(7, 0.99), DetectParams(), 0.5).reading.digits) == 5  # all sure: all
    result = recognise(grey, FirstDoubted(5, 0.5), DetectParams(), 0.5)  # the fleck, left of the row
    assert [d.digit for d in result.reading.digits] == [7, 7, 7, 7]
    assert all(box[0] > 100 for box in result.detection.boxes)  # the row's, not the fleck's


class FleckRead:
    """A stand-in network: sure of every crop (a 7), but the first of a batch of three, a desk's fleck left of
    a pair in the harder look's batch, it reads as a 4 with `confidence`."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = Sure(7, 0.99).probabilities(crops)
        if len(crops) == 3:
            out[0] = Sure(4, self.confidence).probabilities(crops[:1])[0]
        return out


@pytest.mark.parametrize("fleck", [0.05, 0.95])
def test_a_harder_look_reads_a_sure_pair_beside_a_fleck_the_network_doubts(monkeypatch, fleck):
    """Two faint digits and a fleck: a row of two is too short to outvote a doubted mark, but a mark the
    network doubts (reads as no digit at all, or as a 4 at 0.95) is set aside, and the pair is the reading.
    (The smaller look after it, which would find the pair's specks without the fleck, finds only what the
    first look did here.)"""
    monkeypatch.setattr(DetectParams, "smaller_look", lambda self: self)
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "48", (220, 300), 2.0, 1, ink=0.85)
    frames.write(sheet, "6", (130, 380), 1.2, 1, ink=0.85)  # the fleck, below and left of the pair
    grey = frames.finish(sheet, np.random.default_rng(0), noise=3.0, blur=0.5, jpeg=60)
    result = recognise(grey, FleckRead(fleck), DetectParams(), 0.5)
    assert [d.digit for d in result.reading.digits] == [7, 7]
    assert all(box[0] > 150 for box in result.detection.boxes)  # the pair's, not the fleck's


class NoneOutput(Sure):
    """A stand-in eleven-output network, its none output left out: every crop is a `digit` at `confidence`,
    the rest of each row went to none."""

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = np.zeros((len(crops), 10), np.float32)
        out[:, self.digit] = self.confidence
        return out


def test_a_mark_left_whole_is_read_as_the_digit_it_most_likely_is_whatever_none_took():
    result = recognise(photo(), NoneOutput(7, 0.45), DetectParams(), 0.5)
    assert [d.digit for d in result.reading.digits] == [7, 7]
    assert [d.confidence for d in result.reading.digits] == [1.0, 1.0]
    assert result.dropped == []


class PairsAsNone:
    """A stand-in eleven-output network, its none output left out: a crop wider than tall (two digits joined)
    is no digit; any other it reads surely, as a 7, or (`ones`) as a 1 unless it is the first of three."""

    def __init__(self, ones: bool = False) -> None:
        self.ones = ones

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = np.zeros((len(crops), 10), np.float32)
        for i, crop in enumerate(crops):
            _, _, width, height = cv2.boundingRect((crop > 0.2).astype(np.uint8))
            if width < height:
                digit = 1 if self.ones and not (i == 0 and len(crops) == 3) else 7
                out[i] = Sure(digit, 0.99).probabilities(crop[None])[0]
        return out


def faint_pairs() -> np.ndarray:
    """Faint fine pen, as `faint_fine_pen`, with "53" written touching: the harder look finds three marks, "4",
    "8" and "53"."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "48", (120, 300), 2.0, 1, ink=0.85, gap=-20)
    frames.write(sheet, "53", (320, 300), 2.0, 1, ink=0.85, gap=-20)
    return frames.finish(sheet, np.random.default_rng(0), noise=3.0, blur=0.5, jpeg=60)


def test_a_harder_looks_touching_pair_is_cut_and_read_with_its_row():
    result = recognise(faint_pairs(), PairsAsNone(), DetectParams(), 0.5)
    assert result.reading.text == "7777"
    assert len({box[0] for box in result.detection.boxes}) == 4


def test_a_harder_looks_marks_read_mostly_as_1s_once_cut_are_a_desks_slivers():
    """Cut, the marks read 7111: mostly 1s, so the reading stays the uncut one, the sure "71" of "4", "8"."""
    assert recognise(faint_pairs(), PairsAsNone(ones=True), DetectParams(), 0.5).reading.text == "71"


def reads(*pairs: tuple[int, float]) -> np.ndarray:
    """Probabilities reading each mark as its (digit, confidence)."""
    return np.stack([Sure(digit, confidence).probabilities(np.zeros((1, 28, 28)))[0] for digit, confidence in pairs])


STEM = (100, 50, 8, 40)   # a 6 found by its stem alone, read as a 1
SIX = (99, 49, 30, 42)    # the harder look's mark holding it, with the loop


@pytest.mark.parametrize("marks, read, whole", [
    ([SIX], reads((6, 0.99)), {1: 0}),
    ([(140, 49, 20, 42), SIX], reads((3, 0.99), (6, 0.99)), {1: 1}),
    ([SIX], reads((1, 0.99)), {}),                  # the same digit: nothing gained
    ([SIX], reads((6, 0.9)), {}),                   # doubted
    ([(99, 49, 10, 42)], reads((6, 0.99)), {}),     # hardly bigger
    ([(104, 49, 30, 42)], reads((6, 0.99)), {}),    # not holding the stem
    ([(60, 49, 70, 42)], reads((6, 0.99)), {}),     # over the digit beside it too
    ([SIX, (104, 60, 10, 10)], reads((6, 0.99), (0, 0.99)), {}),  # two marks over the stem
])
def test_a_harder_looks_sure_mark_holding_a_digit_found_without_its_faint_parts_replaces_it(marks, read, whole):
    """Digits found: an 8 beside the stem. `whole` maps a digit found to the mark that replaces it."""
    assert _wholes([(70, 50, 20, 40), STEM], reads((8, 0.99), (1, 0.99)), marks, read) == whole


def test_light_writing_too_thin_to_turn_the_frame_over_is_read_turned():
    """A negative's fine light pen: the frame's vote keeps it dark ink, which finds nothing; its hint of light
    writing (`Ink.light_hint`) has it looked at turned over, and read."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4853", (300, 250), 1.0, 1, ink=0.6)
    grey = cv2.bitwise_not(frames.finish(sheet, np.random.default_rng(0)))
    assert recognise(grey, Sure(7, 0.99), DetectParams(), 0.5).reading.text == "7777"
    assert recognise(grey, Sure(7, 0.99), DetectParams(light_ink=False), 0.5).reading.text == ""


def faint_negative(flecks: int = 0) -> np.ndarray:
    """A negative's faint light pen, "4853": it departs too little from its ground to vote on the polarity. With
    `flecks`, dark flecks of the desk below it outvote it for dark ink."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4853", (150, 300), 2.0, 1, ink=0.8)
    grey = cv2.bitwise_not(frames.finish(sheet, np.random.default_rng(0))).astype(np.float32)
    rng = np.random.default_rng(3)
    for _ in range(flecks):
        x, y = int(rng.integers(20, 620)), int(rng.integers(380, 470))
        cv2.circle(grey, (x, y), int(rng.integers(2, 5)), float(grey[y, x] - 60), -1)
    return np.clip(grey, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("flecks", [0, 40])
def test_a_still_photo_with_nothing_found_as_dark_ink_is_read_turned_when_the_network_is_sure(flecks):
    """As dark ink nothing is found (or a fleck). A still photo (`fill_rows`) is looked at turned over too,
    whatever its marks voted, and its row read; a live frame is not (most such frames are blank pages), nor is
    a doubted row or a blank page read as anything."""
    grey = faint_negative(flecks)
    assert recognise(grey, Sure(7, 0.99), DetectParams(fill_rows=True), 0.5).reading.text == "7777"
    assert recognise(grey, Sure(7, 0.99), DetectParams(), 0.5).reading.text != "7777"  # not turned
    assert recognise(grey, Sure(7, 0.9), DetectParams(fill_rows=True), 0.5).reading.text == ""  # doubted
    blank = cv2.bitwise_not(frames.finish(frames.paper(gradient=0.2), np.random.default_rng(0)))
    assert recognise(blank, Sure(7, 0.99), DetectParams(fill_rows=True), 0.5).reading.text == ""


def test_a_negatives_lone_digit_is_read_turned_only_when_the_network_is_surer_still():
    """One faint light digit whose marks said nothing of their polarity: read turned over when the network is
    as sure of it as of a harder look's lone mark (ALONE), and not as a 1 (a streak)."""
    sheet = frames.paper(gradient=0.2)
    frames.write(sheet, "4", (250, 300), 2.0, 1, ink=0.8)
    grey = cv2.bitwise_not(frames.finish(sheet, np.random.default_rng(0)))
    assert recognise(grey, Sure(7, 0.995), DetectParams(fill_rows=True), 0.5).reading.text == "7"
    assert recognise(grey, Sure(7, 0.98), DetectParams(fill_rows=True), 0.5).reading.text == ""
    assert recognise(grey, Sure(1, 0.995), DetectParams(fill_rows=True), 0.5).reading.text == ""


def test_a_hint_of_light_writing_that_the_light_look_does_not_bear_out_leaves_the_dark_looks_to_go_on(
        monkeypatch):
    """A wood desk's light grain can hint at light writing beside a faint dark pen. When the look as light ink
    finds nothing, the harder looks are still for dark ink, and find the pen's digits."""
    import edge.segment as segment_module
    voted = segment_module._polarity
    monkeypatch.setattr(segment_module, "_polarity",
                        lambda small, params: (False, True) if params.light_ink is None else voted(small, params))
    result = recognise(faint_fine_pen(), Sure(7, 0.99), DetectParams(), 0.5)
    assert len(result.reading.digits) == 4


class LoneDoubted:
    """A stand-in network: doubts a lone crop (a batch of one), sure of every crop (a 7) of bigger batches."""

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        return Sure(4, 0.5).probabilities(crops) if len(crops) == 1 else Sure(7, 0.99).probabilities(crops)


def one_digit_darker_in_faint_writing() -> np.ndarray:
    """Faint fine pen, as `faint_fine_pen`, its first digit in a broader, fainter pen: the first look finds
    that digit only, a harder look the others."""
    sheet = frames.paper(gradient=0.2)
    (x, _, w, _), = frames.write(sheet, "4", (120, 300), 2.0, 3, ink=0.9)
    frames.write(sheet, "853", (x + w + w // 4, 300), 2.0, 1, ink=0.87)
    return frames.finish(sheet, np.random.default_rng(0), noise=3.0, blur=0.5, jpeg=60)


def test_a_still_photo_whose_marks_were_all_no_writing_is_looked_at_harder():
    """Every mark the first look found was dropped as no writing (here one digit of a faint row, doubted; on
    faint writing, often a pair run together that no one digit fits): a still photo (`fill_rows`, as `read`
    does) is then looked at as if nothing had been found, and the rest of the row is read. A live frame is
    not: most such frames are a desk's or a blank page's flecks."""
    grey = one_digit_darker_in_faint_writing()
    live = recognise(grey, LoneDoubted(), DetectParams(), 0.5)
    assert live.reading.text == "" and len(live.dropped) == 1
    still = recognise(grey, LoneDoubted(), DetectParams(fill_rows=True), 0.5)
    assert still.reading.text == "777" and all(box[0] > 160 for box in still.detection.boxes)
    assert recognise(grey, LoneDoubted(), DetectParams(fill_rows=True, harder=0.0), 0.5).reading.text == ""


def test_a_harder_looks_sure_row_holding_a_digit_found_is_read_with_it_though_the_digit_stands_alone():
    """A sheet's second line, "233", holds one digit that passed the first look's bars and two written fainter.
    The harder look finds the line whole and sure; but it doubts a mark of the first line, so its reading is
    not taken whole, and a faint digit beside a single digit found is no row of them (flecks could be). The
    line the network is sure of, three of a row, is writing all the same: it joins the reading."""
    sheet = frames.paper()
    frames.write(sheet, "485", (100, 300), 2.0, 3, ink=0.87)
    frames.write(sheet, "2", (100, 400), 2.0, 3, ink=0.87)
    frames.write(sheet, "33", (150, 400), 2.0, 3, ink=0.93)
    grey = frames.finish(sheet, np.random.default_rng(0))
    assert len(recognise(grey, Sure(7, 0.99), DetectParams(), 0.5).reading.digits) == 4
    still = recognise(grey, FirstDoubted(6, 0.6), DetectParams(fill_rows=True), 0.5)
    assert [len(row) for row in still.reading.text.split("\n")] == [3, 3]
