"""edge.grey: every image layout a file or camera gives becomes one uint8 plane; the Y plane is a view."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from edge.grey import to_grey, y_plane


@pytest.fixture
def bgr() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)


def test_bgr_uses_the_luma_weights(bgr):
    np.testing.assert_array_equal(to_grey(bgr), cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
    blue, red = np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2, 3), np.uint8)
    blue[..., 0], red[..., 2] = 255, 255
    assert to_grey(red)[0, 0] > to_grey(blue)[0, 0]  # BGR order, not RGB: red weighs 0.299, blue 0.114


def test_alpha_is_ignored(bgr):
    bgra = np.dstack([bgr, np.zeros(bgr.shape[:2], np.uint8)])
    np.testing.assert_array_equal(to_grey(bgra), to_grey(bgr))


def test_grey_layouts_pass_through(bgr):
    grey = to_grey(bgr)
    assert to_grey(grey) is grey
    np.testing.assert_array_equal(to_grey(grey[:, :, None]), grey)


def test_sixteen_bit_keeps_the_high_byte():
    image = np.array([[0, 255, 256, 65535]], np.uint16)
    np.testing.assert_array_equal(to_grey(image), [[0, 0, 1, 255]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_floats_in_unit_range_and_in_byte_range(dtype):
    np.testing.assert_array_equal(to_grey(np.array([[0.0, 0.5, 1.0]], dtype)), [[0, 128, 255]])
    np.testing.assert_array_equal(to_grey(np.array([[0.0, 100.0, 300.0, -5.0]], dtype)), [[0, 100, 255, 0]])


def test_nan_and_bool():
    np.testing.assert_array_equal(to_grey(np.array([[np.nan, 1.0]], np.float32)), [[0, 255]])
    np.testing.assert_array_equal(to_grey(np.array([[True, False]])), [[255, 0]])


@pytest.mark.parametrize("shape", [(5,), (4, 4, 2), (4, 4, 5), (2, 2, 2, 3), (0, 4), (4, 0, 3)])
def test_bad_shapes_are_refused(shape):
    with pytest.raises(ValueError):
        to_grey(np.zeros(shape, np.uint8))


def test_y_plane_is_a_view_of_the_first_rows():
    width, height, stride = 6, 4, 8
    buffer = np.arange(height * 3 // 2 * stride, dtype=np.uint8).reshape(height * 3 // 2, stride)
    plane = y_plane(buffer, width, height)
    assert plane.shape == (height, width)
    assert np.shares_memory(plane, buffer)
    np.testing.assert_array_equal(plane, buffer[:height, :width])
    buffer[0, 0] = 99
    assert plane[0, 0] == 99


@pytest.mark.parametrize("args", [((5, 8), 8, 4), ((6, 4), 8, 4), ((6, 8), 0, 4)])
def test_y_plane_refuses_a_buffer_that_cannot_hold_the_frame(args):
    shape, width, height = args
    with pytest.raises(ValueError):
        y_plane(np.zeros(shape, np.uint8), width, height)


layouts = st.sampled_from([(), (1,), (3,), (4,)])
dtypes = st.sampled_from([np.uint8, np.uint16, np.int32, np.float32, np.float64, np.bool_])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_image_becomes_uint8_plane(data):
    h, w = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 12))
    image = data.draw(hnp.arrays(data.draw(dtypes), (h, w, *data.draw(layouts))))
    grey = to_grey(image)
    assert grey.dtype == np.uint8 and grey.shape == (h, w)
