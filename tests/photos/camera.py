"""The camera: a sheet lying on a desk, photographed the way a phone or webcam photographs it.

Geometry first (a pinhole camera tilted up to 15 degrees over the desk plane: one homography maps sheet pixels
to image pixels, and the truth boxes go through the same one), then what every real photo adds: uneven light,
the soft shadow of a hand or phone, vignetting, defocus and shake, sensor noise, sharpening, JPEG.

Geometry (Pose) and appearance (Light, Optics) are separate values so a video can keep one scene and move the
camera a little each frame.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from tests.photos.paper import Sheet
from tests.photos.textures import DESK_KINDS, desk_surface

SIZES = ((640, 480), (800, 600), (960, 720), (1024, 768), (1280, 720), (1280, 960))
SUPERSAMPLE = 2  # render at twice the output size, then shrink: thin strokes stay continuous, not aliased
MIN_DIGIT = 22.0 / 640  # digits are at least this tall, as a share of the image width (22 px at 640x480)
MAX_DIGIT = 0.45  # and at most this tall, as a share of the image height
MM_PER_SHEET_PX = 0.21  # a sheet 1000 px wide is an A4 page 210 mm wide
MAX_TILT_DEG = 15.0


@dataclass(frozen=True)
class Pose:
    """Where the camera is: looking at sheet point `target` from `distance` sheet px, tilted and rolled."""

    pitch: float  # degrees, tilt about the image x axis
    yaw: float  # degrees, tilt about the image y axis
    roll: float  # degrees, rotation in the image plane
    focal: float  # focal length in output px
    distance: float  # in sheet px
    target: tuple[float, float]  # the sheet point that lands at the image centre plus `shift`
    shift: tuple[float, float]  # output px


def rotation(pitch: float, yaw: float, roll: float) -> np.ndarray:
    """Camera-from-plane rotation for tilt angles and roll in degrees."""
    a, b, c = np.deg2rad([pitch, yaw, roll])
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    return rx @ ry @ rz


def homography(pose: Pose, size: tuple[int, int]) -> np.ndarray:
    """The 3x3 map from sheet (desk-plane) pixels to image pixels for this pose."""
    w, h = size
    r = rotation(pose.pitch, pose.yaw, pose.roll)
    k = np.array([[pose.focal, 0, w / 2 + pose.shift[0]], [0, pose.focal, h / 2 + pose.shift[1]], [0, 0, 1]])
    plane = np.column_stack([r[:, 0], r[:, 1], [0.0, 0.0, pose.distance]])
    to_target = np.array([[1, 0, -pose.target[0]], [0, 1, -pose.target[1]], [0, 0, 1]])
    m = k @ plane @ to_target
    return m / m[2, 2]


def project(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a homography to (n, 2) points."""
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), matrix).reshape(-1, 2)


def truth_box(matrix: np.ndarray, outline: np.ndarray, size: tuple[int, int]) -> list[int]:
    """[x, y, w, h] in image pixels around a digit's ink after the camera's perspective."""
    p = project(matrix, outline)
    x0, y0 = np.floor(p.min(axis=0)).astype(int)
    x1, y1 = np.ceil(p.max(axis=0)).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, size[0]), min(y1, size[1])
    return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]


def aim(rng: np.random.Generator, size: tuple[int, int], block: tuple[float, float, float, float],
        outlines: list[np.ndarray] | None = None, heights: list[float] | None = None,
        digit_height: tuple[float, float] | None = None) -> Pose:
    """A hand-held shot of `block` (desk-plane px): tilted, rolled, zoomed so every digit is whole and legible,
    or, with `digit_height` (least, most: shares of the image height), so the digits are that tall (as far as
    the block still fits): how far a camera may stand from the writing is measured that way."""
    w, h = size
    tilt, direction = rng.uniform(0, MAX_TILT_DEG), rng.uniform(0, 2 * np.pi)
    x0, y0, x1, y1 = block
    bw, bh = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    least, most = (MIN_DIGIT * w, MAX_DIGIT * h) if digit_height is None else (digit_height[0] * h, digit_height[1] * h)
    if heights:
        s_hi = min(0.85 * w / bw, 0.8 * h / bh, most / max(heights), 2.5)
        s_lo = min(least / min(heights), s_hi)
    else:
        s_hi, s_lo = 0.9 * w / bw, 0.3 * w / bw
    scale = float(np.exp(rng.uniform(np.log(s_lo), np.log(s_hi))))
    focal = w * rng.uniform(0.75, 1.3)
    room = np.maximum(np.array([w - scale * bw, h - scale * bh]) * 0.4, 0)
    pose = Pose(pitch=tilt * np.cos(direction), yaw=tilt * np.sin(direction), roll=rng.uniform(-12, 12),
                focal=focal, distance=focal / scale, target=((x0 + x1) / 2, (y0 + y1) / 2),
                shift=(rng.uniform(-room[0], room[0]), rng.uniform(-room[1], room[1])))
    points = np.vstack(outlines) if outlines else np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    for _ in range(40):  # back off until all the ink is inside the frame with a margin
        p = project(homography(pose, size), points)
        margin = 0.03 * w
        if p.min() >= margin and (p[:, 0].max() <= w - margin) and (p[:, 1].max() <= h - margin):
            break
        pose = replace(pose, distance=pose.distance * 1.06, shift=(pose.shift[0] * 0.8, pose.shift[1] * 0.8))
    return pose


