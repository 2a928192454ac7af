"""Grey frame -> ink mask: which pixels are writing, under uneven light, shadows and any stroke width.

Lighting is multiplicative and slow; ink is a thin, sharp, minority feature. So the paper's brightness is
estimated per pixel (a closing at low resolution: it erases every stroke narrower than its window, follows
gradients, and keeps the step of a shadow's or a sheet's edge), and a pixel is ink when it is darker than that
estimate by a share of it (shadows), by a few grey levels (blank paper) and by a multiple of the frame's noise
(sensor noise, JPEG). Pixels of lower contrast that touch ink are then grown in, so a blurred pen stroke is
as solid as a marker's. Light writing on a dark ground is found the same way after inverting the frame.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge.blobs import blobs
from edge.lines import split_lines
from edge.page import page_region, quantile
from edge.params import DetectParams

POLARITY_CONTRAST = 0.25  # only marks this far from their ground (a share of it) vote on the polarity
POLARITY_MARGIN = 2.0     # light writing must outvote dark by this factor ...
POLARITY_LEAST = 4.0      # ... and by at least this many low-resolution pixels' full departure
LIGHT_ONLY = 20.0         # light departures this many times the dark ones, and ...
LIGHT_SOME = 0.2          # ... this many pixels' full departure at least, are a hint of light writing (when
                          #     no mark departs POLARITY_CONTRAST, those departing ink_contrast say so)
SHADE_SOLID = 0.7  # a shadow (of an arm, a phone) fills this share of its convex hull at least ...
SHADE_LONG = 2.5   # ... is this many times as long as it is wide ...
SHADE_EDGE = 0.1   # ... it comes within this share of the frame's height of the frame's edge ...
SHADE_MOST = 0.35  # ... and all shadows narrower than the paper estimate's window this share of the frame at most
DIM_SHARE = 0.8  # in shade, ink is darker than its ground by this share of the page's writing's contrast
GROW_STEPS = 4  # pixels a stroke may grow into its lower-contrast edge; enough to bridge short faint gaps
CLEAN = 0.3     # a frame whose median darkness is under this share of the ink floor is clean paper overall: a
                # camera's noise and the paper's grain (5-7 grey levels) stay under it, a desk's grain does not


@dataclass(frozen=True, eq=False)
class Ink:
    """The ink mask and what a later, per-digit look needs to finish faint strokes (all uint8)."""

    mask: np.ndarray     # 255 = ink, lines and sheet edges removed
    darker: np.ndarray   # how much darker than its paper each pixel is
    paper: np.ndarray    # the paper's brightness estimate at each pixel
    lines: np.ndarray    # 255 = pixels of ruled lines, grids, margins and sheet edges (the faint dashes too)
    need: np.ndarray     # darkness a pixel needed to be ink on its own, at 1/step of the frame's size ...
    quiet: np.ndarray    # ... and the darkness that noise and a blank page never reach, likewise ...
    coarse: np.ndarray   # ... and `darker`, likewise
    step: int
    light: bool = False       # the frame was turned over for this: its ink is lighter than its ground
    light_hint: bool = False  # the frame was taken as dark ink, but its few marks that vote are nearly all
                              # lighter than their ground (`light_votes`): small light writing, maybe


def ink_mask(grey: np.ndarray, params: DetectParams = DetectParams()) -> np.ndarray:
    """uint8 mask, 255 = ink, same shape as `grey` (uint8 2-D), ruled lines and sheet edges removed."""
    return find_ink(grey, params).mask


def find_ink(grey: np.ndarray, params: DetectParams = DetectParams()) -> Ink:
    """The ink of a uint8 grey frame, with its darkness map, noise floor and the line pixels removed."""
    _check(grey)
    height, width = grey.shape
    size = (width, height)
    step = _step(grey.shape, params.background_step)
    small = cv2.resize(grey, (-(-width // step), -(-height // step)), interpolation=cv2.INTER_AREA)
    light_ink, hint = _polarity(small, params)
    if light_ink:
        grey, small = cv2.bitwise_not(grey), cv2.bitwise_not(small)
    wide = paper_brightness(small, params.background_window)
    closed = paper_in_shade(small, wide, params) if params.photo else wide  # a drawing has no shadows
    # Every threshold is smooth, so it is worked out at low resolution and only then enlarged.
    noise = noise_level(grey, small.shape, params)
    coarse = cv2.subtract(closed, small)
    bright = quantile(closed, None, 0.95)  # the page's paper
    # The page is told from the desk by the wide estimate: it keeps a sheet's edge as one step.
    wide_coarse = coarse if closed is wide else cv2.subtract(wide, small)  # no shadow followed: the same
    page = page_region(wide, wide_coarse, bright, params) if params.photo else np.ones_like(closed)
    ground = np.where(page > 0, closed, np.uint8(bright))  # the page's paper, in its shade too; not the desk's
    bar = cv2.max(texture_level(coarse, ground, params), edge_level(closed, params))
    dim = dim_ground(closed, bright, params)
    off_page = (1 - page) * np.uint8(255)  # no ink can pass off the page
    strong_bar = cv2.max(cv2.max(bar, off_page),
                         cv2.max(cv2.convertScaleAbs(noise, alpha=params.noise_factor),
                                 _threshold(closed, params.ink_contrast, params.ink_floor)))
    weak_bar = cv2.max(cv2.max(bar, cv2.convertScaleAbs(noise, alpha=0.6 * params.noise_factor)),
                       _threshold(closed, params.grow_contrast, params.ink_floor / 2))
    paper = cv2.resize(closed, size, interpolation=cv2.INTER_LINEAR)
    darker = cv2.subtract(paper, grey)
    weak = cv2.compare(darker, cv2.resize(weak_bar, size, interpolation=cv2.INTER_LINEAR), cv2.CMP_GT)
    faint = weak
    # How dark the writing is, from every other pixel of every other row. Only marks on the page's own
    # ground count: a dark, grainy desk has darker specks.
    sampled = np.ascontiguousarray(darker[::2, ::2])
    half = (sampled.shape[1], sampled.shape[0])
    on_page = cv2.resize(np.where(dim == 0, strong_bar, np.uint8(255)), half, interpolation=cv2.INTER_NEAREST)
    marks = cv2.compare(sampled, on_page, cv2.CMP_GT)
    share = ink_share(sampled, np.ascontiguousarray(paper[::2, ::2]), marks)
    # Writing in shade keeps its contrast (light is multiplicative): where the page's own writing is fainter
    # than dim_contrast asks, the same pen in a shadow on it is asked for nearly its own contrast only.
    shade = params.dim_contrast if share == 0 else min(params.dim_contrast,
                                                       max(params.ink_contrast, DIM_SHARE * share))
    strong_bar = cv2.max(strong_bar, dim_level(closed, dim, shade))
    contrast = params.relative_contrast * share
    if contrast > params.ink_contrast:
        # Writing this dark: anything much fainter is print (rules, a grid) or paper grain, not ink.
        strong_bar = cv2.max(strong_bar, cv2.convertScaleAbs(closed, alpha=contrast))
        grow = contrast * params.grow_contrast / params.ink_contrast
        weak = cv2.bitwise_and(weak, cv2.compare(darker, cv2.convertScaleAbs(paper, alpha=grow), cv2.CMP_GT))
    need = strong_bar
    mask = cv2.compare(darker, cv2.resize(strong_bar, size, interpolation=cv2.INTER_LINEAR), cv2.CMP_GT)
    _grow(mask, weak)
    clean, lines = split_lines(mask, params, faint=faint, darkness=(darker, paper), beyond=off_page,
                               page=cv2.boundingRect(page)[3] * step or None)
    quiet = cv2.max(cv2.convertScaleAbs(noise, alpha=0.6 * params.noise_factor),
                    np.full_like(noise, int(params.ink_floor / 2)))
    return Ink(clean, darker, paper, lines, need, quiet, coarse, step, light=light_ink, light_hint=hint)


def _grow(mask: np.ndarray, weak: np.ndarray) -> None:
    """Grow `mask` (in place) GROW_STEPS pixels into `weak`, step by step, within the ink's bounding box."""
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0:
        return
    rows = slice(max(0, y - GROW_STEPS), y + h + GROW_STEPS)
    columns = slice(max(0, x - GROW_STEPS), x + w + GROW_STEPS)
    grown, allowed = mask[rows, columns], weak[rows, columns]
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    for _ in range(GROW_STEPS):
        grown = cv2.bitwise_and(cv2.dilate(grown, cross), allowed)
    mask[rows, columns] = grown


