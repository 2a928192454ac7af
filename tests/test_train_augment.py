"""The training distortions keep labels, shapes and value ranges, and do change the images."""
from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from train.augment import augment  # noqa: E402


def _digits(n: int = 64) -> np.ndarray:
    x = np.zeros((n, 28, 28, 1), np.float32)
    x[:, 6:22, 12:16, 0] = 1.0  # a bar, like a "1"
    return x


def test_labels_and_ranges_are_kept() -> None:
    tf.random.set_seed(0)
    x = _digits()
    y = np.arange(64, dtype=np.int32) % 10
    out, labels = augment(tf.constant(x), tf.constant(y))
    out = out.numpy()
    np.testing.assert_array_equal(labels.numpy(), y)
    assert out.shape == x.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.allclose(out, x)


def test_ink_stays_in_the_frame() -> None:
    tf.random.set_seed(1)
    out = augment(tf.constant(_digits()), tf.zeros(64, tf.int32))[0].numpy()
    ink = out[..., 0] > 0.5
    assert ink.sum(axis=(1, 2)).min() > 10  # no digit is erased or pushed out
    border = np.concatenate([ink[:, :2].reshape(64, -1), ink[:, -2:].reshape(64, -1)], axis=1)
    assert border.sum() == 0


def test_distortions_vary_across_the_batch() -> None:
    tf.random.set_seed(2)
    out = augment(tf.constant(_digits()), tf.zeros(64, tf.int32))[0].numpy()
    flat = out.reshape(64, -1)
    assert len({tuple(np.round(r[:: 7], 2)) for r in flat}) > 32