def jitter(pose: Pose, rng: np.random.Generator, amount: float) -> Pose:
    """The same shot, the hand moved slightly: `amount` 1 is a fraction of a degree and a few pixels."""
    return replace(pose, pitch=pose.pitch + rng.normal(0, 0.4 * amount), yaw=pose.yaw + rng.normal(0, 0.4 * amount),
                   roll=pose.roll + rng.normal(0, 0.5 * amount),
                   distance=pose.distance * (1 + rng.normal(0, 0.01 * amount)),
                   shift=(pose.shift[0] + rng.normal(0, 3 * amount), pose.shift[1] + rng.normal(0, 3 * amount)))


@dataclass(frozen=True)
class Desk:
    """A desk-top texture in the sheet's plane: `to_desk` maps sheet px to this image's px."""

    image: np.ndarray
    to_desk: np.ndarray
    kind: str


def lay_desk(rng: np.random.Generator, pose: Pose, size: tuple[int, int], margin: float = 0.15) -> Desk:
    """Enough desk around the sheet to fill the frame at `pose`, and `margin` more for a moving camera."""
    w, h = size
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    plane = project(np.linalg.inv(homography(pose, size)), corners)
    lo, hi = plane.min(axis=0), plane.max(axis=0)
    pad = (hi - lo) * margin
    lo, hi = lo - pad, hi + pad
    k = min(pose.focal / pose.distance, 1600.0 / max(hi - lo))  # desk grain needs no supersampling
    shape = (int(np.ceil((hi[1] - lo[1]) * k)) + 1, int(np.ceil((hi[0] - lo[0]) * k)) + 1)
    kind = DESK_KINDS[rng.integers(len(DESK_KINDS))]
    image = desk_surface(rng, shape, kind, scale=k / MM_PER_SHEET_PX)
    to_desk = np.array([[k, 0, -lo[0] * k], [0, k, -lo[1] * k], [0, 0, 1]])
    return Desk(image, to_desk, kind)


@dataclass(frozen=True)
class Light:
    """Light on the scene, in image coordinates normalised by the image width."""

    gradient_angle: float  # radians: the direction in which light falls off
    gradient_low: float  # illumination at the dark end, the bright end being 1
    hotspot: tuple[float, float, float, float]  # x, y, radius, extra brightness (glare of a lamp)
    vignette: float  # brightness lost in the corners
    shadows: tuple[np.ndarray, ...]  # polygons of a hand, phone or head between light and paper
    shadow_blur: float  # softness, fraction of the width
    shadow_strength: float  # share of light the shadow takes away
    sheet_shadow: float  # how dark the desk is just beside the sheet's edge
    white_balance: tuple[float, float, float]  # BGR gains: warm lamp, cool daylight
    exposure: float


def choose_light(rng: np.random.Generator, aspect: float) -> Light:
    """Indoor light as people meet it: never even, often with a shadow of whoever holds the camera."""
    shadows = _shadow_shapes(rng, aspect) if rng.random() < 0.6 else ()
    warm = rng.uniform(-0.12, 0.15)  # > 0: warm (tungsten), < 0: cool (daylight, LED)
    return Light(
        gradient_angle=rng.uniform(0, 2 * np.pi),
        gradient_low=rng.uniform(0.45, 1.0),
        hotspot=(rng.uniform(0, 1), rng.uniform(0, aspect), rng.uniform(0.15, 0.6),
                 rng.uniform(0.0, 0.35) if rng.random() < 0.35 else 0.0),
        vignette=rng.uniform(0.0, 0.4),
        shadows=shadows,
        shadow_blur=rng.uniform(0.015, 0.08),
        shadow_strength=rng.uniform(0.25, 0.6),
        sheet_shadow=rng.uniform(0.0, 0.35),
        white_balance=(1.0 - warm, 1.0, 1.0 + 0.6 * warm),
        exposure=rng.uniform(0.8, 1.2),
    )