def ink_share(darker: np.ndarray, paper: np.ndarray, strong: np.ndarray) -> float:
    """How dark the darkest writing is, as a share of its paper: the 90th percentile over the ink.

    Stroke cores are the darkest tenth of any writing; a percentile, not the maximum, so a few dark specks
    or a pen lying on the page do not set it.
    """
    if not cv2.countNonZero(strong):
        return 0.0
    return quantile(cv2.divide(darker, paper, scale=255), strong, 0.9) / 255


def _polarity(small: np.ndarray, params: DetectParams) -> tuple[bool, bool]:
    """Whether the 1/step frame's ink is light, lighter than its ground (a screen, an inverted whiteboard
    photo): `params.light_ink`, else the vote of `light_votes`; and, when the vote keeps it dark, whether its
    marks hint at light writing all the same (`Ink.light_hint`). Dark ink on paper is the rule: only clear
    evidence turns the frame over, not a faint tie between a small digit and a desk's light grain."""
    if params.light_ink is not None:
        return params.light_ink, False
    light, dark = light_votes(small, params)
    if light > POLARITY_MARGIN * dark and light > POLARITY_LEAST * 255:
        return True, False
    if light == dark == 0:
        # No mark departs that far from its ground: those departing as far as ink must vote, for the hint only.
        light, dark = light_votes(small, params, params.ink_contrast)
    return False, light > max(LIGHT_ONLY * dark, LIGHT_SOME * 255)


