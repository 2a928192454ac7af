"""Training-time distortions that model what the camera path hands the network.

edge crops a thresholded digit from a photo, fits it into 20x20 and centres it by mass. What still differs
from MNIST is the writing (slant, rotation, aspect), the stroke (thin pen, thick marker, blurred focus), and
the threshold (broken or bloated strokes, speckle). Each distortion below models one of those, applied to a
random share of each batch, on whole batches at once so the CPU keeps up with training.
"""
from __future__ import annotations

import math

import tensorflow as tf

from train.strokes import SCALE


def _affine(images: tf.Tensor, max_rotate_deg: float, max_shear: float, scale: tuple[float, float],
            max_shift: float) -> tf.Tensor:
    """Random rotation, shear, aspect-preserving and aspect-changing scale, and shift about the centre."""
    n = tf.shape(images)[0]
    angle = tf.random.uniform([n], -1.0, 1.0) * (max_rotate_deg * math.pi / 180.0)
    shear = tf.random.uniform([n], -max_shear, max_shear)
    sx = tf.random.uniform([n], scale[0], scale[1])
    sy = sx * tf.random.uniform([n], 0.9, 1.1)
    tx = tf.random.uniform([n], -max_shift, max_shift)
    ty = tf.random.uniform([n], -max_shift, max_shift)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # Forward map A = R(angle) @ Shear @ S; the op wants the inverse (output pixel -> input pixel).
    a00, a01 = cos * sx, (cos * shear - sin) * sy
    a10, a11 = sin * sx, (sin * shear + cos) * sy
    det = a00 * a11 - a01 * a10
    i00, i01, i10, i11 = a11 / det, -a01 / det, -a10 / det, a00 / det
    c = 13.5  # pixel centre of a 28x28 image
    ox, oy = c + tx, c + ty
    b0 = c - (i00 * ox + i01 * oy)
    b1 = c - (i10 * ox + i11 * oy)
    zeros = tf.zeros([n])
    transforms = tf.stack([i00, i01, b0, i10, i11, b1, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.shape(images)[1:3],
        fill_value=0.0, interpolation="BILINEAR", fill_mode="CONSTANT",
    )


def _elastic(images: tf.Tensor, max_shift: float) -> tf.Tensor:
    """Each image warped by its own smooth random field: a 4x4 grid of shifts up to `max_shift` px, spread
    bicubically over the image. Writers differ from MNIST's in the bends within a digit (a 4's open top, a
    9's curled tail), which one affine map per digit cannot make."""
    n = tf.shape(images)[0]
    side = tf.shape(images)[1]
    field = tf.image.resize(tf.random.uniform([n, 4, 4, 2], -max_shift, max_shift), [side, side], method="bicubic")
    ys, xs = tf.meshgrid(tf.range(side, dtype=tf.float32), tf.range(side, dtype=tf.float32), indexing="ij")
    sx, sy = xs[None] + field[..., 0], ys[None] + field[..., 1]
    x0, y0 = tf.floor(sx), tf.floor(sy)
    flat = tf.reshape(images, [n, side * side])
    last = tf.cast(side - 1, tf.float32)
    out = tf.zeros_like(sx)
    for dx, dy in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)):
        cx, cy = x0 + dx, y0 + dy
        weight = (1.0 - tf.abs(sx - cx)) * (1.0 - tf.abs(sy - cy))
        inside = tf.cast((cx >= 0) & (cy >= 0) & (cx <= last) & (cy <= last), tf.float32)  # beyond: background
        index = (tf.cast(tf.clip_by_value(cy, 0.0, last), tf.int32) * side
                 + tf.cast(tf.clip_by_value(cx, 0.0, last), tf.int32))
        values = tf.reshape(tf.gather(flat, tf.reshape(index, [n, -1]), batch_dims=1), tf.shape(sx))
        out += weight * inside * values
    return out[..., None]


def redraw(images: tf.Tensor, lines: tf.Tensor, share: float) -> tf.Tensor:
    """About `share` of a batch of (N, 28, 28, 1) digits redrawn along their centre lines (`lines`, uint8
    (N, 56, 56), train.strokes) with a round pen 1.5 to 3.5 px wide: the even stroke of a ballpoint or a
    marker, where MNIST's pencil swells and tapers."""
    n = tf.shape(images)[0]
    centre = tf.cast(lines, tf.float32)[..., None] / 255.0
    width = tf.random.uniform([n, 1, 1, 1], 0, 3, dtype=tf.int32)
    drawn = tf.zeros_like(centre)
    for radius in range(1, 4):
        offsets = tf.range(-radius, radius + 1, dtype=tf.float32)
        disc = tf.where(offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius ** 2 + 0.5, 0.0, -1.0)
        pen = tf.nn.dilation2d(centre, disc[..., None], strides=[1, 1, 1, 1], padding="SAME",
                               data_format="NHWC", dilations=[1, 1, 1, 1])
        drawn = tf.where(width == radius - 1, pen, drawn)
    drawn = tf.nn.avg_pool2d(tf.clip_by_value(drawn, 0.0, 1.0), SCALE, SCALE, "VALID")  # anti-aliased at 28x28
    return tf.where(_pick(share, n), drawn, images)


def _pick(share: float, n: tf.Tensor) -> tf.Tensor:
    """A (n, 1, 1, 1) boolean mask choosing about `share` of the batch."""
    return tf.random.uniform([n, 1, 1, 1]) < share


def _blur(images: tf.Tensor) -> tf.Tensor:
    kernel = tf.constant([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0
    return tf.nn.conv2d(images, tf.reshape(kernel, [3, 3, 1, 1]), strides=1, padding="SAME")


def augment(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Distort a batch of (N, 28, 28, 1) float32 images in [0, 1]; labels pass through unchanged."""
    n = tf.shape(images)[0]
    x = _affine(images, max_rotate_deg=12.0, max_shear=0.3, scale=(0.85, 1.1), max_shift=2.0)
    x = tf.where(_pick(0.5, n), _elastic(x, max_shift=2.0), x)

    # Stroke width: a marker's thick stroke (dilate) or a fine pen's thin one (erode, kept mild).
    dilated = tf.nn.max_pool2d(x, 3, 1, "SAME")
    thinned = 0.5 * (x - tf.nn.max_pool2d(-x, 3, 1, "SAME"))  # halfway to an erosion: thin, not erased
    stroke = tf.random.uniform([n, 1, 1, 1])
    x = tf.where(stroke < 0.2, dilated, tf.where(stroke > 0.85, thinned, x))

    # Imperfect thresholding: a hard cut at a random level, then the anti-aliasing edge's resize adds back.
    level = tf.random.uniform([n, 1, 1, 1], 0.15, 0.6)
    hard = tf.cast(x > level, tf.float32)
    x = tf.where(_pick(0.25, n), _blur(hard) * 0.5 + hard * 0.5, x)

    # Defocus blur, then faint ink and sensor noise.
    x = tf.where(_pick(0.2, n), _blur(x), x)
    x = x * tf.random.uniform([n, 1, 1, 1], 0.75, 1.0)
    sigma = tf.random.uniform([n, 1, 1, 1], 0.0, 0.06)
    x = x + tf.random.normal(tf.shape(x)) * sigma * tf.cast(_pick(0.5, n), tf.float32)
    return tf.clip_by_value(x, 0.0, 1.0), labels
