"""A sheet of paper with digits written on it, flat and in its own pixel frame (about 1000 px wide).

The sheet is what the camera later photographs: paper colour and fibre, rules or squares, and ink laid down
the way a pen lays it (a ballpoint streaks, pencil is grainy, a marker is solid). It also keeps, per digit in
reading order, the outline of its ink, so truth boxes can follow the ink through the camera's perspective.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from tests.photos.handwriting import GlyphSource
from tests.photos.textures import paper_surface, smooth_noise

SHEET_WIDTH = 1000
MAX_DIGITS = 10

# BGR, sRGB-encoded, as the paper looks under white light.
PAPERS: dict[str, tuple[float, float, float]] = {
    "white": (0.95, 0.95, 0.94),
    "cream": (0.84, 0.92, 0.95),
    "yellow": (0.60, 0.90, 0.97),
    "light blue": (0.96, 0.90, 0.82),
    "grey recycled": (0.78, 0.80, 0.81),
    "pink": (0.88, 0.84, 0.98),
}
INKS: dict[str, tuple[float, float, float]] = {
    "black": (0.10, 0.10, 0.12),
    "blue": (0.55, 0.22, 0.10),
    "royal blue": (0.70, 0.32, 0.08),
    "dark grey": (0.28, 0.28, 0.30),
    "pencil": (0.33, 0.33, 0.35),
}
# Pen kind: (width range in sheet px, inks it comes in, how much of the paper the ink hides).
PENS: dict[str, tuple[tuple[float, float], tuple[str, ...], tuple[float, float]]] = {
    "ballpoint": ((2.0, 4.0), ("blue", "black", "royal blue"), (0.72, 0.95)),
    "gel": ((3.0, 6.0), ("black", "blue", "royal blue", "dark grey"), (0.88, 1.0)),
    "marker": ((7.0, 20.0), ("black", "blue", "dark grey"), (0.94, 1.0)),
    "pencil": ((2.0, 4.5), ("pencil",), (0.55, 0.85)),
}


@dataclass
class Sheet:
    """A flat sheet: the image, the text written on it, and where each digit's ink lies."""

    image: np.ndarray  # (h, w, 3) float32 BGR in [0, 1]
    text: str  # digits in reading order, rows joined by "\n"
    outlines: list[np.ndarray]  # per digit in reading order: (n, 2) float32 ink outline points, sheet px
    block: tuple[float, float, float, float]  # x0, y0, x1, y1: the region the photographer aims at
    conditions: dict[str, object] = field(default_factory=dict)
    digit_heights: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Ruling:
    kind: str  # plain, ruled or squared
    spacing: float
    colour: tuple[float, float, float]
    width: float
    margin_x: float | None  # the red margin line of exercise books, if any


def _choose(rng: np.random.Generator, options: dict[str, float]) -> str:
    names = list(options)
    weights = np.asarray([options[n] for n in names], np.float64)
    return names[rng.choice(len(names), p=weights / weights.sum())]


def choose_ruling(rng: np.random.Generator, digit_height: float) -> Ruling:
    """Plain, lined or squared paper; lines are spaced for the handwriting size, as people choose paper."""
    kind = _choose(rng, {"plain": 0.4, "ruled": 0.4, "squared": 0.2})
    colour = (0.88, 0.72, 0.55) if rng.random() < 0.7 else (0.62, 0.62, 0.62)
    if kind == "ruled":
        spacing = digit_height * rng.uniform(1.2, 1.6)
        margin = SHEET_WIDTH * rng.uniform(0.07, 0.14) if rng.random() < 0.5 else None
        return Ruling(kind, spacing, colour, rng.uniform(1.0, 2.5), margin)
    if kind == "squared":
        return Ruling(kind, digit_height * rng.uniform(0.45, 0.65), colour, rng.uniform(0.8, 1.8), None)
    return Ruling(kind, digit_height, colour, 0.0, None)


def draw_ruling(image: np.ndarray, ruling: Ruling, rng: np.random.Generator, through: float) -> None:
    """Print the rules (and margin) on the paper in place, one rule at height `through`: faint, anti-aliased."""
    if ruling.kind == "plain":
        return
    h, w = image.shape[:2]
    ink = np.zeros((h, w), np.float32)
    thick = max(1, int(round(ruling.width)))
    strength = rng.uniform(0.45, 0.9)
    offset = through % ruling.spacing
    for y in np.arange(offset, h, ruling.spacing):
        cv2.line(ink, (0, int(y * 16)), (w * 16, int(y * 16)), strength, thick, cv2.LINE_AA, shift=4)
    if ruling.kind == "squared":
        for x in np.arange(rng.uniform(0, ruling.spacing), w, ruling.spacing):
            cv2.line(ink, (int(x * 16), 0), (int(x * 16), h * 16), strength, thick, cv2.LINE_AA, shift=4)
    _lay(image, np.clip(ink, 0, 1), ruling.colour)
    if ruling.margin_x is not None:
        red = np.zeros((h, w), np.float32)
        x = int(ruling.margin_x * 16)
        cv2.line(red, (x, 0), (x, h * 16), rng.uniform(0.5, 0.9), max(1, thick), cv2.LINE_AA, shift=4)
        _lay(image, red, (0.38, 0.33, 0.86))


