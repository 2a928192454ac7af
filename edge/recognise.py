"""Photo -> Reading: the pixel pipeline (detect) wired to the classifier. The loop and `read` both use it."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from edge.classify import Classifier, as_one_digit
from edge.detect import Detection, DetectParams, detect, rebox
from edge.lean import lean_cuts
from edge.level import LEVEL, box_back, turned, writing_angle
from edge.normalise import crops
from edge.order import reading_rows
from edge.pen import passed_by
from edge.reading import Digit, Reading, make_reading
from edge.regions import ROW_LEAST, Box, in_rows_of, isolation, overlaps
from edge.segment import Ink
from edge.second_look import (APART, SURE, doubted_strays, harder_writing, is_writing, mostly_ones, no_one_digit,
                              second_look)


BARELY = 1.2  # a digit whose ink is under this many times the darkness its pixels needed only just passed
WHOLE = 1.5   # a harder look's mark this many times a digit's area, holding its box ...
EDGE = 2      # ... to within this many pixels, is the digit with its faint parts
SURER_LEVEL = 0.02  # a frame turned level is read so when its digits' mean confidence is at most this much lower


@dataclass(frozen=True)
class Result:
    """The reading and what led to it (for overlays and --debug-dir)."""

    reading: Reading
    detection: Detection
    probabilities: np.ndarray
    dropped: list[Box] = field(default_factory=list)  # marks read but taken for no writing: all, when mostly
                                                      # doubted; else the doubted ones standing apart


def recognise(grey: np.ndarray, classifier: Classifier, params: DetectParams, min_confidence: float,
              lap: Callable[[str], None] = lambda stage: None) -> Result:
    """Find every digit in a grey image and classify all crops in one batch (and the crops of a second look
    at doubtful ones in another; a photo with no digit found is looked at again: as light ink when its marks
    hint so, and harder; one whose writing runs askew, turned level); `lap` marks stage ends."""
    result = _recognise(grey, classifier, params, min_confidence, lap)
    angle = writing_angle(result.detection.found) if result.detection.photo else None
    if angle is None or abs(angle) < LEVEL:
        return result
    # A sheet lying askew turns every digit on it: read again from the frame turned level, and taken so
    # when that finds as many digits, as surely (within SURER_LEVEL).
    level, back = turned(grey, angle)
    again = _recognise(level, classifier, params, min_confidence, lap)
    first, second = result.reading.digits, again.reading.digits
    if len(second) < len(first) or _sureness(second) < _sureness(first) - SURER_LEVEL:
        return result
    boxes = [box_back(box, back, grey.shape) for box in again.detection.boxes]
    detection = replace(again.detection, boxes=boxes, turned=angle)
    reading = make_reading(boxes, detection.rows, again.probabilities, min_confidence)
    return replace(again, reading=reading, detection=detection)


def _sureness(digits: Sequence[Digit]) -> float:
    """The mean confidence of a reading's digits (0 for none)."""
    return float(np.mean([digit.confidence for digit in digits])) if digits else 0.0


def _recognise(grey: np.ndarray, classifier: Classifier, params: DetectParams, min_confidence: float,
               lap: Callable[[str], None]) -> Result:
    """`recognise`, but never turning an askew frame level: one reading of the frame as it is."""
    detection = detect(grey, params, lap)
    if detection.photo and not detection.boxes:
        params, detection = _turned(grey, classifier, params, detection, lap)
    probabilities = classifier.probabilities(detection.crops)
    harder = detection.photo and not detection.boxes
    if harder:
        detection, probabilities = _harder_looks(grey, classifier, params, detection, lap) or (detection, probabilities)
    elif detection.photo and params.fill_rows and params.harder > 0 and _barely(detection):
        # The faintest digit found only just passed the frame's bars: one written a little fainter in its row
        # may not have. Looked at harder, the marks in the rows of those found that the network is sure of
        # join them.
        lap("classify")
        detection, probabilities = _fill_rows(grey, classifier, params, detection, probabilities, lap)
    result = _settle(grey, classifier, params, detection, probabilities, min_confidence, lap)
    if params.fill_rows and not harder and result.dropped and not result.reading.digits:
        # A still photo whose marks were all taken for no writing: faint writing's first look may find only
        # a pair of its digits run together, which no one digit fits. Looked at as if nothing had been found.
        again = _harder_looks(grey, classifier, params, detection, lap)
        if again is not None:
            result = _settle(grey, classifier, params, *again, min_confidence, lap)
    return result


