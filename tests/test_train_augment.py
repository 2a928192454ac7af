"""The training distortions keep labels, shapes and value ranges, and do change the images."""
from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from train.augment import _elastic, augment, redraw  # noqa: E402


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


def test_elastic_warp_with_no_shift_is_the_image_itself() -> None:
    x = _digits(4)
    np.testing.assert_allclose(_elastic(tf.constant(x), max_shift=0.0).numpy(), x, atol=1e-6)


def test_elastic_warp_bends_a_straight_stroke_and_keeps_its_ink() -> None:
    tf.random.set_seed(3)
    x = _digits()
    out = _elastic(tf.constant(x), max_shift=2.0).numpy()[..., 0]
    rows = np.arange(8, 20)  # inside the bar, away from its warped ends
    columns = np.arange(28, dtype=np.float32)
    centres = (out[:, rows] * columns).sum(axis=2) / np.maximum(out[:, rows].sum(axis=2), 1e-6)
    # An affine map keeps a straight bar straight: what a line fitted through each row's centre leaves is a bend.
    fits = [np.polyval(np.polyfit(rows, c, 1), rows) for c in centres]
    bends = np.abs(centres - np.array(fits)).max(axis=1)
    assert np.median(bends) > 0.1
    ink = out.sum(axis=(1, 2)) / x[..., 0].sum(axis=(1, 2))
    assert 0.5 < ink.min() and ink.max() < 1.6  # stretched or squeezed in places, never erased or doubled


def test_redraw_draws_each_chosen_digit_along_its_centre_line_with_an_even_pen() -> None:
    tf.random.set_seed(4)
    x = _digits()
    lines = np.zeros((64, 56, 56), np.uint8)
    lines[:, 12:44, 28] = 255  # the bar's centre line, at twice the size
    out = redraw(tf.constant(x), tf.constant(lines), share=1.0).numpy()[..., 0]
    assert out.shape == (64, 28, 28) and out.min() >= 0.0 and out.max() <= 1.0
    rows = out[:, 8:20]  # away from the rounded ends
    widths = rows.sum(axis=2)  # ink across each row: the pen's width in pixels
    assert np.ptp(widths, axis=1).max() < 0.05  # even along the stroke
    assert set(np.round(widths[:, 0] * 2) / 2) == {1.5, 2.5, 3.5}  # pens of three widths, 1.5 to 3.5 px
    centres = (rows * np.arange(28)).sum(axis=2) / widths
    np.testing.assert_allclose(centres, 13.75, atol=0.3)  # on the line, not where the bar was drawn


def test_redraw_with_no_share_keeps_every_digit() -> None:
    x = _digits(8)
    lines = np.full((8, 56, 56), 255, np.uint8)
    np.testing.assert_array_equal(redraw(tf.constant(x), tf.constant(lines), share=0.0).numpy(), x)