def _lay(image: np.ndarray, cover: np.ndarray, colour: tuple[float, float, float]) -> None:
    """Ink over paper: where `cover` is 1 the paper is hidden by `colour`."""
    image *= 1.0 - cover[..., None]
    image += cover[..., None] * np.asarray(colour, np.float32)


@dataclass(frozen=True)
class Pen:
    kind: str
    width: float
    ink: str
    density: tuple[float, float]


def choose_pen(rng: np.random.Generator, digit_height: float) -> Pen:
    """A pen whose stroke suits the writing: nobody writes 40 px digits with a 20 px marker."""
    kind = _choose(rng, {"ballpoint": 0.37, "gel": 0.22, "marker": 0.31, "pencil": 0.1})
    (lo, hi), inks, density = PENS[kind]
    hi = min(hi, digit_height / 4.5)
    width = float(np.exp(rng.uniform(np.log(lo), np.log(max(lo, hi)))))
    return Pen(kind, width, inks[rng.integers(len(inks))], density)


def ink_density(rng: np.random.Generator, shape: tuple[int, int], pen: Pen) -> np.ndarray:
    """How much paper the ink hides at each point: ballpoints skip a little, pencil is grainy."""
    base = rng.uniform(*pen.density)
    if pen.kind == "pencil":
        grain = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 0.7)
        return np.clip(base * (0.55 + 0.9 * grain), 0, 1)
    if pen.kind == "ballpoint":
        skips = np.abs(smooth_noise(rng, shape, max(3.0, pen.width * 2)))
        return np.clip(base * (1.0 - 0.15 * skips), 0, 1)
    return np.full(shape, base, np.float32)


