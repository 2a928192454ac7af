"""Synthetic camera frames for the pixel-pipeline tests: paper, light, ink and the camera's faults.

Each helper models one condition a real photo has, so a test can switch on exactly the one it is about.
The paper is float32 reflectance-times-light in grey levels; `finish` turns it into a uint8 frame.
"""
from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]


def paper(height: int = 480, width: int = 640, tone: float = 215.0, gradient: float = 0.0,
          rng: np.random.Generator | None = None, grain: float = 0.0) -> np.ndarray:
    """A sheet filling the frame: `tone` brightness, a linear light fall-off of `gradient` (share) across it."""
    ramp = np.linspace(1.0, 1.0 - gradient, width, dtype=np.float32)[None, :]
    sheet = np.full((height, width), tone, np.float32) * ramp
    if grain and rng is not None:
        texture = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 1.5)
        sheet += texture * grain
    return sheet


def ruled(sheet: np.ndarray, spacing: int, darkness: float = 0.25, thickness: int = 1, tilt: float = 0.0,
          first: int | None = None) -> np.ndarray:
    """Horizontal ruled lines every `spacing` px, darkening the paper by `darkness`, tilted by `tilt` (slope)."""
    height, width = sheet.shape
    lines = np.zeros_like(sheet)
    for y in range(spacing if first is None else first, height + int(abs(tilt) * width), spacing):
        cv2.line(lines, (0, y), (width - 1, int(round(y + tilt * width))), 1.0, thickness, cv2.LINE_AA)
    return sheet * (1.0 - darkness * lines)


def squared(sheet: np.ndarray, spacing: int, darkness: float = 0.2, thickness: int = 1) -> np.ndarray:
    """A grid of lines every `spacing` px both ways, darkening the paper by `darkness`."""
    height, width = sheet.shape
    lines = np.zeros_like(sheet)
    for y in range(spacing // 2, height, spacing):
        cv2.line(lines, (0, y), (width - 1, y), 1.0, thickness, cv2.LINE_AA)
    for x in range(spacing // 2, width, spacing):
        cv2.line(lines, (x, 0), (x, height - 1), 1.0, thickness, cv2.LINE_AA)
    return sheet * (1.0 - darkness * np.minimum(lines, 1.0))


def write(sheet: np.ndarray, text: str, origin: tuple[int, int], scale: float, thickness: int,
          ink: float = 0.25, gap: float = 0.0) -> list[Box]:
    """Hershey-font digits, one glyph at a time so each has its own box; ink is a share of the paper's light.

    Returns the box of each glyph. `gap` adds that many px between glyphs (negative makes them touch).
    """
    x, y = origin
    boxes = []
    for char in text:
        layer = np.zeros(sheet.shape, np.uint8)
        cv2.putText(layer, char, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness, cv2.LINE_AA)
        alpha = layer.astype(np.float32) / 255
        sheet *= 1.0 - (1.0 - ink) * alpha
        points = cv2.findNonZero((layer > 127).astype(np.uint8))
        bx, by, bw, bh = cv2.boundingRect(points)
        boxes.append((bx, by, bw, bh))
        x = bx + bw + int(round(gap)) + int(round(0.25 * bw))
    return boxes


def paste(sheet: np.ndarray, glyph: np.ndarray, x: int, y: int, height: int, ink: float = 0.25) -> Box:
    """Draw an MNIST-style glyph (ink bright on 0, any size) `height` px tall at (x, y); returns its box."""
    ys, xs = np.nonzero(glyph > 40)
    glyph = glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    width = max(1, round(glyph.shape[1] * height / glyph.shape[0]))
    alpha = cv2.resize(glyph.astype(np.float32) / 255, (width, height), interpolation=cv2.INTER_CUBIC)
    alpha = np.clip(alpha, 0, 1)
    region = sheet[y:y + height, x:x + width]
    region *= 1.0 - (1.0 - ink) * alpha[:region.shape[0], :region.shape[1]]
    return x, y, width, height


def shadow(sheet: np.ndarray, depth: float, x_from: int, softness: float = 8.0) -> np.ndarray:
    """A hard-edged shadow over everything right of `x_from`, darkening by `depth` (share)."""
    width = sheet.shape[1]
    distance = (np.arange(width, dtype=np.float32) - x_from) / max(softness, 1e-3)
    edge = 1.0 / (1.0 + np.exp(-np.clip(distance, -50, 50)))
    return sheet * (1.0 - depth * edge)[None, :]


def band(sheet: np.ndarray, x: int, width: int, depth: float, softness: float = 3.0,
         slant: float = 0.3) -> np.ndarray:
    """The shadow of an arm or a pen across the page: a straight band `width` px wide through (x, mid-height),
    leaning `slant` radians from upright, darkening by `depth` (share), edges blurred by `softness` px."""
    height, width_px = sheet.shape
    ys, xs = np.mgrid[0:height, 0:width_px].astype(np.float32)
    across = (xs - x) * np.cos(slant) + (ys - height / 2) * np.sin(slant)
    inside = cv2.GaussianBlur((np.abs(across) <= width / 2).astype(np.float32), (0, 0), softness)
    return sheet * (1.0 - depth * inside)


def finish(sheet: np.ndarray, rng: np.random.Generator, noise: float = 3.0, blur: float = 0.0,
           jpeg: int | None = None) -> np.ndarray:
    """Lens blur, sensor noise and JPEG compression; uint8 out."""
    image = sheet
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if noise > 0:
        image = image + rng.normal(0, noise, image.shape).astype(np.float32)
    image = np.clip(image + 0.5, 0, 255).astype(np.uint8)
    if jpeg is not None:
        _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        image = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return image


def overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / float(a[2] * a[3] + b[2] * b[3] - inter)
