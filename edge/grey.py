"""Any camera frame or image file -> one uint8 grey plane, the only input the pixel pipeline reads."""
from __future__ import annotations

import cv2
import numpy as np


def to_grey(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W) from grey, (H, W, 1), BGR or BGRA; 8 bit, 16 bit, other integers, bool or float.

    Floats are taken as [0, 1] when their largest value is at most 1, else as [0, 255]; NaN counts as 0.
    Alpha is ignored: a transparent PNG's colour channels are what a person drew.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"expected a grey, BGR or BGRA image, got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"empty image, shape {image.shape}")
    image = _to_uint8(image)
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    return image


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """Same shape, uint8; 16-bit keeps its high byte, other types are scaled or clipped into 0..255."""
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.bool_:
        return image.view(np.uint8) * np.uint8(255)
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    if np.issubdtype(image.dtype, np.integer):
        return np.clip(image, 0, 255).astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        with np.errstate(over="ignore"):  # values past float32's range become inf, then 255
            single = image.astype(np.float32, copy=False)
        finite = np.nan_to_num(single, nan=0.0, posinf=255.0, neginf=0.0)
        peak = float(finite.max())
        scale = 255.0 if peak <= 1.0 else 1.0
        return np.clip(finite * scale + 0.5, 0, 255).astype(np.uint8)
    raise ValueError(f"unsupported pixel type {image.dtype}")


def y_plane(buffer: np.ndarray, width: int, height: int) -> np.ndarray:
    """The luma plane of a YUV420 frame (picamera2's lores stream), as a view: no copy, no colour conversion.

    `buffer` is (height * 3 // 2, stride) uint8 with stride >= width; rows past `height` hold U and V.
    """
    if buffer.ndim != 2 or buffer.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 YUV420 buffer, got {buffer.dtype} {buffer.shape}")
    if width < 1 or height < 1:
        raise ValueError(f"frame size must be positive, got {width}x{height}")
    if buffer.shape[0] < height * 3 // 2 or buffer.shape[1] < width:
        raise ValueError(f"a {width}x{height} YUV420 frame needs at least {height * 3 // 2} rows of {width}, "
                         f"got {buffer.shape}")
    return buffer[:height, :width]
