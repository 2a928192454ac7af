"""Where the digits on a generated sheet come from: MNIST test digits or hand-designed pen paths.

Stroke width is a condition we control (a 2 px ballpoint to a 20 px marker) rather than whatever the source
happened to have. Two sources reduce a digit to its centre line and redraw it with the chosen pen; the third
(`mnist-shape`) keeps each MNIST digit's own outline and moves it in or out to the pen's width, because a
centre line loses what an outline keeps (a 9's loop written as a filled blob has no centre line round it).
The result is an ink coverage mask (float32 in [0, 1], 1 = fully inked) cropped to the ink plus a margin.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from tests.photos.templates import TEMPLATES, Point, Stroke
from train.strokes import thin
from tests.photos.textures import smooth_noise

SOURCES = ("mnist", "mnist-shape", "strokes", "mixed")


class SourceError(Exception):
    """A glyph source cannot be set up (no MNIST file, a bad file); the message is one line for the user."""


class GlyphSource(Protocol):
    name: str

    def draw(self, digit: int, rng: np.random.Generator, height: float, pen: float) -> np.ndarray:
        """Ink coverage of `digit` about `height` px tall drawn with a pen `pen` px wide."""
        ...


def draw_pen(centre: np.ndarray, rng: np.random.Generator, width: float) -> np.ndarray:
    """Ink coverage of a round pen `width` px wide run along the centre-line pixels, with pressure wobble."""
    dist = cv2.distanceTransform(np.where(centre, 0, 255).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    cell = max(8.0, max(centre.shape) / 2.5)
    radius = 0.5 * width * np.clip(1.0 + 0.12 * smooth_noise(rng, centre.shape, cell), 0.7, 1.3)
    return np.clip(radius + 0.5 - dist, 0.0, 1.0).astype(np.float32)


def crop_to_ink(alpha: np.ndarray, margin: int = 2) -> np.ndarray:
    """The smallest window holding all ink, plus `margin` blank pixels on every side."""
    ys, xs = np.nonzero(alpha > 0.02)
    if len(ys) == 0:
        return np.zeros((1, 1), np.float32)
    window = alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    return np.pad(window, margin)


def drop_specks(mask: np.ndarray, share: float = 0.08) -> np.ndarray:
    """Remove the stray dots some MNIST images carry: a reader would rightly see them as extra marks."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= share * areas.sum()) + 1
    return np.isin(labels, keep)


def catmull_rom(points: list[Point], samples: int = 16) -> np.ndarray:
    """A smooth curve through `points` (Catmull-Rom spline, end tangents from the end segments)."""
    p = np.asarray(points, np.float64)
    p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        a, b, c, d = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(0.5 * (2 * b + (c - a) * t + (2 * a - 5 * b + 4 * c - d) * t ** 2
                          + (3 * b - a - 3 * c + d) * t ** 3))
    out.append(p[-2][None])
    return np.vstack(out)


class StrokeGlyphs:
    """Digits drawn from TEMPLATES: a style no training set contains, varied by jitter, slant and proportion."""

    name = "strokes"

    def draw(self, digit: int, rng: np.random.Generator, height: float, pen: float) -> np.ndarray:
        strokes = TEMPLATES[digit][rng.integers(len(TEMPLATES[digit]))]
        paths = [self._path(stroke, rng) for stroke in strokes]
        aspect = rng.uniform(0.5, 0.85)
        slant = rng.uniform(-0.15, 0.35)  # most hands lean right
        angle = np.deg2rad(rng.uniform(-6, 6))
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        shaped = []
        for path in paths:
            xy = np.column_stack([path[:, 0] * aspect + slant * (1.0 - path[:, 1]), path[:, 1]])
            shaped.append(xy @ rot.T)
        allpts = np.vstack(shaped)
        lo, span = allpts.min(axis=0), np.ptp(allpts, axis=0)
        scale = max(height - pen, 4.0) / max(span[1], 1e-3)
        margin = int(np.ceil(pen)) + 3
        size = (int(np.ceil(span[1] * scale)) + 2 * margin + 1, int(np.ceil(span[0] * scale)) + 2 * margin + 1)
        centre = np.zeros(size, np.uint8)
        for xy in shaped:
            pix = ((xy - lo) * scale + margin) * 8  # 3 fractional bits for cv2's sub-pixel drawing
            cv2.polylines(centre, [np.round(pix).astype(np.int32)], False, 1, 1, cv2.LINE_8, shift=3)
        return crop_to_ink(draw_pen(centre > 0, rng, pen))

    @staticmethod
    def _path(stroke: Stroke, rng: np.random.Generator) -> np.ndarray:
        kind, points = stroke
        jittered = [(x + rng.normal(0, 0.025), y + rng.normal(0, 0.025)) for x, y in points]
        if kind == "curve":
            return catmull_rom(jittered)
        dense = [np.linspace(a, b, 8, endpoint=False) for a, b in zip(jittered[:-1], jittered[1:])]
        return np.vstack(dense + [np.asarray(jittered[-1:])])