def light_votes(small: np.ndarray, params: DetectParams, contrast: float = POLARITY_CONTRAST) -> tuple[float, float]:
    """How far the 1/step frame's marks depart from their ground, summed: lighter, darker.

    The ground is what a wide local median sees; ink is the minority that departs from it. Whichever side
    departs more, summed over the frame, is the ink. Only pixels where the ground is flat vote: near the edge
    of a sheet on a desk the median is wrong on both sides, and a bright sheet's corners would outvote ink.
    """
    tiny = cv2.resize(small, (max(1, small.shape[1] // 4), max(1, small.shape[0] // 4)),
                      interpolation=cv2.INTER_AREA)
    window = _odd(params.polarity_window * tiny.shape[0], 3, 255)
    ground = cv2.medianBlur(tiny, window)
    reach = cv2.getStructuringElement(cv2.MORPH_RECT, (window, window))
    spread = cv2.morphologyEx(ground, cv2.MORPH_GRADIENT, reach, borderType=cv2.BORDER_REPLICATE)
    steep = cv2.compare(spread, _threshold(ground, params.ink_contrast, params.ink_floor), cv2.CMP_GT)
    size = (small.shape[1], small.shape[0])
    ground = cv2.resize(ground, size, interpolation=cv2.INTER_LINEAR)
    flat = cv2.bitwise_not(cv2.resize(steep, size, interpolation=cv2.INTER_NEAREST))
    bar = _threshold(ground, contrast, params.ink_floor)  # writing departs far; grain does not
    darker = cv2.subtract(cv2.subtract(ground, small), bar, mask=flat)
    lighter = cv2.subtract(cv2.subtract(small, ground), bar, mask=flat)
    return float(cv2.sumElems(lighter)[0]), float(cv2.sumElems(darker)[0])


def paper_brightness(small: np.ndarray, window_share: float) -> np.ndarray:
    """The paper's brightness at every pixel of the 1/step frame `small`.

    A closing wider than any stroke fills the strokes in with the paper around them; unlike a blur it keeps
    the hard edge of a shadow or of the sheet, so neither reads as ink.
    """
    window = _odd(window_share * small.shape[0], 3, 255)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (window, window))
    # The frame's edge is not the paper's: pad by replicating it once, so a strip of desk along the border
    # counts as a wide dark area (kept dark), not as a narrow one between paper and nothing (filled in).
    pad = window // 2 + 1
    padded = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, kernel)
    return closed[pad:-pad, pad:-pad]


