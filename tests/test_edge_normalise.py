"""edge.normalise: a box of a mask becomes a crop with MNIST's geometry (20-pixel fit, centred by mass)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from edge.normalise import crops, own_ink, stroke_width, to_mnist


def centre_of_mass(crop: np.ndarray) -> tuple[float, float]:
    ys, xs = np.mgrid[0:crop.shape[0], 0:crop.shape[1]]
    return float((crop * ys).sum() / crop.sum()), float((crop * xs).sum() / crop.sum())


def ink_box(crop: np.ndarray, level: float = 0.05) -> tuple[int, int]:
    """Height and width of the part of the crop holding ink above `level`."""
    ys, xs = np.nonzero(crop > level)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)


def digit_mask(text: str = "5", scale: float = 3.0, thickness: int = 6) -> tuple[np.ndarray, tuple[int, ...]]:
    mask = np.zeros((200, 200), np.uint8)
    cv2.putText(mask, text, (50, 150), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness)
    return mask, cv2.boundingRect(cv2.findNonZero(mask))


def test_crop_schema():
    mask, box = digit_mask()
    crop = to_mnist(mask, box)
    assert crop.shape == (28, 28) and crop.dtype == np.float32
    assert 0.0 <= crop.min() and crop.max() <= 1.0 and crop.max() > 0.9


@pytest.mark.parametrize("text", ["1", "5", "8", "7"])
def test_fits_twenty_pixels_and_centres_by_mass(text):
    mask, box = digit_mask(text)
    crop = to_mnist(mask, box)
    height, width = ink_box(crop)
    assert max(height, width) <= 21  # 20, plus the anti-aliased fringe
    assert max(height, width) >= 19
    cy, cx = centre_of_mass(crop)
    assert abs(cy - 14) <= 1.0 and abs(cx - 14) <= 1.0


def test_aspect_ratio_is_kept():
    mask = np.zeros((100, 100), np.uint8)
    cv2.rectangle(mask, (40, 10), (49, 89), 255, 3)  # a tall narrow outline, 10 x 80
    crop = to_mnist(mask, (40, 10, 10, 80))
    height, width = ink_box(crop, 0.3)
    assert height >= 19 and width <= 4


def test_neighbours_strokes_poking_into_the_box_are_left_out():
    mask, box = digit_mask("1")
    x, y, w, h = box
    alone = to_mnist(mask, box)
    cv2.line(mask, (x - 30, y + h // 2), (x + 2, y + h // 2), 255, 6)  # a neighbour's bar reaching in
    np.testing.assert_allclose(to_mnist(mask, box), alone)


def test_specks_of_grain_inside_the_box_are_left_out_of_the_crop():
    mask, box = digit_mask("2", scale=4.0, thickness=8)
    clean = to_mnist(mask, box)
    x, y, w, h = box
    for sx, sy in [(x + 3, y + 4), (x + w - 5, y + h // 2), (x + w // 2, y + 3)]:
        cv2.circle(mask, (sx, sy), 1, 255, -1)  # three 3x3 specks inside the box, apart from the strokes
    np.testing.assert_allclose(to_mnist(mask, box), clean)


def test_a_digit_cut_from_a_touching_neighbour_is_kept():
    mask = np.zeros((100, 200), np.uint8)
    cv2.circle(mask, (60, 50), 30, 255, 5)
    cv2.circle(mask, (123, 50), 30, 255, 5)  # touching: one blob
    left = own_ink(mask, (27, 17, 65, 67))
    assert np.count_nonzero(left) > 0.9 * np.count_nonzero(mask[17:84, 27:92])


def test_a_thin_pen_digit_is_thickened_towards_mnist_strokes():
    mask, box = digit_mask("3", scale=4.0, thickness=1)
    crop = to_mnist(mask, box)
    binary = (crop > 0.5).astype(np.uint8) * 255
    assert stroke_width(binary) >= 1.5
    thick_mask, thick_box = digit_mask("3", scale=4.0, thickness=12)
    assert stroke_width((to_mnist(thick_mask, thick_box) > 0.5).astype(np.uint8) * 255) >= 2.5  # not thinned


def test_stroke_width_measures_lines():
    for width in (1, 3, 6):
        mask = np.zeros((100, 100), np.uint8)
        mask[20:80, 50:50 + width] = 255
        assert abs(stroke_width(mask) - width) < 0.25 * width + 0.2


def test_empty_box_gives_an_empty_crop():
    mask = np.zeros((50, 50), np.uint8)
    assert not to_mnist(mask, (10, 10, 20, 20)).any()
    assert not to_mnist(mask, (60, 60, 5, 5)).any()  # outside the mask


def test_crops_of_no_boxes():
    out = crops(np.zeros((10, 10), np.uint8), [])
    assert out.shape == (0, 28, 28) and out.dtype == np.float32


def test_matches_mnist_geometry(mnist_path):
    """MNIST digits, enlarged, thresholded into masks and normalised again, land where MNIST's own do."""
    with np.load(mnist_path) as data:
        images = data["x_test"][:300]
    ours, theirs = [], []
    for image in images:
        big = cv2.resize(image, (112, 112), interpolation=cv2.INTER_CUBIC)
        mask = np.where(big > 100, 255, 0).astype(np.uint8)
        crop = to_mnist(mask, cv2.boundingRect(cv2.findNonZero(mask)))
        ours.append(centre_of_mass(crop) + ink_box(crop))
        theirs.append(centre_of_mass(image.astype(np.float32)) + ink_box(image / 255.0))
    ours_a, theirs_a = np.array(ours), np.array(theirs)
    assert np.abs(ours_a[:, :2].mean(axis=0) - theirs_a[:, :2].mean(axis=0)).max() < 0.3
    assert np.abs(ours_a[:, :2] - 14).max() <= 1.0
    assert np.median(ours_a[:, 2]) == np.median(theirs_a[:, 2]) == 20  # the longer side is the height, 20


