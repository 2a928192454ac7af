"""One generated photo with its ground truth: digits on paper, blank paper, bare desk, or pure noise.

A Scene is everything that stays put while a camera looks (sheet, desk, light, lens); shoot() takes one
picture of it from one pose. A still is one shot of a fresh scene; a video is many shots of a few scenes.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from tests.photos.camera import (SIZES, Desk, Light, Optics, Pose, aim, choose_light, choose_optics, homography,
                                 jpeg, lay_desk, photograph, truth_box)
from tests.photos.handwriting import GlyphSource
from tests.photos.paper import SHEET_WIDTH, Sheet, blank_sheet, write_sheet
from tests.photos.textures import pure_noise

KINDS = ("sheets", "blank", "texture", "noise")


@dataclass(frozen=True)
class Scene:
    kind: str
    size: tuple[int, int]
    sheet: Sheet | None
    pose: Pose | None
    desk: Desk | None
    light: Light | None
    optics: Optics
    noise_seed: int  # for kind "noise", the picture itself


@dataclass(frozen=True)
class Photo:
    image: np.ndarray  # uint8 BGR, as a reader decodes the JPEG
    jpeg: bytes
    text: str  # rows joined by "\n"; "" when there are no digits
    boxes: list[list[int]]  # [x, y, w, h] per digit in reading order, image px
    kind: str
    conditions: dict[str, object]


def compose_scene(rng: np.random.Generator, kind: str, source: GlyphSource | None = None,
                  size: tuple[int, int] | None = None, touching: bool = False, margin: float = 0.15,
                  digit_height: tuple[float, float] | None = None) -> Scene:
    """A fresh scene of `kind`; `margin` is how much extra desk to lay out for a camera that moves;
    `digit_height` as `camera.aim`'s."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
    size = size or SIZES[rng.integers(len(SIZES))]
    optics = choose_optics(rng)
    if kind == "noise":
        return Scene(kind, size, None, None, None, None, optics, int(rng.integers(2 ** 31)))
    if kind == "sheets":
        if source is None:
            raise ValueError("a sheet with digits needs a glyph source")
        sheet: Sheet | None = write_sheet(rng, source, touching)
    elif kind == "blank":
        sheet = blank_sheet(rng)
    else:
        sheet = None
    if sheet is not None:
        pose = aim(rng, size, sheet.block, sheet.outlines, sheet.digit_heights, digit_height)
    else:
        bw, bh = rng.uniform(0.3, 1.5) * SHEET_WIDTH, rng.uniform(0.2, 1.0) * SHEET_WIDTH
        pose = aim(rng, size, (0.0, 0.0, bw, bh))
    desk = lay_desk(rng, pose, size, margin)
    light = choose_light(rng, size[1] / size[0])
    return Scene(kind, size, sheet, pose, desk, light, optics, 0)


def shoot(scene: Scene, rng: np.random.Generator, pose: Pose | None = None) -> Photo:
    """One JPEG photo of the scene from `pose` (default: the scene's own), with its truth."""
    w, h = scene.size
    if scene.kind == "noise":
        raw = (pure_noise(np.random.default_rng(scene.noise_seed), (h, w)) * 255 + 0.5).astype(np.uint8)
        conditions: dict[str, object] = {}
        boxes: list[list[int]] = []
    else:
        assert scene.pose is not None and scene.desk is not None and scene.light is not None
        pose = pose or scene.pose
        raw = photograph(scene.sheet, scene.desk, pose, scene.size, scene.light, scene.optics, rng)
        matrix = homography(pose, scene.size)
        boxes = [truth_box(matrix, o, scene.size) for o in scene.sheet.outlines] if scene.sheet else []
        conditions = describe(scene, pose, boxes)
    data = jpeg(raw, scene.optics.jpeg_quality)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    conditions |= {"size": f"{w}x{h}", "jpeg_quality": scene.optics.jpeg_quality}
    text = scene.sheet.text if scene.sheet else ""
    return Photo(image, data, text, boxes, scene.kind, conditions)


def describe(scene: Scene, pose: Pose, boxes: list[list[int]]) -> dict[str, object]:
    """The conditions a photo was taken under, for breaking results down by what made them hard."""
    assert scene.light is not None and scene.desk is not None
    light, optics = scene.light, scene.optics
    out: dict[str, object] = dict(scene.sheet.conditions) if scene.sheet else {}
    out |= {
        "desk": scene.desk.kind,
        "tilt_deg": round(float(np.hypot(pose.pitch, pose.yaw)), 1),
        "shadow": bool(light.shadows),
        "light_low": round(light.gradient_low, 2),
        "defocus_px": round(optics.defocus, 2),
        "shake_px": round(optics.shake, 1),
        "noise": round(float(np.sqrt(optics.shot_noise)), 3),
    }
    if boxes:
        out["digit_px_photo"] = min(b[3] for b in boxes)
    return out


def make_photo(rng: np.random.Generator, kind: str, source: GlyphSource | None = None,
               size: tuple[int, int] | None = None, touching: bool = False,
               digit_height: tuple[float, float] | None = None) -> Photo:
    """A still: one shot of a fresh scene."""
    return shoot(compose_scene(rng, kind, source, size, touching, margin=0.02, digit_height=digit_height), rng)
