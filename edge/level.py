"""A sheet lying askew under the camera: the angle its writing runs at, and the frame turned level.

The network learnt digits turned up to 12 degrees either way (`train.augment`); a sheet lying at 20 or 30
degrees to the camera turns every digit on it as much, and they are misread (a set turned 20 degrees read 83%
of its digits, 30 degrees 53%). The angle is told by the digits a first look found: each one's nearest
neighbour beside it in its row, the median over them. Turned level, the frame is read again.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from edge.regions import Box

LEVEL = 15.0      # writing at this many degrees or more is read again from the frame turned level: the
                  # photo sets' own roll (up to 12 degrees) reads as well or better unturned
NEIGHBOUR = 3.0   # a digit's row neighbour lies within this many digit heights of it


def writing_angle(boxes: Sequence[Box]) -> float | None:
    """Degrees the rows of `boxes` run at (positive: falling to the right, in image coordinates), the median
    over each box's nearest neighbour more beside it than above or below it; None with fewer than two such."""
    if len(boxes) < 2:
        return None
    centres = np.array([(x + w / 2, y + h / 2) for x, y, w, h in boxes], np.float64)
    reach = NEIGHBOUR * float(np.median([h for _, _, _, h in boxes]))
    angles = []
    for centre in centres:
        dx, dy = (centres - centre).T
        distance = np.hypot(dx, dy)
        beside = (np.abs(dx) > np.abs(dy)) & (distance > 0) & (distance <= reach)
        if beside.any():
            j = int(np.argmin(np.where(beside, distance, np.inf)))
            angles.append(math.degrees(math.atan2(dy[j], dx[j]) if dx[j] > 0 else math.atan2(-dy[j], -dx[j])))
    return float(np.median(angles)) if len(angles) >= 2 else None


def turned(grey: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """`grey` turned by `angle` degrees (counter-clockwise on screen: writing falling to the right at that angle
    comes out level) on a canvas that holds all of it, its edges carried out to the corners; and the 2x3
    affine map from the turned frame's pixels back to `grey`'s."""
    height, width = grey.shape
    forward = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(forward[0, 0]), abs(forward[0, 1])
    size = (int(math.ceil(height * sin + width * cos)), int(math.ceil(height * cos + width * sin)))
    forward[:, 2] += (size[0] - width) / 2, (size[1] - height) / 2
    level = cv2.warpAffine(grey, forward, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return level, cv2.invertAffineTransform(forward)


def box_back(box: Box, back: np.ndarray, shape: tuple[int, int]) -> Box:
    """The box in the original frame (of `shape`) that holds `box` of the turned one, `back` its map."""
    x, y, w, h = box
    corners = np.array([[[x, y], [x + w, y], [x, y + h], [x + w, y + h]]], np.float64)
    points = cv2.transform(corners, back)[0]
    (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
    left, top = max(0, math.floor(left)), max(0, math.floor(top))
    right, bottom = min(shape[1], math.ceil(right)), min(shape[0], math.ceil(bottom))
    return left, top, max(1, right - left), max(1, bottom - top)
