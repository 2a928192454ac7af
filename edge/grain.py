"""A wood desk's grain: its darkest streaks pass every test a 1 has to pass.

Seen alone, a streak of wood is a thin, upright, dark stroke: the network reads it as a 1, sure of it. What
tells it apart is the ground around it: wood is streaked all over in one direction, the streak lies along
it, while paper around a written 1 is flat or has no direction (noise, at most a ruled line across the 1,
a sheet's edge). So when every mark found is a sliver and much of the ground all around it is the sides of
streaks lying along it, the marks are grain. (Around it only: a sheet of 1s may lie on such a desk, and a
desk as light as the paper is part of the page.)
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.regions import Box
from edge.segment import Ink

SLIVER = 2.5      # a mark this many times taller than wide is a sliver: a 1, or a streak
STRONG = 8.0      # a change of the ground's darkness this steep (Sobel, grey levels at 1/step) is a streak's side
ALONG = 25.0      # ... lying along the slivers when it runs within this many degrees of upright
STREAKED = 0.35   # the ground is streaked along the slivers where this share of it is such sides (a ground with
                  # no direction: under 0.28, the share of all directions within ALONG of level)
AROUND = 1.5      # the ground is looked at this many mark heights around each mark


def wood_grain(ink: Ink, boxes: list[Box]) -> bool:
    """Whether the marks in `boxes` (analysis pixels) are a streaked ground's streaks rather than 1s."""
    found = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    if len(found) == 0 or not (found[:, 3] >= SLIVER * found[:, 2]).all():
        return False
    ground = ink.coarse.astype(np.float32)  # the ground's darkness, strokes and streaks, at 1/step
    seen = np.zeros(ground.shape, np.uint8)
    step, typical = ink.step, float(np.median(found[:, 3]))
    reach = int(AROUND * typical / step) + 1
    for x, y, w, h in boxes:  # the ground around the marks, as far as a few of them would reach ...
        seen[max(0, y // step - reach):(y + h) // step + reach + 1,
             max(0, x // step - reach):(x + w) // step + reach + 1] = 1
    seen[ink.need >= 255] = 0  # ... on the page (off it every bar is at its top) ...
    for x, y, w, h in boxes:  # ... but not the marks themselves: they say nothing about the ground
        seen[max(0, y // step - 1):(y + h) // step + 2, max(0, x // step - 1):(x + w) // step + 2] = 0
    where = seen > 0
    if not where.any():
        return False
    gx = cv2.Sobel(ground, cv2.CV_32F, 1, 0, ksize=3)[where]
    gy = cv2.Sobel(ground, cv2.CV_32F, 0, 1, ksize=3)[where]
    # Streaks near upright darken and lighten the ground from side to side: strong gradients near level.
    across = (np.hypot(gx, gy) > STRONG) & (np.abs(gy) <= np.tan(np.radians(ALONG)) * np.abs(gx))
    return float(across.mean()) >= STREAKED
