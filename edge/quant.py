"""Quantise and dequantise tensors with the scale and zero point a TFLite model declares (pure functions)."""
from __future__ import annotations

import numpy as np


def quantise(x: np.ndarray, scale: float, zero_point: int, dtype: np.dtype) -> np.ndarray:
    """Real values -> the tensor's integer type; a float tensor (scale 0) just takes the dtype."""
    dtype = np.dtype(dtype)
    if not scale or dtype.kind == "f":
        return np.asarray(x, dtype=dtype)
    info = np.iinfo(dtype)
    q = np.rint(np.asarray(x, dtype=np.float32) / np.float32(scale)) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantise(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Integer tensor -> float32 real values; a float tensor (scale 0) is returned as float32."""
    if not scale:
        return np.asarray(q, dtype=np.float32)
    return (np.asarray(q, dtype=np.float32) - np.float32(zero_point)) * np.float32(scale)
