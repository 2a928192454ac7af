"""Video: a hand-held camera over a desk where the paper changes every few seconds.

Each scene is held for a while; the camera drifts and trembles slightly from frame to frame (a smoothed random
walk around the scene's pose) and the sensor noise is new in every frame, as in a real recording.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tests.photos.camera import Pose, jitter
from tests.photos.generate import Photo, compose_scene, shoot
from tests.photos.handwriting import GlyphSource


def frames(seed: int, source: GlyphSource, size: tuple[int, int], count: int, fps: float, hold: float,
           touching: bool = False) -> Iterator[Photo]:
    """`count` frames at `fps`; a new sheet every `hold` seconds, one scene in five blank paper."""
    per_scene = max(1, int(round(hold * fps)))
    rng = np.random.default_rng([seed, 0])
    for first in range(0, count, per_scene):
        scene_rng = np.random.default_rng([seed, 1, first])
        kind = "blank" if scene_rng.random() < 0.2 else "sheets"
        scene = compose_scene(scene_rng, kind, source, size, touching, margin=0.25)
        assert scene.pose is not None
        drift = Drift(scene.pose)
        for _ in range(min(per_scene, count - first)):
            yield shoot(scene, rng, drift.step(rng))


class Drift:
    """Camera shake as a smoothed random walk around a pose: slow sway plus a little tremor."""

    def __init__(self, pose: Pose, smoothing: float = 0.85) -> None:
        self.base = pose
        self.smoothing = smoothing
        self.offset = np.zeros(6)  # pitch, yaw, roll (degrees), distance (relative), shift x, shift y (px)

    def step(self, rng: np.random.Generator) -> Pose:
        b, m = self.base, jitter(self.base, rng, 1.0)
        delta = np.array([m.pitch - b.pitch, m.yaw - b.yaw, m.roll - b.roll, m.distance / b.distance - 1,
                          m.shift[0] - b.shift[0], m.shift[1] - b.shift[1]])
        # an AR(1) walk: innovations scaled so the sway's spread stays near the jitter's
        self.offset = self.smoothing * self.offset + (1 - self.smoothing) * 3.0 * delta
        o = self.offset
        return Pose(b.pitch + o[0], b.yaw + o[1], b.roll + o[2], b.focal, b.distance * (1 + o[3]), b.target,
                    (b.shift[0] + o[4], b.shift[1] + o[5]))
