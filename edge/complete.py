"""Finish each digit's strokes with a threshold set by that digit's own ink.

The frame-wide thresholds must keep grain, grids and noise out, so a faint pencil digit, a digit in shade or
one on squared paper comes through with gaps: only its darkest parts pass. Once a digit is known to be there,
its own strokes say how dark its ink is, and around it every pixel at least a share as dark, not a line's and
above the noise floor, that joins the pieces already found is the rest of it (looked for again around what was
found, when that reaches the edge of the look).
A digit written fainter than the rest of its row (the pen pressed lightly, or running dry) may not pass the
frame's thresholds at all: the writing's own darkness raises them against print. So a row's ends and wide
gaps are searched for a stroke nearly a digit tall and nearly as dark as the row's ink (its dots joined:
so faint a stroke comes through the noise in dots), which is then finished like a loose piece.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import cv2
import numpy as np

from edge.blobs import blobs
from edge.order import reading_rows
from edge.params import DetectParams
from edge.pen import darkest
from edge.regions import Box, beside, looks_like_digit, overlaps
from edge.segment import Ink

GROWTH = 2.0  # a finished digit is at most this many times the frame's median digit height, wide or tall
PAD = 0.5  # the look around a digit reaches this share of its box's longer side past the box
LOCAL = 0.35  # strokes are told from their ground within a window this share of the digit's height
LOOKS = 3  # a loose piece (or a digit found by a part) may be a small part of it: its look is widened up to
           # this many times
WHOLE = 0.6  # a loose piece finished to this share of the median digit height is a digit
CHAINED = 0.1  # a piece beside a digit adopted from the pieces is no sliver thinner than this share of the digit height
MISSED = 0.6  # a digit missed in a row is ink this share as dark as the row's digits at least ...
MISSED_TALL = 0.7  # ... in one stroke this share of their height at least, on the page ...
MISSED_REACH = 1.5  # ... within this many digit widths past the row's ends, or in a gap ...
MISSED_GAP = 0.8  # ... this many digit widths wide at least
DOTTED = 0.15  # ... its dots (a faint stroke through noise) joined across gaps this share of its least height


def complete(ink: Ink, boxes: list[Box], loose: Sequence[Box] = (),
             params: DetectParams = DetectParams()) -> tuple[np.ndarray, list[Box]]:
    """The mask with every digit's faint stroke parts joined in, and the boxes grown to hold them.

    Each `loose` piece (see `regions.candidates`) beside a digit is finished the same way after the digits,
    and becomes a digit when it grows to about a digit's height (a faint row's end, piece by piece); so does
    a stroke found where a row may hold a digit too faint for the frame's thresholds (`_missed`)."""
    mask = ink.mask.copy()
    if not boxes:
        return mask, []
    typical = float(np.median([b[3] for b in boxes]))
    shade = _shade(ink, typical)
    grown: list[Box] = []
    for i, box in enumerate(boxes):
        finished = _finish(ink, mask, boxes, i, typical, shade, params)
        for _ in range(LOOKS - 1):  # strokes running on past the look: look again around what it found
            if finished is None or not _runs_on(finished, mask.shape):
                break
            wider = _finish(ink, mask, boxes[:i] + [finished.box] + boxes[i + 1:], i, typical, shade, params)
            if wider is None:
                break
            finished = wider
        grown.append(_apply(mask, finished) if finished else box)
    tried: set[Box] = set()
    fresh = boxes  # a piece beside a digit adopted from the pieces is in the row too: the next round tries it
    while fresh:
        near = [piece for piece, by in zip(loose, beside(loose, fresh, over=fresh is boxes))
                if by and piece not in tried and (fresh is boxes or min(piece[2:]) >= CHAINED * typical)]
        tried.update(near)
        fresh = []
        for piece in near:
            if not any(overlaps(piece, box) for box in grown):
                adopted = _adopt(ink, mask, grown, piece, typical, shade, params)  # else a piece of a finished digit
                if adopted is not None:
                    grown.append(adopted)
                    fresh.append(adopted)
    for piece, stroke in _missed(ink, mask, grown):
        if not any(overlaps(piece, box) for box in grown):
            x, y, w, h = piece
            window = mask[y:y + h, x:x + w]
            before = window.copy()
            cv2.bitwise_or(window, stroke, dst=window)
            adopted = _adopt(ink, mask, grown, piece, typical, shade, params)
            if adopted is None:
                mask[y:y + h, x:x + w] = before
            else:
                grown.append(adopted)
    return mask, grown


