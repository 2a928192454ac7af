"""Run a TFLite model with the device's interpreter (ai-edge-litert) and measure what conversion cost."""
from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter
from tqdm import tqdm

from convert.sidecar import LABELS

BATCH = 256
DIGITS = len(LABELS)  # the outputs that are digits; an eleventh, none, is left out of the accuracies


@dataclass(frozen=True)
class Verification:
    """Keras against TFLite on the same images: the figures the sidecar and the table report."""

    samples: int
    keras_accuracy: float
    tflite_accuracy: float
    drop_pp: float  # percentage points lost; negative when TFLite did better
    agreement: float  # share of images where both pick the same digit
    ms_per_image: float

    def as_dict(self) -> dict[str, Any]:
        rounded = {k: round(v, 6) if isinstance(v, float) else v for k, v in asdict(self).items()}
        rounded["drop_pp"] = round(self.drop_pp, 4)
        rounded["ms_per_image"] = round(self.ms_per_image, 4)
        return rounded


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: np.dtype) -> np.ndarray:
    """Float input -> the tensor's dtype: q = round(x / scale) + zero_point, clipped (scale 0: float tensor)."""
    dtype = np.dtype(dtype)
    if not scale:
        return x.astype(dtype)
    info = np.iinfo(dtype)
    return np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """The tensor's values as float32: (q - zero_point) * scale (scale 0: already float)."""
    if not scale:
        return q.astype(np.float32)
    return ((q.astype(np.float32) - zero_point) * scale).astype(np.float32)


def interpreter_for(model_content: bytes) -> Interpreter:
    interpreter = Interpreter(model_content=model_content)
    interpreter.allocate_tensors()
    return interpreter


def predict(interpreter: Interpreter, images: np.ndarray, batch: int = BATCH, progress: bool = False) -> np.ndarray:
    """Probabilities (N, classes) for float images (N, 28, 28, 1) in [0, 1], `batch` at a time (input resized)."""
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    in_scale, in_zero = inp["quantization"]
    out_scale, out_zero = out["quantization"]
    chunks = range(0, len(images), batch)
    results = []
    for start in tqdm(chunks, desc="verifying", unit="batch", disable=None if progress else True, delay=0.5):
        chunk = images[start:start + batch]
        if interpreter.get_input_details()[0]["shape"][0] != len(chunk):
            interpreter.resize_tensor_input(inp["index"], [len(chunk), *images.shape[1:]])
            interpreter.allocate_tensors()
        interpreter.set_tensor(inp["index"], quantize(chunk, in_scale, in_zero, inp["dtype"]))
        interpreter.invoke()
        results.append(dequantize(interpreter.get_tensor(out["index"]), out_scale, out_zero))
    return np.concatenate(results) if results else np.zeros((0, out["shape"][-1]), np.float32)


def ms_per_image(model_content: bytes, images: np.ndarray, runs: int = 200, warmup: int = 10) -> float:
    """Median wall time of one batch-1 call (quantise, invoke, read back): what a single crop costs."""
    interpreter = interpreter_for(model_content)
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    in_scale, in_zero = inp["quantization"]
    times = []
    for i in range(warmup + min(runs, len(images))):
        image = images[(i % len(images)):(i % len(images)) + 1]
        started = time.perf_counter()
        interpreter.set_tensor(inp["index"], quantize(image, in_scale, in_zero, inp["dtype"]))
        interpreter.invoke()
        interpreter.get_tensor(out["index"])
        if i >= warmup:
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


def compare(keras_probs: np.ndarray, tflite_probs: np.ndarray, labels: np.ndarray, ms: float) -> Verification:
    """Accuracies, the drop in percentage points and the argmax agreement of two models' outputs, over the
    digits (a none output, the eleventh, only makes edge doubt the digit, as train reports it)."""
    keras_pred, tflite_pred = keras_probs[:, :DIGITS].argmax(axis=1), tflite_probs[:, :DIGITS].argmax(axis=1)
    n = len(labels)
    keras_right, tflite_right = int(np.sum(keras_pred == labels)), int(np.sum(tflite_pred == labels))
    return Verification(
        samples=n,
        keras_accuracy=keras_right / n,
        tflite_accuracy=tflite_right / n,
        drop_pp=(keras_right - tflite_right) * 100 / n,  # from counts, so 30 in 10000 is exactly 0.3
        agreement=float(np.mean(keras_pred == tflite_pred)),
        ms_per_image=float(ms),
    )