def _ellipse(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    return np.column_stack([cx + x * np.cos(angle) - y * np.sin(angle), cy + x * np.sin(angle) + y * np.cos(angle)])


def _shadow_shapes(rng: np.random.Generator, aspect: float) -> tuple[np.ndarray, ...]:
    """An arm and hand, a phone, or a head-sized blob reaching in from one edge of the frame."""
    side = rng.integers(4)
    along = rng.uniform(0.1, 0.9)
    entry, inward = [((along, 0.0), np.pi / 2), ((along, aspect), -np.pi / 2),
                     ((0.0, along * aspect), 0.0), ((1.0, along * aspect), np.pi)][side]
    angle = inward + rng.uniform(-0.6, 0.6)
    reach = rng.uniform(0.12, 0.5)
    kind = rng.integers(3)
    if kind == 0:  # arm and hand with fingers
        width = rng.uniform(0.1, 0.16)
        parts = [np.array([[-1.0, -width / 2], [reach, -width / 2], [reach, width / 2], [-1.0, width / 2]]),
                 _ellipse(reach, 0.0, 0.08, 0.075)]
        for i in range(4):
            parts.append(_ellipse(reach + 0.1, (i - 1.5) * 0.032, 0.065, 0.014, rng.uniform(-0.2, 0.2)))
    elif kind == 1:  # a phone held over the paper
        width = rng.uniform(0.16, 0.3)
        parts = [np.array([[-1.0, -width / 2], [reach, -width / 2], [reach, width / 2], [-1.0, width / 2]])]
    else:  # a head or a body: a big soft blob
        parts = [_ellipse(0.0, 0.0, rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.4))]
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return tuple(p @ rot.T + np.asarray(entry) for p in parts)


def light_field(light: Light, size: tuple[int, int]) -> np.ndarray:
    """Illumination (h, w) float32 over the image: gradient, glare, vignetting and soft shadows."""
    w, h = size
    lw, lh = max(8, w // 4), max(6, h // 4)
    y, x = np.mgrid[0:lh, 0:lw].astype(np.float32) / lw
    aspect = h / w
    d = (x - 0.5) * np.cos(light.gradient_angle) + (y - 0.5 * aspect) * np.sin(light.gradient_angle)
    d = (d - d.min()) / max(float(np.ptp(d)), 1e-6)
    field = 1.0 - (1.0 - light.gradient_low) * d
    hx, hy, radius, gain = light.hotspot
    field += gain * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * radius ** 2))
    r2 = ((x - 0.5) ** 2 + (y - 0.5 * aspect) ** 2) / (0.25 * (1 + aspect ** 2))
    field *= 1.0 - light.vignette * r2
    if light.shadows:
        mask = np.zeros((lh, lw), np.float32)
        cv2.fillPoly(mask, [np.round(p * lw * 16).astype(np.int32) for p in light.shadows], 1.0, cv2.LINE_AA, shift=4)
        mask = cv2.GaussianBlur(mask, (0, 0), max(0.5, light.shadow_blur * lw))
        field *= 1.0 - light.shadow_strength * mask
    return cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


@dataclass(frozen=True)
class Optics:
    """What the lens and sensor do to the picture."""

    defocus: float  # Gaussian sigma in output px
    shake: float  # length of motion blur in output px
    shake_angle: float
    shot_noise: float  # signal-dependent noise variance per unit of linear light
    read_noise: float  # constant noise variance, dominant in the dark
    sharpen: float  # the phone's unsharp mask
    jpeg_quality: int


def choose_optics(rng: np.random.Generator) -> Optics:
    """From a sharp, clean phone shot to a soft, noisy webcam frame."""
    return Optics(
        defocus=rng.uniform(0.0, 0.7) if rng.random() < 0.5 else rng.uniform(0.7, 2.0),
        shake=rng.uniform(1.0, 5.0) if rng.random() < 0.25 else 0.0,
        shake_angle=rng.uniform(0, np.pi),
        shot_noise=float(np.exp(rng.uniform(np.log(2e-4), np.log(5e-3)))),
        read_noise=float(np.exp(rng.uniform(np.log(1e-6), np.log(1e-4)))),
        sharpen=rng.uniform(0.2, 1.0) if rng.random() < 0.5 else 0.0,
        jpeg_quality=int(rng.integers(40, 96)),
    )


