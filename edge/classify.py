"""One TFLite interpreter, created once, that turns a batch of 28x28 crops into class probabilities."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edge.quant import dequantise, quantise
from edge.runtime import interpreter_class

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "digits_int8.tflite"
NONE = "none"  # the label of a "no one digit here" output (two touching digits): its column is left out, so the
               # network's belief in it lowers every digit's probability and the crop is doubted


class ModelError(Exception):
    """The model cannot be used; the message is one line naming the file and what is wrong."""


@dataclass(frozen=True)
class TensorSpec:
    """What the device needs to know of one tensor: where it is, its type and quantisation."""

    index: int
    shape: tuple[int, ...]
    dynamic_batch: bool
    dtype: np.dtype
    scale: float
    zero_point: int


def _spec(details: dict[str, Any]) -> TensorSpec:
    scale, zero_point = details.get("quantization", (0.0, 0))
    signature = details.get("shape_signature", details["shape"])
    return TensorSpec(
        index=int(details["index"]),
        shape=tuple(int(d) for d in details["shape"]),
        dynamic_batch=len(signature) > 0 and int(signature[0]) == -1,
        dtype=np.dtype(details["dtype"]),
        scale=float(scale),
        zero_point=int(zero_point),
    )


def sidecar_path(model: Path) -> Path:
    """`digits_int8.tflite` -> `digits_int8.json`, where convert writes the model's description."""
    return model.with_suffix(".json")


def read_sidecar(model: Path) -> dict[str, Any]:
    """The sidecar's contents, or {} when there is none (a bare model works with the defaults)."""
    path = sidecar_path(model)
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable sidecar ({exc})") from None
    if not isinstance(content, dict):
        raise ModelError(f"{path}: sidecar is not a JSON object")
    return content


class Classifier:
    """Classify (N, 28, 28) float32 crops in [0, 1] (ink bright) in one interpreter call per frame."""

    def __init__(self, model: str | os.PathLike[str] = DEFAULT_MODEL, threads: int = 1) -> None:
        self.path = Path(model)
        if not self.path.is_file():
            raise ModelError(f"{self.path}: model file not found (train and convert one: make model)")
        self.sidecar = read_sidecar(self.path)
        labels = self.sidecar.get("labels", list(range(10)))
        if not isinstance(labels, list):
            raise ModelError(f"{sidecar_path(self.path)}: labels must be a list, got {json.dumps(labels)[:40]}")
        outputs_named = [str(label) for label in labels]
        self._kept = [i for i, label in enumerate(outputs_named) if label != NONE]
        self.labels: list[str] = [outputs_named[i] for i in self._kept]
        interpreter, self.runtime = interpreter_class()
        try:
            self._interpreter = interpreter(model_path=str(self.path), num_threads=threads)
            self._interpreter.allocate_tensors()
            inputs = self._interpreter.get_input_details()
            outputs = self._interpreter.get_output_details()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{self.path}: not a usable TFLite model ({str(exc).splitlines()[0]})") from None
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{self.path}: expected one input and one output, got {len(inputs)} and {len(outputs)}")
        self._input, self._output = _spec(inputs[0]), _spec(outputs[0])
        if self._input.shape[1:] not in ((28, 28), (28, 28, 1)):
            raise ModelError(f"{self.path}: input shape {list(self._input.shape)} is not (N, 28, 28[, 1])")
        if self._output.shape[-1] != len(outputs_named):
            raise ModelError(f"{self.path}: {self._output.shape[-1]} outputs for {len(outputs_named)} labels")
        self._batch = self._input.shape[0]

    def _resize(self, n: int) -> None:
        if n != self._batch:
            self._interpreter.resize_tensor_input(self._input.index, [n, *self._input.shape[1:]])
            self._interpreter.allocate_tensors()
            self._batch = n

    def _invoke(self, batch: np.ndarray) -> np.ndarray:
        x = quantise(batch.reshape((len(batch), *self._input.shape[1:])), self._input.scale,
                     self._input.zero_point, self._input.dtype)
        self._interpreter.set_tensor(self._input.index, x)
        self._interpreter.invoke()
        raw = self._interpreter.get_tensor(self._output.index)
        return dequantise(raw, self._output.scale, self._output.zero_point).reshape(len(batch), -1)[:, self._kept]

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 -> (N, digits) float32; one invoke when the model's batch is dynamic. A none
        output is left out, so the rows of crops the network takes for no one digit sum to less than 1."""
        n = len(crops)
        if n == 0:
            return np.zeros((0, len(self.labels)), np.float32)
        if self._input.dynamic_batch:
            self._resize(n)
            return self._invoke(crops)
        size = self._input.shape[0]  # a fixed batch: run it in chunks, padding the last with blank crops
        padded = np.zeros((-(-n // size) * size, *crops.shape[1:]), np.float32)
        padded[:n] = crops
        return np.concatenate([self._invoke(padded[i: i + size]) for i in range(0, len(padded), size)])[:n]


def as_one_digit(probabilities: np.ndarray) -> np.ndarray:
    """Each row of `Classifier.probabilities` scaled to sum to 1: what each digit is likely to be, given that
    the mark is one digit. The doubt a none output casts sends a mark to the second look, to be cut in two; a
    mark that stays whole is read as the digit it most likely is (a wide 0 that looked a little like a pair is
    still a sure 0). Rows of a ten-output model already sum to 1."""
    return probabilities / np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-6)
