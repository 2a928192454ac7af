"""Ways of writing digits that MNIST (American census staff and students) hardly has, added to its 1s and 7s.

Much of Europe writes a 1 with a long flag from the top, sometimes with a foot, and crosses the stem of a 7.
An MNIST network reads such a 1 as a 7, because the only digit it has seen with a stroke leaving the top to
the left is a 7. Each variant below draws the extra stroke on a real MNIST digit, at a random length, angle
and width matched to the digit's own stroke, then re-centres it by mass the way MNIST placed its digits.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.normalise import stroke_width

SIDE = 28
CENTRE = 14.0  # centre of mass of a placed MNIST digit, in pixel indices (as edge.normalise measured)


def add_variants(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator,
                 ones: float = 0.3, sevens: float = 0.3) -> np.ndarray:
    """A copy of uint8 (N, 28, 28) `images` where about `ones` of the 1s carry a flag (a fifth of those
    also a foot) and about `sevens` of the 7s a crossed stem; every other image is unchanged."""
    out = images.copy()
    for i in np.nonzero(labels == 1)[0]:
        if rng.random() < ones:
            out[i] = flag_one(images[i], rng, foot=rng.random() < 0.2)
    for i in np.nonzero(labels == 7)[0]:
        if rng.random() < sevens:
            out[i] = cross_seven(images[i], rng)
    return out


def flag_one(image: np.ndarray, rng: np.random.Generator, foot: bool = False) -> np.ndarray:
    """The 1 with a flag from its top down to the left: 35-65 degrees below level, a fifth to two fifths of
    its height. Steeper and shorter than a 7's bar, which is what tells the two apart."""
    ink = _ink(image)
    if ink is None:
        return image
    ys, xs, width, top, bottom = ink
    height = bottom - top + 1
    x0 = float(xs[ys <= top + 1].mean())
    length = rng.uniform(0.2, 0.4) * height
    angle = np.deg2rad(rng.uniform(35.0, 65.0))
    canvas = image.astype(np.float32)
    _stroke(canvas, (x0, float(top)), (x0 - length * np.cos(angle), top + length * np.sin(angle)), width)
    if foot:
        xb = float(xs[ys >= bottom - 1].mean())
        half = rng.uniform(0.15, 0.25) * height
        _stroke(canvas, (xb - half, float(bottom)), (xb + half, float(bottom)), width)
    return _recentre(canvas)


def cross_seven(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The 7 with a short bar across its stem a little below half its height."""
    ink = _ink(image)
    if ink is None:
        return image
    ys, xs, width, top, bottom = ink
    height = bottom - top + 1
    row = int(round(top + rng.uniform(0.45, 0.6) * height))
    near = np.abs(ys - row) <= 1
    if not near.any():
        return image
    x0 = float(xs[near].mean())
    half = rng.uniform(0.1, 0.18) * height
    tilt = rng.uniform(-0.05, 0.05) * height
    canvas = image.astype(np.float32)
    _stroke(canvas, (x0 - half, row + tilt), (x0 + half, row - tilt), width)
    return _recentre(canvas)


def _ink(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, int, int] | None:
    """Rows and columns of the ink, the digit's own stroke width (1.5 to 4 pixels), its top and bottom row."""
    binary = np.where(image > 96, np.uint8(255), np.uint8(0))
    ys, xs = np.nonzero(binary)
    if len(ys) < 5:
        return None
    return ys, xs, float(np.clip(stroke_width(binary), 1.5, 4.0)), int(ys.min()), int(ys.max())


def _stroke(canvas: np.ndarray, start: tuple[float, float], end: tuple[float, float], width: float) -> None:
    """Draw an anti-aliased line of `width` pixels into the float canvas, 8x oversampled."""
    big = np.zeros((SIDE * 8, SIDE * 8), np.uint8)
    cv2.line(big, (round(start[0] * 8 + 4), round(start[1] * 8 + 4)), (round(end[0] * 8 + 4), round(end[1] * 8 + 4)),
             255, max(1, round(width * 8)), cv2.LINE_AA)
    layer = cv2.resize(big, (SIDE, SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)
    np.maximum(canvas, layer, out=canvas)


def _recentre(canvas: np.ndarray) -> np.ndarray:
    """uint8 image with its centre of mass moved back to MNIST's, as far as the frame allows."""
    moments = cv2.moments(canvas)
    if moments["m00"] <= 0:
        return canvas.astype(np.uint8)
    ys, xs = np.nonzero(canvas > 0)
    dx = int(np.clip(round(CENTRE - moments["m10"] / moments["m00"]), -xs.min(), SIDE - 1 - xs.max()))
    dy = int(np.clip(round(CENTRE - moments["m01"] / moments["m00"]), -ys.min(), SIDE - 1 - ys.max()))
    shifted = np.roll(np.roll(canvas, dy, axis=0), dx, axis=1)
    return np.clip(shifted, 0, 255).astype(np.uint8)