def photograph(sheet: Sheet | None, desk: Desk, pose: Pose, size: tuple[int, int], light: Light, optics: Optics,
               rng: np.random.Generator) -> np.ndarray:
    """The picture the sensor records (uint8 BGR, before JPEG): scene, optics, light, noise, sharpening."""
    w, h = size
    big = (w * SUPERSAMPLE, h * SUPERSAMPLE)
    to_big = np.diag([SUPERSAMPLE, SUPERSAMPLE, 1.0]) @ homography(pose, size)
    scene = cv2.warpPerspective(desk.image, to_big @ np.linalg.inv(desk.to_desk), big, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REFLECT)
    if sheet is not None:
        scene = _lay_sheet(scene, sheet, to_big, SUPERSAMPLE * pose.focal / pose.distance, light.sheet_shadow)
    image = _blur(cv2.resize(scene, size, interpolation=cv2.INTER_AREA), optics)
    return _expose(image, light, optics, rng)


def _lay_sheet(scene: np.ndarray, sheet: Sheet, to_big: np.ndarray, scale: float, shadow: float) -> np.ndarray:
    """The sheet warped onto the desk, with the thin shadow its edge casts when it does not lie quite flat."""
    paper = sheet.image
    if scale < 0.8:  # shrinking by more than warpPerspective's bilinear sampling can: pre-blur, no aliasing
        paper = cv2.GaussianBlur(paper, (0, 0), 0.45 / scale)
    size = (scene.shape[1], scene.shape[0])
    warped = cv2.warpPerspective(paper, to_big, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    cover = cv2.warpPerspective(np.ones(paper.shape[:2], np.float32), to_big, size, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT)
    if shadow > 0:  # blurred and shifted at quarter size: the shadow is soft, so nothing is lost
        small = cv2.resize(cover, (size[0] // 4, size[1] // 4), interpolation=cv2.INTER_AREA)
        offset = max(0.5, 0.5 * scale)
        small = cv2.warpAffine(small, np.float32([[1, 0, offset], [0, 1, 1.5 * offset]]), small.shape[::-1])
        under = cv2.resize(cv2.GaussianBlur(small, (0, 0), 3.0 * offset), size, interpolation=cv2.INTER_LINEAR)
        scene *= (1.0 - shadow * under)[..., None]
    return cv2.blendLinear(warped, scene, cover, 1.0 - cover)


def _blur(image: np.ndarray, optics: Optics) -> np.ndarray:
    """Defocus and camera shake, in output pixels."""
    if optics.defocus > 0.05:
        image = cv2.GaussianBlur(image, (0, 0), optics.defocus)
    if optics.shake > 0:
        n = int(np.ceil(optics.shake)) | 1
        kernel = np.zeros((4 * n, 4 * n), np.float32)  # drawn 4x finer, then shrunk: a sub-pixel line
        c, d = 2 * n, 2 * optics.shake
        dx, dy = d * np.cos(optics.shake_angle), d * np.sin(optics.shake_angle)
        cv2.line(kernel, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 2,
                 cv2.LINE_AA)
        kernel = cv2.resize(kernel, (n + 1, n + 1), interpolation=cv2.INTER_AREA)
        image = cv2.filter2D(image, -1, kernel / kernel.sum())
    return image


def _expose(image: np.ndarray, light: Light, optics: Optics, rng: np.random.Generator) -> np.ndarray:
    """Light, white balance and sensor noise in linear light; then the sRGB curve and sharpening."""
    h, w = image.shape[:2]
    linear = np.power(np.clip(image, 0, 1), 2.2)
    gain = light_field(light, (w, h))[..., None] * np.asarray(light.white_balance, np.float32) * light.exposure
    linear *= gain
    sigma = np.sqrt(optics.shot_noise * np.clip(linear, 0, None) + optics.read_noise)
    luma = rng.standard_normal((h, w, 1), dtype=np.float32)
    noise = 0.8 * luma + 0.6 * rng.standard_normal((h, w, 3), dtype=np.float32)  # partly shared by the channels
    noise = cv2.GaussianBlur(noise, (0, 0), 0.6) * 1.7  # demosaicing spreads noise over neighbouring pixels
    out = np.power(np.clip(linear + sigma * noise, 0, 1), 1 / 2.2)
    if optics.sharpen > 0:
        out = out + optics.sharpen * (out - cv2.GaussianBlur(out, (0, 0), 1.5))
    return (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> bytes:
    """Encode as the camera stores it."""
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()
