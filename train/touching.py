"""Two or three MNIST digits written so that their ink touches, framed as edge frames one mark: "no one digit".

Where a writer's digits run into each other, the camera path finds one mark and squeezes the pair into one
28x28 crop. A ten-class network must call it some digit, and is often sure of it (half of such pairs read at
0.9 or more), so nothing tells edge to cut the mark in two. Trained with these crops as an eleventh class,
`none`, the network says so, and edge's second look cuts the mark and reads the parts.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.blobs import blobs
from edge.normalise import to_mnist

HEIGHT = 60          # the digits are enlarged to about this height before they are put side by side ...
SIZES = (0.85, 1.15)  # ... each its own size within this range ...
DROP = 0.1           # ... and up or down by up to this share of it, as a hand's baseline wanders
OVERLAP = 0.3        # each digit moves into its left neighbour by 1 px up to this share of the narrower one
TRIPLES = 0.15       # share of the marks that are three digits, not two
INK = 90             # grey level above which a pixel is ink (as a threshold would take it)


def touching(images: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 (count, 28, 28) crops, ink bright, each of two or three random `images` (uint8 (N, 28, 28),
    MNIST) whose ink joins into one mark, normalised by `edge.normalise.to_mnist` as a found mark is."""
    out = np.zeros((count, 28, 28), np.uint8)
    made = 0
    while made < count:
        picks = images[rng.integers(0, len(images), 3 if rng.random() < TRIPLES else 2)]
        crop = _joined(picks, rng)
        if crop is not None:  # the ink did not come out as one mark: try other digits
            out[made] = crop
            made += 1
    return out


def _joined(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    parts = [_enlarged(digit, rng) for digit in digits]
    if any(part is None for part in parts):
        return None
    width = sum(part.shape[1] for part in parts) + 2 * HEIGHT
    canvas = np.zeros((2 * HEIGHT, width), np.uint8)
    x = HEIGHT // 2
    for k, part in enumerate(parts):
        if k:
            narrower = min(part.shape[1], parts[k - 1].shape[1])
            x -= 1 + int(rng.uniform(0.0, OVERLAP) * narrower)
        h, w = part.shape
        y = min(max(0, HEIGHT // 4 + int(rng.uniform(-DROP, DROP) * HEIGHT)), canvas.shape[0] - h)
        np.maximum(canvas[y:y + h, x:x + w], part, out=canvas[y:y + h, x:x + w])
        x += w
    mask = np.where(canvas > INK, np.uint8(255), np.uint8(0))
    count, _, stats = blobs(mask)
    if count != 2:
        return None
    box = tuple(int(v) for v in stats[1, :4])
    return np.round(to_mnist(mask, box, darker=canvas) * 255).astype(np.uint8)


def _enlarged(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """The digit's ink cut to its box and scaled to a random height near HEIGHT (None for an empty image)."""
    points = cv2.findNonZero(np.where(digit > INK // 3, np.uint8(255), np.uint8(0)))
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    scale = HEIGHT * rng.uniform(*SIZES) / h
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    return cv2.resize(digit[y:y + h, x:x + w], size, interpolation=cv2.INTER_LINEAR)