def _harder_looks(grey: np.ndarray, classifier: Classifier, params: DetectParams, detection: Detection,
                  lap: Callable[[str], None]) -> tuple[Detection, np.ndarray] | None:
    """A photo's digits and their probabilities from another look, where the first (`detection`) found none,
    or only marks that are no writing.
    Faint ballpoint on noisy or grainy paper passes the usual bars only in specks; at lower bars it is whole,
    but so is more of the noise and grain. Failing that, small writing (a camera far from it) counts alone
    when nothing taller is on the photo (first, it took faint writing's specks for all of it). Either way only
    the rows the network is sure of count, once the specks it rejects are set aside (`_look_again`)."""
    looks: list[tuple[DetectParams, Ink | None]] = []
    if params.harder > 0 and _specks(detection.mask, params.min_digit_height):
        looks.append((params.harder_look(), None))
    if _specks(detection.mask, params.min_row_height):  # the first look's bars: its ink stands
        looks.append((params.smaller_look(), detection.ink))
    for look, ink in looks:
        lap("classify")
        again = _look_again(grey, classifier, look, lap, ink)
        if again is not None:
            return again
    return None


def _settle(grey: np.ndarray, classifier: Classifier, params: DetectParams, detection: Detection,
            probabilities: np.ndarray, min_confidence: float, lap: Callable[[str], None]) -> Result:
    """The reading of a detection's digits read as `probabilities`: the doubtful ones looked at again (cut,
    joined, cut along a slant), and on a photo the marks that are no writing dropped."""
    found, probabilities = second_look(detection.mask, detection.found, probabilities,
                                       _reader(classifier, detection, params), detection.loose)
    mask, found, probabilities = lean_cuts(
        detection.mask, found, probabilities,
        lambda cut, boxes: crops(cut, boxes, params.min_stroke, detection.darker), classifier.probabilities)
    if mask is not detection.mask:
        detection = replace(detection, mask=mask)
    probabilities = as_one_digit(probabilities)
    dropped: list[Box] = []
    if detection.photo:  # a drawing holds no desk, texture or noise
        gone = list(range(len(found))) if not is_writing(probabilities, found) else doubted_strays(found, probabilities)
        dropped = [found[i] for i in gone]
        found = [box for i, box in enumerate(found) if i not in gone]
        probabilities = np.delete(probabilities, gone, axis=0)
    if found != detection.found:
        detection = rebox(detection, found, grey.shape, params.min_stroke)
    lap("classify")
    reading = make_reading(detection.boxes, detection.rows, probabilities, min_confidence)
    return Result(reading, detection, probabilities, dropped)


def _turned(grey: np.ndarray, classifier: Classifier, params: DetectParams, detection: Detection,
            lap: Callable[[str], None]) -> tuple[DetectParams, Detection]:
    """A photo taken as dark ink where no digit was found, looked at as light ink (a negative, a screen) when
    its marks hint at light writing (`Ink.light_hint`): the params and detection to go on with. A still photo
    (`fill_rows`) is looked at so too whatever its marks voted (a negative's bright desk outvotes its writing),
    but taken so only when the network is as sure of what it finds as of a harder look's marks
    (`harder_writing`): most such photos are blank pages. When the look as light ink finds nothing, the looks
    after it stay for dark ink: a wood desk's light grain hints at light writing beside a faint pencil."""
    ink = detection.ink
    if ink is None or ink.light or not (ink.light_hint or params.fill_rows):
        return params, detection
    light = replace(params, light_ink=True)
    turned = detect(grey, light, lap)
    if turned.boxes and (ink.light_hint
                         or harder_writing(turned.found, turned.rows, classifier.probabilities(turned.crops))):
        return light, turned
    return params, detection