def _missed(ink: Ink, mask: np.ndarray, boxes: list[Box]) -> list[tuple[Box, np.ndarray]]:
    """Where each row of two digits or more may hold one more, too faint for the frame's thresholds: the
    tallest stroke at its ends and in its wide gaps that is nearly as dark as its digits, on the page and on
    no line; its box, and its pixels (255) in that box."""
    height, width = mask.shape
    found = []
    for row in reading_rows(boxes):
        if len(row) < 2:
            continue
        digits = [boxes[i] for i in row]
        tall, wide = sorted(b[3] for b in digits)[len(row) // 2], sorted(b[2] for b in digits)[len(row) // 2]
        x0, y0 = min(b[0] for b in digits), min(b[1] for b in digits)
        row_box = (x0, y0, max(b[0] + b[2] for b in digits) - x0, max(b[1] + b[3] for b in digits) - y0)
        level = MISSED * darkest(ink, mask, row_box)  # the row's ink, as a share of its paper
        reach = int(MISSED_REACH * wide) + 1
        first, last = digits[0], digits[-1]
        spans = [(first[0] - reach, first[0], first), (last[0] + last[2], last[0] + last[2] + reach, last)]
        spans += [(a[0] + a[2], b[0], a) for a, b in zip(digits, digits[1:])
                  if b[0] - (a[0] + a[2]) >= MISSED_GAP * wide]
        for left, right, beside in spans:
            x0, x1 = max(0, left), min(width, right)
            y0, y1 = max(0, beside[1] - tall // 4), min(height, beside[1] + beside[3] + tall // 4)
            stroke = _tallest_stroke(ink, (x0, y0, x1, y1), level, MISSED_TALL * tall) if x1 > x0 else None
            if stroke is not None:
                found.append(stroke)
    return found


def _tallest_stroke(ink: Ink, window: tuple[int, int, int, int], level: float,
                    least: float) -> tuple[Box, np.ndarray] | None:
    """In `window` (x0, y0, x1, y1), the tallest blob of pixels at least `level` dark as a share of their
    paper (0-255), above the noise floor, on the page and on no line, its dots joined across small gaps: its
    box and pixels; None unless it is `least` pixels tall at least."""
    x0, y0, x1, y1 = window
    size = (x1 - x0, y1 - y0)
    low = (slice(y0 // ink.step, -(-y1 // ink.step)), slice(x0 // ink.step, -(-x1 // ink.step)))  # at 1/step
    if int(ink.need[low].max()) * 255 <= level * int(ink.paper[(y0 + y1) // 2, (x0 + x1) // 2]):
        return None  # ink this dark passed the frame's threshold here: what it let through is all there is
    darker = ink.darker[y0:y1, x0:x1]
    dark = cv2.compare(cv2.divide(darker, ink.paper[y0:y1, x0:x1], scale=255), level, cv2.CMP_GE)
    above_noise = cv2.compare(darker, cv2.resize(ink.quiet[low], size, interpolation=cv2.INTER_NEAREST), cv2.CMP_GT)
    on_page = cv2.compare(cv2.resize(ink.need[low], size, interpolation=cv2.INTER_NEAREST), 255, cv2.CMP_LT)
    off_lines = cv2.bitwise_not(ink.lines[y0:y1, x0:x1])
    seeds = cv2.bitwise_and(cv2.bitwise_and(dark, above_noise), cv2.bitwise_and(on_page, off_lines))
    if cv2.countNonZero(seeds) < least:  # too few pixels for a stroke that tall
        return None
    # A stroke this faint comes through the noise as dots, a few pixels apart: they are joined to measure it
    # (and only the dots are its pixels).
    gap = int(DOTTED * least)
    joined = seeds if gap < 2 else cv2.morphologyEx(
        seeds, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (3, gap)))
    _, labels, stats = blobs(joined)
    tallest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_HEIGHT]))
    bx, by, bw, bh = (int(v) for v in stats[tallest, :4])
    if bh < least:
        return None
    part = (slice(by, by + bh), slice(bx, bx + bw))
    stroke = cv2.bitwise_and(cv2.compare(labels[part], float(tallest), cv2.CMP_EQ), seeds[part])
    return (x0 + bx, y0 + by, bw, bh), stroke


def _adopt(ink: Ink, mask: np.ndarray, digits: list[Box], piece: Box, typical: float, shade: np.ndarray,
           params: DetectParams) -> Box | None:
    """The loose `piece` finished into a digit, joined into `mask` (in place), and its box; None (and the
    mask as it was) when it does not grow into something that looks like a digit."""
    finished, box = None, piece
    for _ in range(LOOKS):  # each look reaches PAD past what the last one found
        bigger = _finish(ink, mask, digits + [box], len(digits), typical, shade, params)
        if bigger is None or bigger.box == box:
            break
        finished, box = bigger, bigger.box
    if finished is None:
        return None
    x0, y0 = finished.origin
    window = (slice(y0, y0 + finished.digit.shape[0]), slice(x0, x0 + finished.digit.shape[1]))
    before = mask[window].copy()
    if looks_like_digit(mask, _apply(mask, finished), WHOLE * typical, typical, params):
        return finished.box
    mask[window] = before
    return None


def _runs_on(finished: _Finished, shape: tuple[int, ...]) -> bool:
    """Whether a finished digit reaches the edge of the window looked at, inside the frame: its strokes may go
    on past it (a 6's faint stem found by its top, its loop further down than a look reaches)."""
    x0, y0 = finished.origin
    wh, ww = finished.digit.shape
    x, y, w, h = finished.box
    return ((x == x0 and x0 > 0) or (y == y0 and y0 > 0) or (x + w == x0 + ww and x0 + ww < shape[1])
            or (y + h == y0 + wh and y0 + wh < shape[0]))


class _Finished(NamedTuple):
    """A digit's strokes, finished: its box in the frame, and its pixels in the window looked at."""

    box: Box
    origin: tuple[int, int]  # the window's top left corner, x and y
    digit: np.ndarray        # 255 = the digit's pixels in the window, found and finished


def _apply(mask: np.ndarray, finished: _Finished) -> Box:
    """Join the finished digit into `mask` (in place); its box."""
    x0, y0 = finished.origin
    window = mask[y0:y0 + finished.digit.shape[0], x0:x0 + finished.digit.shape[1]]
    cv2.bitwise_or(window, finished.digit, dst=window)
    return finished.box


def _shade(ink: Ink, typical: float) -> np.ndarray:
    """How much darker than the frame's paper estimate the ground is, at 1/step of the frame's size: the
    darkness opened by a square wider than a stroke. Mostly nothing (the ground is the paper): then no digit
    needs its own, full-size look at the ground."""
    side = max(1, int(LOCAL * typical / ink.step))
    return cv2.morphologyEx(ink.coarse, cv2.MORPH_OPEN, np.ones((side, side), np.uint8))


def _finish(ink: Ink, mask: np.ndarray, boxes: list[Box], i: int, typical: float, shade: np.ndarray,
            params: DetectParams) -> _Finished | None:
    """Digit `i` with its faint parts joined to the pieces found in `mask`; None when it is left as found.

    `typical` is the frame's median digit height: a piece of a digit looks as far around it as a whole one.
    `shade` is `_shade`'s map."""
    x, y, w, h = boxes[i]
    height, width = mask.shape
    pad = math.ceil(PAD * max(w, h, typical))
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(width, x + w + pad), min(height, y + h + pad)
    found = mask[y0:y1, x0:x1]
    inner = (slice(y - y0, y - y0 + h), slice(x - x0, x - x0 + w))  # the box, in the window
    if cv2.countNonZero(found[inner]) == 0:
        return None
    darker = ink.darker[y0:y1, x0:x1]
    level = _median(darker[inner], found[inner])  # the digit's ink
    centre = (min((y + h // 2) // ink.step, ink.need.shape[0] - 1),
              min((x + w // 2) // ink.step, ink.need.shape[1] - 1))
    if params.stroke_share * level >= ink.need[centre]:
        return None  # ink this dark passed the frame's threshold whole: nothing to finish
    # Against the ground right around the strokes, not the frame's paper estimate: in a shadow narrower than
    # that estimate's window the whole shadow looks dark, the strokes only a little darker than it. And as a
    # share of that ground: light is multiplicative, a stroke running into shade keeps its share, not its
    # grey levels.
    side = 2 * int(LOCAL * max(h, typical) / 2) + 1
    low = (slice(y0 // ink.step, -(-y1 // ink.step)), slice(x0 // ink.step, -(-x1 // ink.step)))  # at 1/step
    quiet = ink.quiet[low]
    if shade[low].max() > quiet.min():
        ground = cv2.morphologyEx(darker, cv2.MORPH_OPEN, np.ones((side, side), np.uint8))
    else:
        ground = np.zeros_like(darker)
    stroke = cv2.subtract(darker, ground)
    share = cv2.divide(stroke, cv2.subtract(ink.paper[y0:y1, x0:x1], ground), scale=255)
    level = _median(share[inner], found[inner])
    faint = cv2.bitwise_and(
        cv2.compare(stroke, cv2.resize(quiet, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST), cv2.CMP_GT),
        cv2.compare(share, min(255.0, params.stroke_share * level), cv2.CMP_GT))
    open_ground = cv2.bitwise_not(ink.lines[y0:y1, x0:x1])  # neither a line's pixels ...
    for j, (ox, oy, ow, oh) in enumerate(boxes):  # ... nor another digit's box: no growing into a neighbour
        if j != i and ox < x1 and oy < y1 and ox + ow > x0 and oy + oh > y0:
            open_ground[max(oy, y0) - y0:min(oy + oh, y1) - y0, max(ox, x0) - x0:min(ox + ow, x1) - x0] = 0
    open_ground[y - y0:y - y0 + h, x - x0:x - x0 + w] = cv2.bitwise_not(ink.lines[y:y + h, x:x + w])
    candidate = cv2.bitwise_and(cv2.bitwise_or(found, faint), open_ground)
    _, labels = cv2.connectedComponents(candidate, connectivity=8)
    digit = np.zeros_like(found)
    for label in np.flatnonzero(np.bincount(labels[inner][found[inner] > 0])):  # the pieces found: one to a few
        cv2.bitwise_or(digit, cv2.compare(labels, float(label), cv2.CMP_EQ), dst=digit)
    bx, by, bw, bh = cv2.boundingRect(digit)
    if max(bw, bh) > GROWTH * typical:
        return None  # it ran into a grid, a rule or grain that is no part of it
    return _Finished((x0 + bx, y0 + by, bw, bh), (x0, y0), digit)


def _median(image: np.ndarray, where: np.ndarray) -> float:
    """The median (the upper one of an even count) of uint8 `image` over the pixels of `where`, from a
    histogram: a sort of the values costs more."""
    histogram = cv2.calcHist([image], [0], where, [256], [0, 256]).ravel()
    return float(np.searchsorted(np.cumsum(histogram), int(histogram.sum()) // 2, side="right"))
