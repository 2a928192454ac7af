"""Draw what the recognizer saw onto a copy of the frame: boxes, digits, the reading, timings and the crops.

Drawing is a pure function of the frame and the reading so every display and the recorder show the same
picture, and so it can be tested on synthetic frames. Everything here is a handful of OpenCV primitives on
one copy of the frame: well under 2 ms at 640x480.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.reading import UNSURE, Reading

SURE = (80, 220, 60)  # BGR green: a digit the model is sure of
DOUBT = (0, 170, 255)  # BGR orange: a digit drawn as '?'
TEXT = (255, 255, 255)
INK = (0, 0, 0)
FONT = cv2.FONT_HERSHEY_SIMPLEX
BIG_FONT = cv2.FONT_HERSHEY_DUPLEX
MARGIN = 8
BACKING = 0.35  # what is left of the picture under a text backing: dark enough to read white type on white paper


@dataclass(frozen=True)
class Stats:
    """The loop's frame rate and how many milliseconds each stage of the last frame took."""

    fps: float
    stages: dict[str, float] = field(default_factory=dict)


def draw(frame: np.ndarray, reading: Reading, stats: Stats | None = None, crops: np.ndarray | None = None,
         box_scale: float = 1.0) -> np.ndarray:
    """An annotated BGR copy of `frame` (BGR or grey uint8); `frame` itself is never changed.

    `box_scale` maps the reading's boxes (analysis pixels) onto `frame` when the shown image is larger.
    `crops` ((N, 28, 28) float in [0, 1], in `reading.digits` order) become an inset strip; each is labelled
    with its digit when there is one crop per digit.
    """
    if frame.dtype != np.uint8 or frame.ndim not in (2, 3):
        raise ValueError(f"overlay needs a uint8 grey or BGR image, got {frame.dtype} {frame.shape}")
    out = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame.copy()
    size = max(0.5, min(out.shape[:2]) / 480)  # type scales with the picture so a 1080p kiosk stays readable
    _digits(out, reading, box_scale, size)
    bottom = _stats(out, stats, size) if stats is not None else out.shape[0] - MARGIN
    if crops is not None and len(crops):
        _inset(out, crops, reading, size, bottom)
    if reading.rows:
        _reading(out, reading.text.split("\n"), size)
    return out


def _darken(out: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Dim a rectangle so the type over it reads on any background."""
    h, w = out.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        out[y0:y1, x0:x1] = cv2.convertScaleAbs(out[y0:y1, x0:x1], alpha=BACKING)


def _digits(out: np.ndarray, reading: Reading, box_scale: float, size: float) -> None:
    """A box per digit and a tag above it: the digit (or '?') and the model's confidence."""
    thick, ink = max(1, round(2 * size)), max(1, round(size))
    scale = 0.5 * size
    boxes = [tuple(round(v * box_scale) for v in d.box) for d in reading.digits]
    for d, (x, y, w, h) in zip(reading.digits, boxes):
        cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), SURE if d.sure else DOUBT, thick)
    texts = [(f"{d.digit if d.sure else UNSURE}", f" {d.confidence:.0%}") for d in reading.digits]
    for d, (tag, (x, top, tw, tag_h)) in zip(reading.digits, _tags(boxes, texts, scale, ink)):
        cv2.rectangle(out, (x, top), (x + tw + 4, top + tag_h), SURE if d.sure else DOUBT, cv2.FILLED)
        cv2.putText(out, tag, (x + 2, top + tag_h - 3), FONT, scale, INK, ink, cv2.LINE_AA)


def _tags(boxes: list[tuple[int, ...]], texts: list[tuple[str, str]], scale: float,
          ink: int) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each digit's tag and where it goes (x, top, text width, height): above its box (below when the box
    touches the frame's top). The confidence is left off a tag that would run into a neighbour's digit, so
    the tags of digits written close together do not cover each other."""

    def place(box: tuple[int, ...], tag: str) -> tuple[int, int, int, int]:
        x, y, w, h = box
        (tw, th), base = cv2.getTextSize(tag, FONT, scale, ink)
        tag_h = th + base + 2
        return x, (y - tag_h if y >= tag_h else y + h), tw, tag_h

    short = [place(box, digit) for box, (digit, _) in zip(boxes, texts)]
    placed = []
    for i, (box, (digit, confidence)) in enumerate(zip(boxes, texts)):
        full = place(box, digit + confidence)
        crowded = any(_overlap(full, other) for j, other in enumerate(short) if j != i)
        placed.append((digit, short[i]) if crowded else (digit + confidence, full))
    return placed


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Whether two tags' rectangles (x, top, text width, height; drawn 4 px wider) cover each other."""
    return a[0] < b[0] + b[2] + 4 and b[0] < a[0] + a[2] + 4 and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _reading(out: np.ndarray, lines: list[str], size: float) -> None:
    """The reading in large type at the top left, one line per row, on a dark backing."""
    scale, thick = 1.6 * size, max(2, round(3 * size))
    sizes = [cv2.getTextSize(line or " ", BIG_FONT, scale, thick) for line in lines]
    line_h = max(th + base for (_, th), base in sizes) + round(6 * size)
    width = max(tw for (tw, _), _ in sizes)
    pad = round(MARGIN * size)
    _darken(out, MARGIN, MARGIN, MARGIN + width + 2 * pad, MARGIN + line_h * len(lines) + pad)
    for i, ((_, th), _) in enumerate(sizes):
        y = MARGIN + pad + i * line_h + th
        cv2.putText(out, lines[i], (MARGIN + pad, y), BIG_FONT, scale, TEXT, thick, cv2.LINE_AA)