def _look_again(grey: np.ndarray, classifier: Classifier, params: DetectParams, lap: Callable[[str], None],
                ink: Ink | None) -> tuple[Detection, np.ndarray] | None:
    """Another look at a photo where no digit was found, with `params` (and the first look's `ink`, if they
    keep its bars): its digits and their probabilities, those of the rows the network is sure of
    (`harder_writing`); None when there are none.
    Faint writing's digits that its lower bars join in pairs read as no digit, so its marks are also given the
    second look (cut, joined) and read that way when more of them are writing: ROW_LEAST at least, and at
    most half of them 1s (a streaked desk's slivers, cut from wider ones)."""
    again = detect(grey, params, lap, ink)
    if not again.boxes:
        return None
    found, read = again.found, classifier.probabilities(again.crops)
    writing = harder_writing(found, again.rows, read)
    cut, cut_read = second_look(again.mask, found, read, _reader(classifier, again, params), again.loose)
    more = harder_writing(cut, reading_rows(cut), cut_read)
    if len(more) > max(len(writing), ROW_LEAST - 1) and not mostly_ones(cut_read[more]):
        found, read, writing = cut, cut_read, more
    if not writing:
        return None
    return rebox(again, [found[i] for i in writing], grey.shape, params.min_stroke), read[writing]


def _reader(classifier: Classifier, detection: Detection, params: DetectParams) -> Callable[[list[Box]], np.ndarray]:
    """The probabilities of any boxes' crops from `detection`'s mask (for `second_look`'s cuts and joins)."""
    return lambda boxes: classifier.probabilities(crops(detection.mask, boxes, params.min_stroke, detection.darker))


def _specks(mask: np.ndarray, height: float) -> bool:
    """Whether the first look left ink enough in `mask` for specks of two digits: two one-pixel strokes
    `height` (a share of the frame's) tall. Most blank pages and desks leave less; looking again at them
    would cost a first look or more (3 to 5 times, harder), for nothing."""
    return cv2.countNonZero(mask) >= 2 * height * mask.shape[0]


def _barely(detection: Detection) -> bool:
    """Whether the faintest digit found only just passed the frame's bars (BARELY)."""
    ink = detection.ink
    return ink is not None and min(passed_by(ink, detection.mask, box) for box in detection.found) < BARELY


def _more_of_it(found: list[Box], marks: list[Box], pairs: np.ndarray) -> bool:
    """Whether a harder look's writing (`marks`) is the first look's digits (`found`) and more: more marks,
    one over each digit found (one or more over a mark the network took for no one digit, `pairs`: digits run
    together that the lower bars part) and each near one of them (APART median heights). The first look found a
    piece of a faint sheet's writing, the stem of a 4 or one digit of a row. A sure mark far from what was found
    is as likely a desk's fleck, and two over one digit are its parts (a wide 2's loop read as a 0)."""
    if len(marks) <= len(found):
        return False
    reach = APART * float(np.median([mark[3] for mark in marks]))
    over = [sum(overlaps(box, mark) for mark in marks) for box in found]
    return (all(count == 1 or (count > 1 and pair) for count, pair in zip(over, pairs))
            and all(isolation(found + [mark])[-1] < reach for mark in marks))