class MnistGlyphs:
    """MNIST test digits (never trained on), smoothly upsampled, thinned and redrawn with the chosen pen."""

    name = "mnist"

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images = images
        self.by_digit = [np.flatnonzero(labels == d) for d in range(10)]

    @classmethod
    def from_path(cls, path: str | os.PathLike[str] | None) -> MnistGlyphs:
        """Load the test split from `path` or $DIGITCAM_MNIST (a Keras mnist.npz or a folder of IDX files)."""
        from train import data  # the loader, not TensorFlow: train.data imports only numpy

        resolved = data.resolve_path(path)
        if resolved is None:
            raise SourceError(f"MNIST digits need --data PATH or ${data.ENV_VAR} (or use --source strokes)")
        try:
            mnist = data.load(resolved)
        except data.DataError as exc:
            raise SourceError(str(exc)) from None
        return cls(mnist.x_test, mnist.y_test)

    def draw(self, digit: int, rng: np.random.Generator, height: float, pen: float) -> np.ndarray:
        image = self._pick(digit, rng)
        target = max(height - pen, 4.0)  # the centre line's height; the pen adds its width
        factor = target / (image.shape[0] - 4)
        centre = self._centre_line(image, factor)
        span = np.ptp(np.nonzero(centre)[0]) + 1
        if abs(span - target) > 1:  # thinning ate half a stroke at each end: scale once more to compensate
            centre = self._centre_line(image, factor * target / span)
        margin = int(np.ceil(pen)) + 3
        return crop_to_ink(draw_pen(np.pad(centre, margin), rng, pen))

    def _pick(self, digit: int, rng: np.random.Generator) -> np.ndarray:
        """A random test image of `digit`, float in [0, 1], cropped to its ink with 2 blank pixels round it."""
        choices = self.by_digit[digit]
        if len(choices) == 0:
            raise SourceError(f"the MNIST test split has no {digit}")
        image = self.images[choices[rng.integers(len(choices))]].astype(np.float32) / 255.0
        ys, xs = np.nonzero(image > 0.2)
        return np.pad(image[ys.min():ys.max() + 1, xs.min():xs.max() + 1], 2)

    @staticmethod
    def _centre_line(image: np.ndarray, factor: float) -> np.ndarray:
        """Upsample smoothly, threshold, thin to the centre line."""
        return thin(upsampled_shape(image, factor))


class MnistShapes(MnistGlyphs):
    """MNIST test digits in their own shape: the outline upsampled, then moved out or in to the chosen pen's
    width (a thick marker fills small loops, as it would on paper), and the pen drawn along the centre line
    wherever a thin pen's outline, moved in, lost a stroke. What the digit's writer drew stays drawn, filled
    loops included."""

    name = "mnist-shape"

    def draw(self, digit: int, rng: np.random.Generator, height: float, pen: float) -> np.ndarray:
        image = self._pick(digit, rng)
        factor = height / (image.shape[0] - 4)
        ink = self._outline(image, factor, rng, pen)
        span = ink.shape[0] - 4
        if abs(span - height) > 1:  # moving the outline changed the height: scale once more to compensate
            ink = self._outline(image, factor * height / span, rng, pen)
        return ink

    @staticmethod
    def _outline(image: np.ndarray, factor: float, rng: np.random.Generator, pen: float) -> np.ndarray:
        """Ink of `image` upsampled by `factor`, its outline moved to make the stroke `pen` px wide."""
        margin = int(np.ceil(pen)) + 3
        shape = np.pad(upsampled_shape(image, factor), margin)
        inside = cv2.distanceTransform(shape.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        outside = cv2.distanceTransform((~shape).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        signed = np.where(shape, inside - 0.5, 0.5 - outside)  # distance from the outline, positive inside
        centre = thin(shape)
        own = float(np.median(signed[centre])) if centre.any() else 0.5  # the digit's own half stroke
        wobble = np.clip(1.0 + 0.12 * smooth_noise(rng, shape.shape, max(8.0, max(shape.shape) / 2.5)), 0.7, 1.3)
        moved = np.clip(signed + 0.5 * pen * wobble - own + 0.5, 0.0, 1.0)
        lost = centre & (moved < 0.5)  # strokes thinner than the digit's own, gone when a thin pen moved in
        return crop_to_ink(np.maximum(moved, draw_pen(lost, rng, pen)))


def upsampled_shape(image: np.ndarray, factor: float) -> np.ndarray:
    """`image` upsampled smoothly (cubic, then blurred to hide the pixel steps), thresholded, specks dropped."""
    size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
    smooth = cv2.GaussianBlur(cv2.resize(image, size, interpolation=cv2.INTER_CUBIC), (0, 0), 0.5 * factor)
    return drop_specks(smooth > 0.4 * smooth.max())


class MixedGlyphs:
    """Each digit from MNIST or from the templates at random: both kinds of hand on one sheet."""

    name = "mixed"

    def __init__(self, sources: list[GlyphSource]) -> None:
        self.sources = sources

    def draw(self, digit: int, rng: np.random.Generator, height: float, pen: float) -> np.ndarray:
        return self.sources[rng.integers(len(self.sources))].draw(digit, rng, height, pen)


def open_source(name: str, data: str | Path | None) -> GlyphSource:
    """The glyph source called `name`; MNIST comes from `data` or $DIGITCAM_MNIST."""
    if name == "strokes":
        return StrokeGlyphs()
    if name == "mnist":
        return MnistGlyphs.from_path(data)
    if name == "mnist-shape":
        return MnistShapes.from_path(data)
    if name == "mixed":
        return MixedGlyphs([MnistGlyphs.from_path(data), StrokeGlyphs()])
    raise SourceError(f"unknown source {name!r} (choose from {', '.join(SOURCES)})")
