"""Read and write image files with one-line errors instead of OpenCV's silent None."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from edge import atomic

MAX_PIXELS = 120_000_000  # past this a photo is refused rather than risk the device's memory


class ImageError(Exception):
    """An image file that cannot be used; the message says why in one line."""


def load(path: str | Path) -> np.ndarray:
    """Any image OpenCV reads (8 or 16 bit, grey, BGR or BGRA), as stored; errors name the problem."""
    path = Path(path)
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise ImageError(exc.strerror or str(exc)) from None
    if raw.size == 0:
        raise ImageError("empty file")
    image = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if image is None or image.size == 0:
        raise ImageError("not an image OpenCV can decode (or truncated)")
    if image.shape[0] * image.shape[1] > MAX_PIXELS:
        raise ImageError(f"{image.shape[1]}x{image.shape[0]} is too large")
    return image


def save_png(path: str | Path, image: np.ndarray) -> None:
    """Encode as PNG and write atomically."""
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ImageError(f"cannot encode {path}")
    atomic.write_bytes(path, encoded.tobytes())