def test_ink_keeps_its_tone_with_the_darkness_known():
    mask = np.zeros((100, 100), np.uint8)
    mask[10:90, 40:52] = 255  # a 12-pixel stroke ...
    darker = np.zeros_like(mask)
    darker[10:90, 40:52] = 30
    darker[10:90, 42:50] = 120  # ... dark in its 8-pixel core, its edges blurred and faint
    solid, toned = to_mnist(mask, (40, 10, 12, 80)), to_mnist(mask, (40, 10, 12, 80), darker=darker)
    across = toned[14]
    assert np.isclose(across.max(), 1.0) and 0.1 < across[across > 0].min() < 0.8  # a grey edge, a full core
    assert np.allclose(solid[14][solid[14] > 0], 1.0)  # the threshold alone: all of it solid


def test_toned_crops_of_blurred_mnist_digits_are_nearer_the_digits(mnist_path):
    """A defocused photo's stroke edges pass a low threshold: solid, the digit is fatter than written."""
    with np.load(mnist_path) as data:
        images = data["x_test"][:200]
    solid_error = toned_error = 0.0
    for image in images:
        darker = cv2.GaussianBlur(cv2.resize(image, (112, 112), interpolation=cv2.INTER_CUBIC), (0, 0), 3)
        mask = np.where(darker > 25, 255, 0).astype(np.uint8)
        box = cv2.boundingRect(cv2.findNonZero(mask))
        truth = image / 255.0
        solid_error += float(np.abs(to_mnist(mask, box) - truth).sum())
        toned_error += float(np.abs(to_mnist(mask, box, darker=darker) - truth).sum())
    assert toned_error < 0.8 * solid_error


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40)), elements=st.sampled_from([0, 255])),
       st.tuples(st.integers(-5, 45), st.integers(-5, 45), st.integers(0, 50), st.integers(0, 50)))
def test_any_mask_and_box_give_a_valid_crop(mask, box):
    crop = to_mnist(mask, box)
    assert crop.shape == (28, 28) and crop.dtype == np.float32
    assert np.isfinite(crop).all() and crop.min() >= 0.0 and crop.max() <= 1.0


def test_a_one_pixel_digit_in_a_one_pixel_box_is_its_own_ink():
    """The smallest box there is: OpenCV takes a 1x1 array compared with a number for two arrays of unequal
    size, so the one-blob path must not compare with a scalar."""
    mask = np.zeros((5, 5), np.uint8)
    mask[2, 2] = 255
    assert own_ink(mask, (2, 2, 1, 1)).tolist() == [[255]]
    assert own_ink(mask, (0, 0, 1, 1)).tolist() == [[0]]
    assert to_mnist(mask, (2, 2, 1, 1)).max() > 0
