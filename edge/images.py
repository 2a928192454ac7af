"""Read and write image files with one-line errors instead of OpenCV's silent None."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from edge import atomic
from edge.cvlog import quiet_opencv

MAX_PIXELS = 120_000_000  # past this a photo is refused rather than risk the device's memory
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


class ImageError(Exception):
    """An image file that cannot be used; the message says why in one line."""


def png_problem(data: bytes | memoryview) -> str | None:
    """Why a PNG's chunks cannot be what they claim, or None. OpenCV allocates what a chunk's length field says
    before reading it: a 500-byte file whose IDAT claims 3 GB costs 3 GB of memory and seconds. So every length
    is held against what the file holds before OpenCV sees it."""
    if bytes(data[:8]) != PNG_SIGNATURE:
        return None
    at = len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        length, kind = int.from_bytes(data[at:at + 4], "big"), bytes(data[at + 4:at + 8])
        if at + 12 + length > len(data):
            return (f"truncated or corrupt PNG (its {kind.decode('latin-1')!r} chunk claims {length:,} bytes, "
                    f"{max(0, len(data) - at - 12):,} follow)")
        if kind == b"IEND":
            return None
        at += 12 + length
    return "truncated PNG (no IEND chunk)"


def load(path: str | Path, grey: bool = False) -> np.ndarray:
    """Any image OpenCV reads (8 or 16 bit, grey, BGR or BGRA), as stored, or as 8-bit grey when `grey` (a third
    of the memory for a big colour photo); errors name the problem."""
    path = Path(path)
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise ImageError(exc.strerror or str(exc)) from None
    if raw.size == 0:
        raise ImageError("empty file")
    problem = png_problem(raw.data)
    if problem:
        raise ImageError(problem)
    image = None
    try:
        with quiet_opencv():
            if grey or bytes(raw[:3]) == JPEG_SIGNATURE:
                # A phone stores a photo as its sensor lay and says in EXIF how to turn it upright. OpenCV turns
                # it for every flag but IMREAD_UNCHANGED, which a JPEG (no alpha, 8 bits) does not need.
                image = cv2.imdecode(raw, cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_ANYCOLOR)
            if image is None:  # a kind OpenCV reads only as stored (float TIFF), or alpha and depth to keep
                image = cv2.imdecode(raw, cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:  # a header claiming more pixels than OpenCV may allocate (edge/__init__.py)
        if "MAX_IMAGE" in str(exc):
            raise ImageError(f"declares more than {MAX_PIXELS:,} pixels") from None
        raise ImageError(f"not an image OpenCV can decode ({str(exc).strip().splitlines()[-1]})") from None
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
