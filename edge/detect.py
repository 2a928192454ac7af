"""Grey frame -> digit boxes, MNIST-like crops and reading order: the whole pixel pipeline in one call.

The frame is first brought to a bounded analysis size (a 10000x10000 scan costs one cheap downscale, a 28x28
Paint digit is enlarged so the morphology has room), then segmented, split into digit boxes, normalised and
ordered. Boxes come back in the input image's pixels.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from edge.normalise import SIDE, crops as mnist_crops
from edge.order import reading_rows
from edge.params import DetectParams
from edge.regions import Box, beside, candidates, cut_off, speckled, within
from edge.complete import complete
from edge.even import even
from edge.grain import wood_grain
from edge.level import turned
from edge.pen import same_pen
from edge.printed import darker_than_print
from edge.segment import Ink, find_ink
from edge.sharp import sharp
from edge.step import off_edges
from edge.streak import off_lines

__all__ = ["DetectParams", "Detection", "analysis_frame", "detect", "rebox", "debug_images"]

TILE_ZOOM = 4      # debug crops are shown 4x, one pixel per MNIST pixel is too small to judge
TILE_COLUMNS = 10
SAMPLE = 4         # a drawing is told by every 4th pixel of every 4th row (a share needs no more) ...
DRAWN = 0.55       # an image this much of one exact grey is a drawing (a photo's blown-out paper reached 0.55) ...
FRINGE = 3         # ... with few pixels this close to that grey, but not it ...
FRINGED = 0.15     # ... this share of that grey's count at most (drawings, even saved as JPEG at quality 75: 0.07;
                   #     a photo's paper blown out to one grey has its unclipped parts just below it: 0.19 to 0.31)
BORDERED = 0.75    # ... and that grey (or one FRINGE from it) all round its border, this share of it at least (a
                   #     photo of paper hard clipped to white has the desk beside the sheet there: 0.23 to 0.58)
LIGHT_CANVAS = 128  # a canvas darker than this grey is written on in light ink
WHOLE = 1.0        # ... and its paper's brightness is judged over all of it (a share of its height)


@dataclass(frozen=True, eq=False)
class Detection:
    """What the pixel pipeline found in one frame."""

    mask: np.ndarray                       # uint8 ink mask at analysis resolution, 255 = ink
    boxes: list[Box]                       # (x, y, w, h) in the input image's pixels
    crops: np.ndarray                      # (N, 28, 28) float32 in [0, 1], ink bright, one per box
    rows: list[list[int]] = field(default_factory=list)  # indices into boxes, in reading order
    scale: float = 1.0                     # input pixels per analysis pixel
    found: list[Box] = field(default_factory=list)  # the boxes in analysis pixels (the mask's)
    loose: list[Box] = field(default_factory=list)  # pieces of ink beside them no digit took (analysis pixels)
    photo: bool = True                     # False for a drawing or a tight crop (DetectParams.photo)
    ink: Ink | None = None                 # the frame's ink before it was judged (segment.find_ink)
    turned: float = 0.0                    # degrees the frame was turned level before it was analysed
                                           # (`edge.level`): all but `boxes` are the level frame's

    @property
    def darker(self) -> np.ndarray | None:
        """uint8, the mask's size: how much darker than its paper each pixel is."""
        return None if self.ink is None else self.ink.darker


