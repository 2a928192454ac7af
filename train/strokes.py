"""Centre lines of MNIST digits, so training can redraw them with the even stroke of a pen.

MNIST was written with pencils and scanned: its strokes swell and taper. A ballpoint, gel pen or marker seen
by a camera, thresholded and thickened by edge.normalise, is the same width all along. A network that has
only seen MNIST's strokes reads such redrawn digits measurably worse (about 1 in 130 more misread), so part of
each training batch is redrawn from these centre lines (train.augment.redraw) with a pen of random width.
"""
from __future__ import annotations

import cv2
import numpy as np

SCALE = 2    # centre lines are found at twice MNIST's size, where a thin loop still has a hole
CHUNK = 4096  # images thinned at once: the whole set at 56x56 would take gigabytes of temporaries


def thin(masks: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of boolean (N, H, W) or (H, W) masks to one-pixel, 8-connected centre lines."""
    single = masks.ndim == 2
    stack = np.asarray(masks, bool).reshape((-1,) + masks.shape[-2:]).astype(np.uint8)
    img = np.pad(stack, [(0, 0), (1, 1), (1, 1)])
    active = np.arange(len(img))  # images still changing: most are thin after a few passes
    while len(active):
        changed = np.zeros(len(active), bool)
        for step in (0, 1):
            p = img[active]
            n = [p[:, :-2, 1:-1], p[:, :-2, 2:], p[:, 1:-1, 2:], p[:, 2:, 2:], p[:, 2:, 1:-1],
                 p[:, 2:, :-2], p[:, 1:-1, :-2], p[:, :-2, :-2]]
            count = sum(n[1:], n[0].copy())
            ring = n + n[:1]
            transitions = sum((ring[i] < ring[i + 1]).view(np.uint8) for i in range(8))
            p2, p4, p6, p8 = n[0], n[2], n[4], n[6]
            if step == 0:
                side = (p2 & p4 & p6 == 0) & (p4 & p6 & p8 == 0)
            else:
                side = (p2 & p4 & p8 == 0) & (p2 & p6 & p8 == 0)
            remove = (p[:, 1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & side
            p[:, 1:-1, 1:-1][remove] = 0
            img[active] = p
            changed |= remove.any(axis=(1, 2))
        active = active[changed]
    out = img[:, 1:-1, 1:-1].astype(bool)
    return out[0] if single else out


def centre_lines(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 56, 56), 255 on the centre line of each uint8 (N, 28, 28) digit, found at twice its size."""
    out = np.zeros((len(images), images.shape[1] * SCALE, images.shape[2] * SCALE), np.uint8)
    for start in range(0, len(images), CHUNK):
        chunk = images[start:start + CHUNK]
        big = np.stack([cv2.resize(im, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_LINEAR) for im in chunk])
        out[start:start + CHUNK] = thin(big > 127).astype(np.uint8) * 255
    return out