def ink_outline(alpha: np.ndarray, x0: int, y0: int) -> np.ndarray:
    """Outline points (pixel centres) of the ink in a glyph placed with its top-left corner at (x0, y0)."""
    contours, _ = cv2.findContours((alpha > 0.5).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    points = np.vstack([c.reshape(-1, 2) for c in contours]).astype(np.float32)
    return points + np.array([x0 + 0.5, y0 + 0.5], np.float32)


def _row_lengths(rng: np.random.Generator, n: int) -> list[int]:
    if n >= 2 and rng.random() < 0.4:
        first = int(rng.integers(1, n))
        return [first, n - first]
    return [n]


def _gap(rng: np.random.Generator, height: float, pen: Pen, touching: bool) -> float:
    """Space between neighbouring digits' ink: natural spacing, or kerned into each other when touching."""
    if touching:
        return height * rng.uniform(-0.12, 0.06)
    return max(height * rng.uniform(0.15, 0.6), pen.width + 4)


def layout(rng: np.random.Generator, glyphs: list[list[np.ndarray]], height: float, pen: Pen, ruling: Ruling,
           touching: bool) -> list[list[tuple[int, int]]]:
    """Top-left corners of every glyph, with row 1's baseline at y = 0 and its first digit at x = 0.

    Rows wander and tilt a little; a second row starts a rule (or a free gap) below the first and is pushed
    down if the wandering would let it touch the first.
    """
    corners: list[list[tuple[int, int]]] = []
    baseline = 0.0
    bottom_so_far = -np.inf
    for r, row in enumerate(glyphs):
        if r > 0:
            needed = bottom_so_far + height * rng.uniform(0.4, 0.9) + max(g.shape[0] for g in row)
            baseline = needed if ruling.kind == "plain" else float(np.ceil(needed / ruling.spacing) * ruling.spacing)
        x = 0.0 if r == 0 else rng.uniform(-0.5, 1.0) * height
        slope, wander = rng.normal(0, 0.01), 0.0
        row_corners = []
        for g in row:
            wander += rng.normal(0, 0.02 * height)
            bottom = baseline + slope * x + wander - rng.uniform(0, 0.06) * height
            row_corners.append((int(round(x)), int(round(bottom - g.shape[0]))))
            x += g.shape[1] + _gap(rng, height, pen, touching)
        if r > 0:
            top = min(y for _, y in row_corners)
            push = max(0, int(np.ceil(bottom_so_far + 0.25 * height - top)))
            row_corners = [(x0, y0 + push) for x0, y0 in row_corners]
        bottom_so_far = max(y0 + g.shape[0] for (_, y0), g in zip(row_corners, row))
        corners.append(row_corners)
    return corners


def write_sheet(rng: np.random.Generator, source: GlyphSource, touching: bool = False,
                digits: int | None = None) -> Sheet:
    """A sheet with 1-10 digits (or `digits`) in one or two rows, written with one pen on one paper."""
    n = int(digits if digits is not None else rng.integers(1, MAX_DIGITS + 1))
    rows = _row_lengths(rng, n)
    height = float(rng.uniform(40.0, max(40.0, min(170.0, 0.9 * SHEET_WIDTH / (1.2 * max(rows))))))
    ruling = choose_ruling(rng, height)
    pen = choose_pen(rng, height)
    labels = [[int(d) for d in rng.integers(0, 10, size=count)] for count in rows]
    while True:  # shrink the writing until the widest row fits on the sheet
        glyphs = [[source.draw(d, rng, height * rng.uniform(0.88, 1.12), pen.width) for d in row] for row in labels]
        corners = layout(rng, glyphs, height, pen, ruling, touching)
        boxes = [(x0, y0, x0 + g.shape[1], y0 + g.shape[0])
                 for row_g, row_c in zip(glyphs, corners) for g, (x0, y0) in zip(row_g, row_c)]
        lo = np.min(np.asarray(boxes)[:, :2], axis=0)
        hi = np.max(np.asarray(boxes)[:, 2:], axis=0)
        if hi[0] - lo[0] <= 0.94 * SHEET_WIDTH:
            break
        height *= 0.9 * 0.94 * SHEET_WIDTH / (hi[0] - lo[0])

    block_w, block_h = hi - lo
    sheet_h = int(max(SHEET_WIDTH * rng.uniform(0.7, 1.45), block_h + 4 * height))
    left = ruling.margin_x + 0.3 * height if ruling.margin_x is not None else 0.03 * SHEET_WIDTH
    left = left if left + block_w <= 0.98 * SHEET_WIDTH else 0.02 * SHEET_WIDTH
    shift_x = int(rng.uniform(left, max(left, 0.98 * SHEET_WIDTH - block_w))) - int(lo[0])
    shift_y = int(rng.uniform(1.5 * height, sheet_h - block_h - 1.5 * height)) - int(lo[1])

    paper = _choose(rng, {"white": 0.4, "cream": 0.15, "yellow": 0.12, "light blue": 0.1, "grey recycled": 0.15,
                          "pink": 0.08})
    image = paper_surface(rng, (sheet_h, SHEET_WIDTH), _paper_colour(rng, paper), speckle=paper == "grey recycled")
    draw_ruling(image, ruling, rng, through=shift_y)
    outlines, heights = [], []
    for row_g, row_c in zip(glyphs, corners):
        for g, (x0, y0) in zip(row_g, row_c):
            x0, y0 = x0 + shift_x, y0 + shift_y
            _lay(image[y0:y0 + g.shape[0], x0:x0 + g.shape[1]], g * ink_density(rng, g.shape, pen), INKS[pen.ink])
            outlines.append(ink_outline(g, x0, y0))
            heights.append(float(g.shape[0] - 4))
    points = np.vstack(outlines)
    block = (float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max()))
    text = "\n".join("".join(str(d) for d in row) for row in labels)
    conditions = {"source": source.name, "paper": paper, "ruling": ruling.kind, "pen": pen.kind, "ink": pen.ink,
                  "pen_px": round(pen.width, 1), "digit_px": round(height, 1), "digits": n, "rows": len(rows)}
    return Sheet(np.clip(image, 0, 1), text, outlines, block, conditions, heights)


def blank_sheet(rng: np.random.Generator) -> Sheet:
    """Paper with nothing written on it: rules, squares, fibre and flecks are all a reader should see."""
    ruling = choose_ruling(rng, float(rng.uniform(40.0, 170.0)))
    sheet_h = int(SHEET_WIDTH * rng.uniform(0.7, 1.45))
    paper = _choose(rng, {n: 1.0 for n in PAPERS})
    image = paper_surface(rng, (sheet_h, SHEET_WIDTH), _paper_colour(rng, paper), speckle=paper == "grey recycled")
    draw_ruling(image, ruling, rng, through=rng.uniform(0, sheet_h))
    w, h = rng.uniform(0.2, 0.8) * SHEET_WIDTH, rng.uniform(0.1, 0.4) * sheet_h
    x0, y0 = rng.uniform(0, SHEET_WIDTH - w), rng.uniform(0, sheet_h - h)
    conditions = {"paper": paper, "ruling": ruling.kind}
    return Sheet(np.clip(image, 0, 1), "", [], (x0, y0, x0 + w, y0 + h), conditions, [])


def _paper_colour(rng: np.random.Generator, name: str) -> tuple[float, float, float]:
    base = np.asarray(PAPERS[name]) + rng.normal(0, 0.01, 3)
    return tuple(np.clip(base, 0, 1))
