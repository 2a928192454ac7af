"""Box of an ink mask -> 28x28 crop that looks like an MNIST digit, the only thing the network knows.

MNIST fitted each digit's longer side into 20 pixels keeping the aspect ratio, anti-aliased, and placed it so
its centre of mass sits at the centre of the 28x28 field, ink bright on black. A camera crop gets the same
treatment, plus two things MNIST never needed: the strokes of neighbours that poke into the box are left out,
and a pen stroke that would come out much thinner than MNIST's (about 2 pixels) is thickened first. The ink
keeps its tone where the frame's darkness is known: a threshold alone makes a blurred edge as solid as the
stroke's core, and the digit fatter and blunter than the one that was written.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from edge.blobs import blobs
from edge.page import quantile

SIDE = 28
FIT = 20
CENTRE = 14.0      # MNIST's mean centre of mass, in pixel indices (measured on the test set: 13.99, 14.00)
SPECKLE = 0.06     # a blob in the box with less than this share of its biggest blob's ink is a speck
MIN_STROKE = 2.0   # MNIST strokes are about 2.2 px (2 x ink / perimeter, median); thinner ones are thickened


def to_mnist(mask: np.ndarray, box: Sequence[int], min_stroke: float = MIN_STROKE,
             darker: np.ndarray | None = None) -> np.ndarray:
    """float32 (28, 28) in [0, 1], ink bright, from the ink of `box` (x, y, w, h) in `mask` (255 = ink).

    With `darker` (uint8, the mask's size: how much darker than its paper each pixel is) the ink keeps its
    tone, as MNIST's pen did: a stroke's faint, blurred edge comes out grey rather than as solid as its core.
    """
    digit = own_ink(mask, box)
    if darker is not None:
        digit = _toned(digit, darker, box)
    points = cv2.findNonZero(digit)
    if points is None:
        return np.zeros((SIDE, SIDE), np.float32)
    x, y, w, h = cv2.boundingRect(points)
    digit = _thicken(digit[y:y + h, x:x + w], min_stroke)
    h, w = digit.shape
    scale = FIT / max(w, h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(digit, size, interpolation=interpolation).astype(np.float32) * (1 / 255)
    return _centre(small)


def crops(mask: np.ndarray, boxes: Sequence[Sequence[int]], min_stroke: float = MIN_STROKE,
          darker: np.ndarray | None = None) -> np.ndarray:
    """(N, 28, 28) float32 crops for `boxes` (as `to_mnist`), N may be 0."""
    if len(boxes) == 0:
        return np.zeros((0, SIDE, SIDE), np.float32)
    return np.stack([to_mnist(mask, box, min_stroke, darker) for box in boxes])


def own_ink(mask: np.ndarray, box: Sequence[int]) -> np.ndarray:
    """The (h, w) part of `mask` inside `box`, keeping only the blobs that belong to this box's digit.

    A blob that crosses the box's edge belongs to a neighbour unless it carries more of the box's ink than
    any blob lying wholly inside (a digit cut from a touching neighbour crosses the edge, and is the digit).
    Specks far smaller than the digit's own pieces are left out too.
    """
    x, y, w, h = (int(v) for v in box)
    x, y = max(0, x), max(0, y)
    w, h = min(w, mask.shape[1] - x), min(h, mask.shape[0] - y)
    if w <= 0 or h <= 0:
        return np.zeros((max(h, 0), max(w, 0)), np.uint8)
    x0, y0 = max(0, x - 1), max(0, y - 1)
    x1, y1 = min(mask.shape[1], x + w + 1), min(mask.shape[0], y + h + 1)
    if cv2.connectedComponents(mask[y0:y1, x0:x1], connectivity=8)[0] <= 2:  # one blob: most boxes, and cheap
        return cv2.threshold(mask[y:y + h, x:x + w], 0, 255, cv2.THRESH_BINARY)[1]  # compare with 0 fails on 1x1
    count, labels, stats = blobs(mask[y0:y1, x0:x1])
    inner = labels[y - y0:y - y0 + h, x - x0:x - x0 + w]
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    crosses = ((left < x - x0) | (top < y - y0) | (left + stats[:, cv2.CC_STAT_WIDTH] > x - x0 + w)
               | (top + stats[:, cv2.CC_STAT_HEIGHT] > y - y0 + h))
    inside = np.bincount(inner.ravel(), minlength=count)
    inside[0] = 0
    whole = inside[1:][~crosses[1:]].max(initial=0)
    keep = (inside > 0) & (~crosses | (inside > whole))
    keep[0] = False
    # Specks of paper grain or noise inside the box are no part of the digit, and MNIST has none.
    keep &= inside >= SPECKLE * inside[keep].max(initial=0)
    return np.where(keep[inner], np.uint8(255), np.uint8(0))


def _toned(digit: np.ndarray, darker: np.ndarray, box: Sequence[int]) -> np.ndarray:
    """The digit's ink (255 = ink, from `own_ink`) as its darkness, the median of its ink being full ink."""
    x, y = max(0, int(box[0])), max(0, int(box[1]))
    darkness = darker[y:y + digit.shape[0], x:x + digit.shape[1]]
    full = max(1.0, quantile(darkness, digit, 0.5))  # the ink's median darkness
    return cv2.bitwise_and(cv2.convertScaleAbs(darkness, alpha=255.0 / full), digit)


def stroke_width(digit: np.ndarray) -> float:
    """Mean stroke width in pixels: twice the ink area over the outline's length (1 for a 1-pixel line)."""
    area = cv2.countNonZero(digit)
    if area == 0:
        return 0.0
    contours, _ = cv2.findContours(digit, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * area / perimeter if perimeter > 0 else float(area)


def middle(ink: np.ndarray) -> np.ndarray:
    """The distance to the outline along a mark's middle line (uint8 mark, 255 = ink): the distance's local
    maxima, float32, one per pixel of that line. Half a pen's width all along a pen's stroke."""
    inside = cv2.distanceTransform(cv2.copyMakeBorder(ink, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0),
                                   cv2.DIST_L2, 3)
    return inside[(inside > 0) & (inside >= cv2.dilate(inside, None))]


def _thicken(digit: np.ndarray, min_stroke: float) -> np.ndarray:
    """Dilate a thin-stroked digit so its stroke is about `min_stroke` pixels once fitted into 20."""
    longest = max(digit.shape)
    need = min_stroke * longest / FIT - stroke_width(digit)
    if need <= 0:
        return digit
    radius = min(int(np.ceil(need / (2.0 * (1.0 - min_stroke / FIT)))), max(1, longest // 8))
    padded = cv2.copyMakeBorder(digit, radius, radius, radius, radius, cv2.BORDER_CONSTANT, value=0)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(padded, disc)


def _centre(small: np.ndarray) -> np.ndarray:
    """Place a fitted digit in 28x28 with its centre of mass at MNIST's, shifted back inside if need be."""
    h, w = small.shape
    moments = cv2.moments(small)
    out = np.zeros((SIDE, SIDE), np.float32)
    if moments["m00"] <= 0:
        return out
    top = min(max(round(CENTRE - moments["m01"] / moments["m00"]), 0), SIDE - h)
    left = min(max(round(CENTRE - moments["m10"] / moments["m00"]), 0), SIDE - w)
    out[top:top + h, left:left + w] = small
    return out