def _stats(out: np.ndarray, stats: Stats, size: float) -> int:
    """Frame rate and per-stage milliseconds in small type at the bottom left, wrapped to the picture's width.

    Returns the top of the block, so the inset can sit above it.
    """
    scale, thick = 0.45 * size, 1
    parts = [f"{stats.fps:.1f} fps"] + [f"{name} {ms:.1f}" for name, ms in stats.stages.items()]
    if stats.stages:
        parts[-1] += " ms"
    lines: list[str] = []
    for part in parts:
        joined = f"{lines[-1]}  {part}" if lines else part
        if lines and cv2.getTextSize(joined, FONT, scale, thick)[0][0] <= out.shape[1] - 2 * MARGIN - 8:
            lines[-1] = joined
        else:
            lines.append(part)
    (_, th), base = cv2.getTextSize("0", FONT, scale, thick)
    line_h = th + base + 4
    width = max(cv2.getTextSize(line, FONT, scale, thick)[0][0] for line in lines)
    top = out.shape[0] - MARGIN - line_h * len(lines) - 4
    _darken(out, MARGIN, top, MARGIN + width + 8, out.shape[0] - MARGIN)
    for i, line in enumerate(lines):
        cv2.putText(out, line, (MARGIN + 4, top + 2 + th + i * line_h), FONT, scale, TEXT, thick, cv2.LINE_AA)
    return top


def _inset(out: np.ndarray, crops: np.ndarray, reading: Reading, size: float, bottom: int) -> None:
    """The 28x28 crops the model saw, enlarged in a strip at the bottom right (ending at `bottom`), labelled.

    The bottom edge is where the paper matters least: the digits are usually mid-frame, the reading top left.
    """
    digits = reading.digits if len(reading.digits) == len(crops) else None
    cell = max(28, round(56 * size) // 28 * 28)  # whole multiples of 28: every model pixel stays square
    scale, thick = 0.45 * size, 1
    (_, th), base = cv2.getTextSize("0", FONT, scale, thick)
    label_h = th + base + 4 if digits else 0
    gap, step_y = 4, cell + label_h + 4
    per_row = (out.shape[1] - 2 * MARGIN - gap) // (cell + gap)
    max_rows = (out.shape[0] // 3) // step_y  # at most a third of the height
    if per_row < 1 or max_rows < 1:
        return  # a picture too small for even one enlarged crop
    rows = min(-(-len(crops) // per_row), max_rows)
    shown = min(len(crops), rows * per_row)
    cols = min(per_row, shown)
    x0 = out.shape[1] - MARGIN - cols * (cell + gap) - gap
    y0 = bottom - rows * step_y - gap
    _darken(out, x0, y0, out.shape[1] - MARGIN, bottom)
    pixels = np.clip(np.asarray(crops[:shown], np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    for i in range(shown):
        cx = x0 + gap + (i % cols) * (cell + gap)
        cy = y0 + gap + (i // cols) * step_y
        out[cy:cy + cell, cx:cx + cell] = cv2.resize(pixels[i], (cell, cell), interpolation=cv2.INTER_NEAREST)[:, :, None]
        if digits:  # a tag like the boxes' ones: the digit on its colour
            d = digits[i]
            cv2.rectangle(out, (cx, cy + cell), (cx + cell - 1, cy + cell + label_h - 1), SURE if d.sure else DOUBT,
                          cv2.FILLED)
            cv2.putText(out, str(d.digit) if d.sure else UNSURE, (cx + 2, cy + cell + th + 1), FONT, scale, INK,
                        thick, cv2.LINE_AA)