def paper_in_shade(small: np.ndarray, wide: np.ndarray, params: DetectParams) -> np.ndarray:
    """The paper's brightness `wide` (paper_brightness at background_window) with narrow shadows followed.

    The wide closing fills any dark area narrower than its window with the paper around it, so inside the
    shadow of an arm or a phone every pixel looks like ink, or, judged as texture, none does. A narrow closing
    follows such a shadow, but also fills a marker's thick junctions with their own ink; so it is used only
    where it is much darker than the wide one over an area far larger than any digit's stroke.
    """
    if params.shade_window <= 0:
        return wide
    near = paper_brightness(small, params.shade_window)
    deep = cv2.compare(cv2.subtract(wide, near), cv2.convertScaleAbs(wide, alpha=params.shade_depth), cv2.CMP_GT)
    count, labels, stats = blobs(deep)
    wide_enough = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] >= params.shade_area * deep.size) + 1
    shade = np.zeros(count, bool)
    cast = [i for i in wide_enough if _from_outside(stats[i], deep.shape) and _shadow_shaped(labels == i, stats[i])]
    shade[cast] = True
    # Shadows narrower than the wide window cover little of a frame; dark blobs over most of it are a pattern.
    if not shade.any() or stats[shade, cv2.CC_STAT_AREA].sum() > SHADE_MOST * deep.size:
        return wide
    # The shadow's soft sides, where the narrow estimate is less than shade_depth darker, follow it too: the
    # wide one fills them in, and their paper would pass for ink in a streak along each side.
    side = _odd(params.shade_window * small.shape[0], 3, 255)
    sides = cv2.dilate(shade[labels].astype(np.uint8), np.ones((side, side), np.uint8))
    return np.where(sides > 0, near, wide)


def _from_outside(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a region reaches (nearly) to the frame's edge: what casts a shadow on the page, an arm or a
    phone, comes in from outside the picture; a noise pattern's blob floats anywhere. Nearly: a soft
    shadow's dark core, the region, fades out a little short of the edge."""
    x, y, w, h = (int(v) for v in stat[:4])
    height, width = shape
    return min(x, y, width - (x + w), height - (y + h)) <= SHADE_EDGE * min(height, width)


def _shadow_shaped(region: np.ndarray, stat: np.ndarray) -> bool:
    """Whether a region is shaped like the shadow of an arm, a hand or a phone: long (SHADE_LONG times as long
    as wide) and filling most of its convex hull. The dark blobs of a noise pattern are round, or join into a
    maze."""
    contours, _ = cv2.findContours(region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    points = np.vstack(contours)
    _, (a, b), _ = cv2.minAreaRect(points)
    if max(a, b) < SHADE_LONG * max(1.0, min(a, b)):
        return False
    return float(stat[cv2.CC_STAT_AREA]) >= SHADE_SOLID * cv2.contourArea(cv2.convexHull(points))


def dim_ground(closed: np.ndarray, bright: float, params: DetectParams) -> np.ndarray:
    """uint8, 1 where the ground is much dimmer than the page's paper (`bright`): a desk, or shade."""
    return (closed < params.dim_ground * bright).astype(np.uint8)


def dim_level(closed: np.ndarray, dim: np.ndarray, share: float) -> np.ndarray:
    """Darkness ink needs where the ground is dim (`dim`, from dim_ground): a desk beside the sheet, or shade.

    Speckled stone or grain is dark marks on a dim ground; writing in a shadow keeps its contrast (light is
    multiplicative), so there only marks of a pen's contrast, `share` of the ground, count, not faint ones.
    """
    return cv2.convertScaleAbs(closed, alpha=share) * dim


def edge_level(closed: np.ndarray, params: DetectParams) -> np.ndarray:
    """Darkness a pixel needs near a hard edge of the paper's brightness (the sheet's edge on a desk).

    The low-resolution estimate blurs such an edge over a few pixels, so the desk right beside the sheet
    looks darker than "its" paper; ink on flat paper has no such edge under it and is not affected.
    """
    spread = cv2.morphologyEx(closed, cv2.MORPH_GRADIENT, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)),
                              borderType=cv2.BORDER_REPLICATE)
    return cv2.convertScaleAbs(spread, alpha=params.edge_factor)


