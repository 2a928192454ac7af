"""Keras model -> TFLite flatbuffer bytes, in one of four quantisation modes."""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

QUANT_MODES = ("int8", "float16", "dynamic", "float32")
CALIBRATION_SEED = 0  # fixed, so converting the same model twice gives the same file


def representative_set(images: np.ndarray, count: int, seed: int = CALIBRATION_SEED) -> np.ndarray:
    """`count` distinct images drawn at random from `images` (the training set, never the test set)."""
    if not 1 <= count <= len(images):
        raise ValueError(f"need 1..{len(images)} calibration images, asked for {count}")
    picks = np.random.default_rng(seed).choice(len(images), size=count, replace=False)
    return images[np.sort(picks)]


def _calibration_batches(images: np.ndarray) -> Iterator[list[np.ndarray]]:
    for image in images:
        yield [image[None].astype(np.float32)]


def to_tflite(model: Any, quant: str, calibration: np.ndarray | None = None) -> bytes:
    """Convert `model`; `calibration` ((N, 28, 28, 1) float32 in [0, 1]) is required for int8.

    int8 is full-integer: every op runs an int8 kernel (conversion fails rather than falling back to float)
    and the input and output tensors are int8 too, so the device quantises a crop once and does no float math.
    The model goes through a SavedModel with a free batch dimension, so the device can resize the input to
    classify every crop of a frame in one call.
    """
    if quant not in QUANT_MODES:
        raise ValueError(f"unknown quantisation {quant!r}; choose from {', '.join(QUANT_MODES)}")
    if quant == "int8" and (calibration is None or len(calibration) == 0):
        raise ValueError("int8 needs calibration images")
    import tensorflow as tf  # here, not at the top: the CLI checks its arguments before this slow import

    with tempfile.TemporaryDirectory(prefix="digitcam-convert-") as saved_model:
        model.export(saved_model, format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model)
        if quant != "float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if quant == "float16":
            converter.target_spec.supported_types = [tf.float16]
        if quant == "int8":
            converter.representative_dataset = lambda: _calibration_batches(calibration)
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        return converter.convert()
