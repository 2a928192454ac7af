"""train.variants: European 1s and 7s are drawn on real MNIST digits, and nothing else changes."""
from __future__ import annotations

import numpy as np

from train.variants import CENTRE, add_variants, cross_seven, flag_one


def a_one() -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 13:16] = 255  # an upright stroke, 20 tall, like MNIST's fitted 1s
    return image


def a_seven() -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[4:7, 8:21] = 255
    for y in range(7, 24):
        x = 20 - (y - 7) * 8 // 17
        image[y, x - 1:x + 2] = 255
    return image


def mass_centre(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(image.shape)
    weight = image.astype(np.float64)
    return float((ys * weight).sum() / weight.sum()), float((xs * weight).sum() / weight.sum())


def test_a_flag_goes_down_and_left_from_the_top_and_the_digit_is_recentred():
    flagged = flag_one(a_one(), np.random.default_rng(0))
    assert flagged.dtype == np.uint8 and flagged.shape == (28, 28)
    ys, xs = np.nonzero(flagged > 96)
    top = ys.min()
    assert xs[ys <= top + 3].min() < xs[ys >= ys.max() - 3].min() - 2  # ink near the top reaches further left
    cy, cx = mass_centre(flagged)
    assert abs(cy - CENTRE) <= 1 and abs(cx - CENTRE) <= 1


def test_a_foot_widens_the_bottom_of_the_one():
    plain = flag_one(a_one(), np.random.default_rng(1))
    footed = flag_one(a_one(), np.random.default_rng(1), foot=True)
    bottom = lambda image: np.count_nonzero(image[np.nonzero(image > 96)[0].max()] > 96)  # noqa: E731
    assert bottom(footed) >= bottom(plain) + 3


def test_a_crossed_seven_has_more_ink_across_its_stem_below_the_bar():
    seven = a_seven()
    crossed = cross_seven(seven, np.random.default_rng(2))
    widths = lambda image: (image > 96).sum(axis=1)  # noqa: E731
    assert widths(crossed)[12:22].max() >= widths(seven)[12:22].max() + 3


def test_only_a_share_of_the_ones_and_sevens_change():
    rng = np.random.default_rng(3)
    images = np.stack([a_one()] * 200 + [a_seven()] * 200 + [a_one()] * 50)
    labels = np.array([1] * 200 + [7] * 200 + [4] * 50)
    out = add_variants(images, labels, rng, ones=0.3, sevens=0.3)
    changed = (out != images).any(axis=(1, 2))
    assert 0.15 < changed[:200].mean() < 0.45 and 0.15 < changed[200:400].mean() < 0.45
    assert not changed[400:].any()  # a 4 drawn like a 1 is still left alone: labels decide
    assert (images == np.stack([a_one()] * 200 + [a_seven()] * 200 + [a_one()] * 50)).all()  # input untouched