def analysis_frame(grey: np.ndarray, params: DetectParams) -> np.ndarray:
    """`grey` resized so its longer side is at most analysis_width and its shorter at least min_analysis_side."""
    height, width = grey.shape
    factor = max(max(height, width) / params.analysis_width, 1.0)
    if min(height, width) < params.min_analysis_side:
        factor = max(min(height, width) / params.min_analysis_side, max(height, width) / params.analysis_width)
    if factor == 1.0:
        return grey
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    if factor < 1.0:
        return cv2.resize(grey, size, interpolation=cv2.INTER_LINEAR)
    whole = int(factor)
    if whole >= 2:  # integer area reduction is OpenCV's fast path; the fractional rest then costs little
        grey = cv2.resize(grey, (max(1, width // whole), max(1, height // whole)), interpolation=cv2.INTER_AREA)
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def detect(grey: np.ndarray, params: DetectParams = DetectParams(),
           lap: Callable[[str], None] = lambda stage: None, ink: Ink | None = None) -> Detection:
    """Find every digit in a uint8 grey frame of any size; `lap` marks the end of segment and normalise.
    `ink` is an earlier look's at this frame (`Detection.ink`), reused when `params` keep its ink bars."""
    if grey.ndim != 2 or grey.dtype != np.uint8 or grey.size == 0:
        raise ValueError(f"expected a non-empty uint8 grey image, got {grey.dtype} {grey.shape}")
    frame = analysis_frame(grey, params)
    canvas = _canvas(frame)
    if frame.shape[0] > grey.shape[0] or canvas is not None:  # a tight crop enlarged, or a drawing
        # No desk to tell from the paper, no frame edge cutting a digit off, and a digit that fills the
        # frame would read as texture.
        params = replace(params, texture_factor=0.0, photo=False)
    if canvas is not None:
        # A canvas says which grey is paper: a thick 0 filling most of it outvoted the canvas, and its hole
        # was read as light ink. And it is one grey, unlit: its paper is judged over the whole of it, or a
        # thick brush's blob wider than a photo's paper window is taken for paper and hollowed out.
        light = canvas < LIGHT_CANVAS if params.light_ink is None else params.light_ink
        params = replace(params, light_ink=light, background_window=WHOLE)
    ink, mask, boxes, loose = _find(frame, params, ink)
    lap("segment")
    empty = Detection(mask, [], np.zeros((0, SIDE, SIDE), np.float32), scale=grey.shape[1] / frame.shape[1],
                      photo=params.photo, ink=ink, loose=loose)
    detection = rebox(empty, boxes, grey.shape, params.min_stroke)
    lap("normalise")
    return detection


def _find(frame: np.ndarray, params: DetectParams,
          ink: Ink | None = None) -> tuple[Ink, np.ndarray, list[Box], list[Box]]:
    """The ink of an analysis frame (`ink`, when already found), its mask with faint strokes finished, the
    digit boxes in it (none when they are a wood desk's streaks) and the loose pieces beside them that no
    digit took."""
    ink = find_ink(frame, params) if ink is None else ink
    boxes, loose = candidates(ink.mask, params)
    mask, boxes = complete(ink, boxes, loose, params)
    if params.photo:  # a digit finished out to the frame's edge goes on beyond it, out of view; a noisy
        # patch finished shows its grains
        boxes = [box for box in boxes if not cut_off(box, mask.shape)
                 and not (params.grains_apart and speckled(mask, box))]
    boxes = same_pen(ink, mask, boxes)
    if params.photo:  # ... and a soft blob (a noise pattern's, a shadow's core), a sheet's edge on a desk, a
        # lump (a stone desk's fleck, a blot) or a piece of faint print: a drawing has none of them
        boxes = sharp(ink, mask, boxes)
        boxes = off_edges(cv2.bitwise_not(frame) if ink.light else frame, mask, boxes)  # paper bright, as step expects
        boxes = even(mask, boxes)
        boxes = off_lines(ink.darker, mask, boxes)
        if params.print_apart:
            boxes = darker_than_print(ink.darker, ink.lines, mask, boxes)
    if params.photo and wood_grain(ink, boxes):
        return ink, mask, [], []
    return ink, mask, boxes, [piece for piece, by, held in zip(loose, beside(loose, boxes), within(loose, boxes))
                              if by and not held]


def _canvas(frame: np.ndarray) -> int | None:
    """The grey of a drawing's canvas; None for a photo. A drawing has most of it one exact grey (a program's
    blank canvas; a camera's paper always varies a little), hardly a pixel of the greys beside it (a camera's
    paper blown out to one grey is not all blown out) and that grey all round the border (a sheet clipped
    hard to white lies on a desk, which reaches the frame's edge)."""
    sample = np.ascontiguousarray(frame[::SAMPLE, ::SAMPLE])
    histogram = cv2.calcHist([sample], [0], None, [256], [0, 256]).ravel()
    canvas = int(histogram.argmax())
    fringe = float(histogram[max(0, canvas - FRINGE):canvas + FRINGE + 1].sum() - histogram[canvas])
    if float(histogram[canvas]) < DRAWN * sample.size or fringe > FRINGED * float(histogram[canvas]):
        return None
    border = np.concatenate([frame[0], frame[-1], frame[1:-1, 0], frame[1:-1, -1]])
    bordered = cv2.countNonZero(cv2.inRange(border, canvas - FRINGE, canvas + FRINGE)) >= BORDERED * border.size
    return canvas if bordered else None


def rebox(detection: Detection, found: list[Box], shape: tuple[int, int], min_stroke: float) -> Detection:
    """`detection` with its digits at `found` (analysis pixels): their boxes in the input image's pixels
    (`shape`), crops and reading order worked out for them."""
    sx, sy = shape[1] / detection.mask.shape[1], shape[0] / detection.mask.shape[0]
    return replace(detection, found=list(found), boxes=[_to_input(b, sx, sy, shape) for b in found],
                   crops=mnist_crops(detection.mask, found, min_stroke, detection.darker), rows=reading_rows(found))


def _to_input(box: Box, sx: float, sy: float, shape: tuple[int, int]) -> Box:
    """An analysis-pixel box as the input-pixel box that covers it."""
    x, y, w, h = box
    left, top = math.floor(x * sx), math.floor(y * sy)
    right, bottom = min(shape[1], math.ceil((x + w) * sx)), min(shape[0], math.ceil((y + h) * sy))
    return left, top, max(1, right - left), max(1, bottom - top)


def debug_images(grey: np.ndarray, detection: Detection, dropped: Sequence[Box] = (),
                 min_stroke: float = DetectParams.min_stroke) -> dict[str, np.ndarray]:
    """Pictures for --debug-dir: the mask, the boxes over the frame, and the crops the network sees.

    `dropped` (analysis pixels, as `Result.dropped`) are marks the network read but that were taken for no
    writing (the frame's marks mostly doubted, or a doubted one standing apart): they are boxed in red and
    their crops shown below the others, so that a sheet read as empty still shows what was found on it and
    how it looked to the network.
    """
    mask = detection.mask
    if detection.turned:  # the pictures are of the frame that was analysed: turned level
        grey = turned(grey, detection.turned)[0]
    frame = cv2.resize(grey, (mask.shape[1], mask.shape[0]), interpolation=cv2.INTER_AREA)
    boxes = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    thickness = max(1, round(mask.shape[0] / 320))
    font = max(0.35, mask.shape[0] / 800)
    marked = [((x, y, x + w, y + h), str(i), (0, 200, 0)) for i, (x, y, w, h) in enumerate(detection.found)]
    marked += [((x, y, x + w, y + h), f"x{i}", (0, 0, 230)) for i, (x, y, w, h) in enumerate(dropped)]
    for (x0, y0, x1, y1), label, colour in marked:
        cv2.rectangle(boxes, (x0, y0), (x1, y1), colour, thickness)
        cv2.putText(boxes, label, (x0, max(y0 - 3, 10)), cv2.FONT_HERSHEY_SIMPLEX, font, (0, 0, 230),
                    thickness, cv2.LINE_AA)
    sheets = [tile(detection.crops)]
    if dropped:
        sheets.append(tile(mnist_crops(mask, list(dropped), min_stroke, detection.darker)))
    width = max(sheet.shape[1] for sheet in sheets)
    gap = np.zeros((TILE_ZOOM * 2, width), np.uint8)  # a black band between the digits and the dropped marks
    widened = [np.pad(sheet, ((0, 0), (0, width - sheet.shape[1])), constant_values=96) for sheet in sheets]
    return {"mask": mask, "boxes": boxes, "crops": np.vstack([part for sheet in widened for part in (gap, sheet)][1:])}


def tile(crops: np.ndarray) -> np.ndarray:
    """The crops side by side (ten to a row), enlarged, with a grey grid between them; uint8."""
    cell = SIDE * TILE_ZOOM
    count = len(crops)
    columns = max(1, min(TILE_COLUMNS, count))
    rows = max(1, -(-count // TILE_COLUMNS))
    sheet = np.full((rows * (cell + 1) + 1, columns * (cell + 1) + 1), 96, np.uint8)
    for i, crop in enumerate(crops):
        r, c = divmod(i, TILE_COLUMNS)
        big = cv2.resize((np.clip(crop, 0, 1) * 255).astype(np.uint8), (cell, cell),
                         interpolation=cv2.INTER_NEAREST)
        sheet[1 + r * (cell + 1):1 + r * (cell + 1) + cell, 1 + c * (cell + 1):1 + c * (cell + 1) + cell] = big
    return sheet
