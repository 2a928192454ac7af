"""The three networks: the tutorial's `seed`, the same layers on our input contract (`mlp`), and the default `cnn`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tensorflow import keras

INPUT_SHAPE = (28, 28, 1)  # the contract convert and edge rely on: float32 in [0, 1], ink bright on dark
NONE = 10  # the cnn's eleventh output: no one digit (touching digits squeezed into one crop; train.touching)


@dataclass(frozen=True)
class Recipe:
    """How one architecture is built, fed and trained by default."""

    build: Callable[[], keras.Model]
    prepare: Callable[[np.ndarray], np.ndarray]  # uint8 (N, 28, 28) -> the model's input
    epochs: int
    batch_size: int
    augment: bool
    learning_rate: float | None  # None: the optimizer's default, as the tutorial had it
    variants: float = 0.0  # share of the training 1s and 7s written the European way (train.variants)
    redraw: float = 0.0  # share of each batch redrawn with an even pen stroke (train.augment.redraw)
    touching: float = 0.0  # touching digits added as class NONE, as a share of the training digits


def seed_model() -> keras.Model:
    """The tutorial network exactly: Flatten, Dense 128 relu x2, Dense 10 softmax; adam; 3 epochs."""
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="seed",
    )
    return model


def seed_prepare(x: np.ndarray) -> np.ndarray:
    """The tutorial's normalisation: L2-normalise along axis 1 of the raw 0..255 images."""
    return keras.utils.normalize(x.astype("float32"), axis=1).astype("float32")


def mlp_model() -> keras.Model:
    """The tutorial's layers on our input contract, to show what the contract alone changes."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="mlp",
    )


def _conv_block(x: keras.KerasTensor, filters: int, padding: str = "same") -> keras.KerasTensor:
    # Conv without bias + BatchNorm + ReLU: BN folds into the conv at conversion, ReLU clamps well in int8.
    x = keras.layers.Conv2D(filters, 3, padding=padding, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    return keras.layers.ReLU()(x)


def cnn_model() -> keras.Model:
    """A small VGG-style network (~170k parameters): plain 3x3 convs, BN, ReLU and max-pooling only,
    so every op has a full-integer TFLite kernel and the Pi runs it in well under a millisecond per digit."""
    inputs = keras.Input(shape=INPUT_SHAPE)
    x = _conv_block(inputs, 32)
    x = _conv_block(x, 32)
    x = keras.layers.MaxPooling2D()(x)  # 14x14
    x = _conv_block(x, 64)
    x = _conv_block(x, 64)
    x = keras.layers.MaxPooling2D()(x)  # 7x7
    x = _conv_block(x, 128, padding="valid")  # 5x5
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.4)(x)
    outputs = keras.layers.Dense(NONE + 1, activation="softmax")(x)  # ten digits and none
    return keras.Model(inputs, outputs, name="cnn")


def unit_prepare(x: np.ndarray) -> np.ndarray:
    """Our contract: (N, 28, 28, 1) float32 in [0, 1]."""
    return (x.astype("float32") / 255.0)[..., None]


RECIPES: dict[str, Recipe] = {
    "seed": Recipe(seed_model, seed_prepare, epochs=3, batch_size=32, augment=False, learning_rate=None),
    "mlp": Recipe(mlp_model, unit_prepare, epochs=3, batch_size=32, augment=False, learning_rate=None),
    "cnn": Recipe(cnn_model, unit_prepare, epochs=20, batch_size=128, augment=True, learning_rate=2e-3,
                  variants=0.3, redraw=0.4, touching=0.1),
}
