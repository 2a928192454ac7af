"""Small real TFLite models for edge tests, converted with TensorFlow at test time (edge itself never uses TF)."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def tiny_keras(input_shape: tuple[int, ...] = (28, 28, 1), batch: int | None = None, seed: int = 0,
               classes: int = 10):
    """A deterministic conv net (random weights are enough to compare runtimes on the same inputs)."""
    from tensorflow import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=input_shape, batch_size=batch)
    x = inputs if len(input_shape) == 3 else keras.layers.Reshape((28, 28, 1))(inputs)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def convert(model, path: Path, quant: str = "float32", calibration: np.ndarray | None = None) -> Path:
    """Write `model` as a TFLite file: float32, or full-integer int8 calibrated on `calibration`."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if quant == "int8":
        assert calibration is not None
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([c[None]] for c in calibration.astype(np.float32))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    path.write_bytes(converter.convert())
    return path
