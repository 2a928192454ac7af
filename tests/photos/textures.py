"""Random fields and surfaces: paper fibre, desk tops, pure noise.

Everything is float32 in [0, 1], BGR, sRGB-encoded like a colour picked on screen. Fields are made at a coarse
grid and resized up, because real surfaces vary smoothly at many scales and generating them that way is cheap.
"""
from __future__ import annotations

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: float) -> np.ndarray:
    """Zero-mean, unit-deviation noise varying over about `cell` pixels (cubic upsampling of a coarse grid)."""
    h, w = shape
    gh, gw = max(2, int(np.ceil(h / cell)) + 2), max(2, int(np.ceil(w / cell)) + 2)
    grid = rng.standard_normal((gh, gw)).astype(np.float32)
    field = cv2.resize(grid, (int(gw * cell), int(gh * cell)), interpolation=cv2.INTER_CUBIC)
    y0 = int(rng.integers(0, max(1, field.shape[0] - h)))
    x0 = int(rng.integers(0, max(1, field.shape[1] - w)))
    field = field[y0:y0 + h, x0:x0 + w]
    return (field - field.mean()) / (field.std() + 1e-6)


def fractal_noise(rng: np.random.Generator, shape: tuple[int, int], cells: tuple[float, ...],
                  weights: tuple[float, ...]) -> np.ndarray:
    """A weighted sum of smooth noises at several scales: blotches, mottling and grain in one field."""
    total = np.zeros(shape, np.float32)
    for cell, weight in zip(cells, weights):
        grain = smooth_noise(rng, shape, cell) if cell > 1 else rng.standard_normal(shape).astype(np.float32)
        total += weight * grain
    return total


def tint(colour: tuple[float, float, float], shade: np.ndarray) -> np.ndarray:
    """A (h, w, 3) image of `colour` with brightness multiplied by `shade` (h, w)."""
    return np.clip(shade[..., None] * np.asarray(colour, np.float32), 0.0, 1.0).astype(np.float32)


def paper_surface(rng: np.random.Generator, shape: tuple[int, int], colour: tuple[float, float, float],
                  speckle: bool) -> np.ndarray:
    """Paper of one colour with uneven fibre density, fine grain and, for recycled paper, dark flecks."""
    shade = 1.0 + fractal_noise(rng, shape, (200.0, 40.0, 6.0, 1.0), (0.007, 0.005, 0.005, 0.006))
    if speckle:
        flecks = (rng.random(shape) < 0.0015).astype(np.float32)
        flecks = cv2.GaussianBlur(flecks, (0, 0), 0.8) * rng.uniform(0.8, 2.0)
        shade -= np.clip(flecks, 0, 0.45)
    return tint(colour, shade)


DESK_KINDS = ("wood", "laminate", "fabric", "stone", "dark")


def desk_surface(rng: np.random.Generator, shape: tuple[int, int], kind: str, scale: float) -> np.ndarray:
    """A desk top seen from above; `scale` is image pixels per millimetre-ish unit so grain size follows zoom."""
    h, w = shape
    s = float(max(scale, 0.05))
    if kind == "wood":
        if rng.random() < 0.5:  # grain along the other axis of the desk
            return np.ascontiguousarray(_wood(rng, (w, h), s).transpose(1, 0, 2))
        return _wood(rng, shape, s)
    if kind == "laminate":
        colour = [(0.80, 0.80, 0.78), (0.62, 0.66, 0.66), (0.70, 0.78, 0.82), (0.55, 0.50, 0.45)][rng.integers(4)]
        shade = 1.0 + fractal_noise(rng, shape, (150 * s, 20 * s, 1.0), (0.03, 0.015, 0.01))
        return tint(colour, shade)
    if kind == "fabric":
        colour = tuple(rng.uniform(0.15, 0.7, 3))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(1.5, 3.5) * s + 1.0
        weave = np.sin(2 * np.pi * xx / period) * np.sin(2 * np.pi * yy / period)
        shade = 1.0 + 0.08 * weave + fractal_noise(rng, shape, (60 * s, 1.0), (0.05, 0.05))
        return tint(colour, shade)
    if kind == "stone":
        colour = tuple(rng.uniform(0.35, 0.75) * np.array([1.0, 1.0, 1.0]) + rng.uniform(-0.05, 0.05, 3))
        grains = fractal_noise(rng, shape, (8 * s + 1, 3 * s + 1, 1.0), (0.5, 0.4, 0.3))
        flecks = np.where(grains > 1.3, -0.35, np.where(grains < -1.4, 0.15, 0.0)).astype(np.float32)
        shade = 1.0 + flecks + 0.04 * smooth_noise(rng, shape, 200 * s)
        return tint(colour, cv2.GaussianBlur(shade, (0, 0), 0.6))
    if kind == "dark":
        colour = tuple(rng.uniform(0.06, 0.22) + rng.uniform(-0.02, 0.02, 3))
        shade = 1.0 + fractal_noise(rng, shape, (100 * s, 1.0), (0.1, 0.06))
        return tint(colour, shade)
    raise ValueError(f"unknown desk kind {kind!r}")


def _wood(rng: np.random.Generator, shape: tuple[int, int], s: float) -> np.ndarray:
    """Wood: wavy growth rings along the rows, long fibre streaks, a blotchy stain."""
    h, w = shape
    colour = [(0.35, 0.55, 0.75), (0.45, 0.62, 0.78), (0.18, 0.28, 0.42), (0.55, 0.70, 0.82)][rng.integers(4)]
    ys = np.arange(h, dtype=np.float32)[:, None] + 10 * s * smooth_noise(rng, shape, 150 * s)
    period = rng.uniform(6, 20) * s
    rings = 0.5 + 0.5 * np.sin(2 * np.pi * ys / period + 1.5 * smooth_noise(rng, shape, 400 * s))
    coarse = rng.standard_normal((max(2, h // 2), max(2, int(w / (40 * s)) + 2))).astype(np.float32)
    streaks = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    shade = 1.0 - 0.12 * rings ** 6 + 0.05 * streaks + 0.06 * smooth_noise(rng, shape, 60 * s)
    return tint(colour, shade)


def pure_noise(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Structureless noise as a broken or covered camera gives: grain, blotches, colour static, or a mix."""
    h, w = shape
    cell = float(rng.choice([1.0, 2.0, 6.0, 20.0, 60.0]))
    grey = 0.5 + rng.uniform(0.05, 0.3) * fractal_noise(rng, shape, (cell, 1.0), (1.0, rng.uniform(0.0, 1.0)))
    image = np.repeat(grey[..., None], 3, axis=2)
    if rng.random() < 0.5:
        image += rng.uniform(0.02, 0.15) * rng.standard_normal((h, w, 3)).astype(np.float32)
    return np.clip(image * rng.uniform(0.3, 1.3), 0.0, 1.0).astype(np.float32)
