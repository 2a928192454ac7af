"""The Keras model to convert: found, readable, and shaped the way edge feeds it, or one line saying why not."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

INPUT_SHAPE = (28, 28, 1)  # train.models.INPUT_SHAPE: float32 in [0, 1], ink bright on dark
CLASSES = (10, 11)  # the ten digits, and for train's cnn an eleventh output, none (touching digits)


class ModelError(Exception):
    """The model cannot be converted; the message is one line for the user."""


def check_file(path: Path) -> None:
    """The checks that need no TensorFlow, so a wrong path fails in milliseconds, not after a slow import."""
    if not path.exists():
        raise ModelError(f"{path}: no such model file (train one with `python -m train`)")
    if not path.is_file():
        raise ModelError(f"{path}: not a file")
    if path.suffix != ".keras":
        raise ModelError(f"{path}: expected a Keras 3 model file ending in .keras")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: corrupt or not a .keras model ({exc})") from None
    if "config.json" not in names:
        raise ModelError(f"{path}: not a .keras model (no config.json in the archive)")


def check_shapes(input_shape: Any, output_shape: Any, input_dtype: str) -> None:
    """Accept only the product's contract: one (None, 28, 28, 1) float32 input, one (None, 10) output (or
    (None, 11): the digits and none)."""
    if not isinstance(input_shape, tuple) or not isinstance(output_shape, tuple):
        raise ModelError("the model must have exactly one input and one output")
    if len(input_shape) == 3 and tuple(input_shape[1:]) == INPUT_SHAPE[:2]:
        raise ModelError(
            f"input shape {input_shape} is the tutorial's seed network, which expects its own normalisation; "
            "convert takes (None, 28, 28, 1) in [0, 1] (train with --arch cnn or mlp)"
        )
    if tuple(input_shape[1:]) != INPUT_SHAPE:
        raise ModelError(f"input shape {input_shape}, expected (None, 28, 28, 1)")
    if input_shape[0] is not None:
        raise ModelError(f"input shape {input_shape} fixes the batch size; edge needs it free (None)")
    if len(output_shape) != 2 or output_shape[1] not in CLASSES:
        raise ModelError(f"output shape {output_shape}, expected (None, 10) digit probabilities "
                         "(or (None, 11): the digits and none)")
    if input_dtype != "float32":
        raise ModelError(f"input dtype {input_dtype}, expected float32")


def load(path: Path) -> Any:
    """Load `path` with Keras (TensorFlow must be importable) and check its shapes."""
    from tensorflow import keras

    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as exc:  # zip, h5, JSON and deserialisation errors all mean "cannot use this file"
        reason = (str(exc).strip().splitlines() or [""])[0][:200]
        raise ModelError(f"{path}: cannot load as a Keras model ({type(exc).__name__}: {reason})") from None
    try:
        check_shapes(model.input_shape, model.output_shape, str(model.inputs[0].dtype))
    except ModelError as exc:
        raise ModelError(f"{path}: {exc}") from None
    return model