def texture_level(darker: np.ndarray, paper: np.ndarray | float, params: DetectParams) -> np.ndarray:
    """Darkness a pixel needs on a textured ground (wood grain, fabric, stone), from the 1/step darkness.

    Writing darkens a minority of any wide window, while grain darkens most of it; so the median over a
    window of the mean darkness in blocks is near zero on paper, even beside dense strokes, and high on a
    desk. Ink must beat it by `texture_factor`. But a big digit in a bold marker darkens most of a window at
    its junctions too, and so does the shadow of an arm too faint for `paper_in_shade` to follow; so on a
    frame whose ground is clean overall (its median darkness under CLEAN of the ink floor), no texture darker
    than `texture_cap` of the paper is asked for: that is a pen's ink. `paper` is the page's paper, per
    pixel (at `darker`'s size) or one value: in a shadow on the page it is the shaded paper, whose ink is as
    much darker than it as in the light (a marker's big digit in shade); off the page it is the page's
    brightest paper, not the desk's ground, so a dim desk's grain is not let in as ink is.
    """
    level = cv2.convertScaleAbs(_wide_median(darker, params.texture_window), alpha=params.texture_factor)
    if quantile(darker, None, 0.5) < CLEAN * params.ink_floor:
        cap = np.minimum(params.texture_cap * np.asarray(paper, np.float32), 255).astype(np.uint8)
        level = np.minimum(level, cap)
    return level


def noise_level(grey: np.ndarray, shape: tuple[int, int], params: DetectParams) -> np.ndarray:
    """Standard deviation of the pixel noise around each pixel, at the low resolution `shape`.

    Noise differs across a frame (a dim, grainy desk beside a bright sheet), so it is measured locally: the
    mean departure from a 3x3 mean in blocks, then the median of that over a wide window, so that strokes,
    a minority everywhere, do not count as noise.
    """
    departure = cv2.absdiff(grey, cv2.blur(grey, (3, 3)))
    blocks = cv2.resize(departure, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return cv2.convertScaleAbs(_wide_median(blocks, params.texture_window), alpha=1.33)  # |x - mean3x3| ~ 0.75 sigma


def _wide_median(image: np.ndarray, window: float) -> np.ndarray:
    """Median over a window `window` x height wide, worked out on blocks of up to 4x4 (a wide median is
    dear at full size and the result is smooth anyway), at the size of `image`.

    Near the frame's edge the window is not centred on the pixel but kept whole inside the frame, so every
    median is of real pixels. Padding the frame by its outermost row instead fills up to half the window
    with copies of it: a strip of desk along the edge, flat at its own paper's level, then outvotes the
    squared page beside it, and the page's grid passes as writing.
    """
    height, width = image.shape
    step = max(1, min(4, height // 16))
    blocks = cv2.resize(image, (max(1, width // step), max(1, height // step)), interpolation=cv2.INTER_AREA)
    size = _odd(window * blocks.shape[0], 3, 255)
    level = cv2.medianBlur(blocks, size)
    rows, columns = level.shape
    top, side = min(size // 2, (rows - 1) // 2), min(size // 2, (columns - 1) // 2)  # whole windows start here
    level = cv2.copyMakeBorder(level[top:rows - top, side:columns - side], top, top, side, side,
                               cv2.BORDER_REPLICATE)
    return cv2.resize(level, (width, height), interpolation=cv2.INTER_LINEAR)


def _threshold(paper: np.ndarray, contrast: float, floor: float) -> np.ndarray:
    """Per-pixel darkness an ink pixel must exceed: a share of the paper, but never below the floor."""
    return np.maximum(cv2.convertScaleAbs(paper, alpha=contrast), np.uint8(min(255.0, floor)))


def _step(shape: tuple[int, int], step: int) -> int:
    """The background's downscale step, smaller for small frames so the estimate keeps some pixels."""
    return max(1, min(step, min(shape) // 16))


def _odd(value: float, low: int, high: int) -> int:
    """Nearest odd integer to `value`, clamped to [low, high] (both odd)."""
    return int(min(high, max(low, 2 * int(value / 2) + 1)))


def _check(grey: np.ndarray) -> None:
    if grey.ndim != 2 or grey.dtype != np.uint8 or grey.size == 0:
        raise ValueError(f"expected a non-empty uint8 grey image, got {grey.dtype} {grey.shape}")