def _fill_rows(grey: np.ndarray, classifier: Classifier, params: DetectParams, detection: Detection,
               probabilities: np.ndarray, lap: Callable[[str], None]) -> tuple[Detection, np.ndarray]:
    """A harder look's writing (`harder_writing`) when it is `_more_of_it`. Else `detection` and its
    `probabilities` with the marks of the harder look that stand in the rows of its digits
    (`regions.in_rows_of`) or in a row of the harder look's writing, ROW_LEAST long, that holds one of them,
    overlap none of them and that the network reads surely (SURE): a row's digit written a little fainter than
    the rest, or a line of which the first look found one digit (a doubted mark, or a sure one far off, kept the
    harder look from being taken whole). A sure mark beside one digit found is as likely a grid's corner.
    Several of them mostly 1s are a streaked desk's slivers instead (as in `second_look.sure_rows`). And digits
    found without their faint parts are taken whole (`_wholes`). The ink added comes from the harder look's
    mask."""
    again = detect(grey, params.harder_look(), lap)
    if not again.boxes:
        return detection, probabilities
    read = classifier.probabilities(again.crops)
    found = list(detection.found)
    writing = harder_writing(again.found, again.rows, read)
    if _more_of_it(found, [again.found[i] for i in writing], no_one_digit(probabilities)):
        return rebox(again, [again.found[i] for i in writing], grey.shape, params.min_stroke), read[writing]
    held = {j for j, mark in enumerate(again.found) if any(overlaps(mark, box) for box in found)}
    new = [int(i) for i in np.flatnonzero(read.max(axis=1) >= SURE) if i not in held]
    rows = (set(row).intersection(writing) for row in again.rows if held.intersection(row))
    lines = set().union(*(row for row in rows if len(row) >= ROW_LEAST))
    new = [i for i, rowed in zip(new, in_rows_of(found, [again.found[i] for i in new])) if rowed or i in lines]
    if len(new) > 1 and mostly_ones(read[new]):
        new = []  # slivers of a streaked desk, or the dashes of a rule, read as 1s
    whole = _wholes(found, probabilities, again.found, read)
    if not new and not whole:
        return detection, probabilities
    mask = detection.mask.copy()
    for i in new + list(whole.values()):
        x, y, w, h = again.found[i]
        cv2.bitwise_or(mask[y:y + h, x:x + w], again.mask[y:y + h, x:x + w], dst=mask[y:y + h, x:x + w])
    boxes = [again.found[whole[k]] if k in whole else box for k, box in enumerate(found)]
    detection = rebox(replace(detection, mask=mask), boxes + [again.found[i] for i in new], grey.shape,
                      params.min_stroke)
    changed = sorted(whole) + list(range(len(found), len(boxes) + len(new)))
    probabilities = np.concatenate([probabilities, np.zeros((len(new), probabilities.shape[1]), probabilities.dtype)])
    probabilities[changed] = classifier.probabilities(detection.crops[changed])
    return detection, probabilities


def _wholes(found: list[Box], probabilities: np.ndarray, marks: list[Box], read: np.ndarray) -> dict[int, int]:
    """Which digits `found` (read as `probabilities`) a harder look's mark holds whole, by index into `marks`
    (read as `read`): the one mark over the digit, over no other digit, holding its box (EDGE) and WHOLE times
    its area at least, that the network reads surely as another digit. The digit's faint parts had not passed:
    a 4 found by its stem alone is read as a 1, a 2 without its base as a 7."""
    whole = {}
    for k, box in enumerate(found):
        over = [j for j, mark in enumerate(marks) if overlaps(mark, box)]
        if len(over) != 1:
            continue
        j = over[0]
        x, y, w, h = marks[j]
        holds = (x <= box[0] + EDGE and y <= box[1] + EDGE and x + w >= box[0] + box[2] - EDGE
                 and y + h >= box[1] + box[3] - EDGE)
        if (holds and w * h >= WHOLE * box[2] * box[3] and sum(overlaps(marks[j], other) for other in found) == 1
                and float(read[j].max()) >= SURE and int(read[j].argmax()) != int(probabilities[k].argmax())):
            whole[k] = j
    return whole
