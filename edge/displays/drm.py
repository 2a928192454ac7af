"""The kiosk's screen without a desktop: picamera2's DRM preview fills the HDMI screen with the live picture,
and the digits are drawn on a transparent RGBA overlay plane above it.

The camera's frames go straight from its buffers to the screen (no copy, no conversion, full frame rate); the
loop only hands over a new overlay when what it shows changes. picamera2 starts a preview only before the camera
starts, so this display gives the picamera source a `before_start` hook and reads its current camera each time:
after a camera restart the new camera gets the preview and the overlay again.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from edge.displays import DisplayError
from edge.overlay import draw
from edge.reading import EMPTY, UNSURE, Digit, Reading

log = logging.getLogger(__name__)

SYSFS_DRM = Path("/sys/class/drm")


def screen_size(sysfs: Path = SYSFS_DRM) -> tuple[int, int] | None:
    """Width and height of the first connected screen's preferred mode (the first in its `modes`), or None."""
    for connector in sorted(sysfs.glob("card*-*")):
        try:
            if (connector / "status").read_text().strip() != "connected":
                continue
            modes = (connector / "modes").read_text().split()
        except OSError:
            continue
        match = re.match(r"(\d+)x(\d+)", modes[0]) if modes else None
        if match:
            return int(match[1]), int(match[2])
    return None


def reading_from_latest(latest: dict[str, Any]) -> Reading:
    """The Reading behind `latest` (the `read --json` schema): each line of `text` is one row of `digits`."""
    digits = latest.get("digits") or []
    lines = str(latest.get("text", "")).split("\n")
    if sum(map(len, lines)) != len(digits):  # not the schema's shape: show the boxes as one row
        lines = ["".join(UNSURE for _ in digits)] if digits else []
    rows, start = [], 0
    for line in lines:
        row = tuple(_digit(d, char != UNSURE) for d, char in zip(digits[start:start + len(line)], line))
        start += len(line)
        if row:
            rows.append(row)
    return Reading(rows=tuple(rows)) if rows else EMPTY


def _digit(item: dict[str, Any], sure: bool) -> Digit:
    x, y, w, h = (int(v) for v in item["box"])
    return Digit(int(item["digit"]), float(item["confidence"]), (x, y, w, h), sure)


def overlay_rgba(height: int, width: int, reading: Reading) -> np.ndarray:
    """What `edge.overlay.draw` paints for `reading`, as an RGBA image that is transparent everywhere else.

    draw blends (anti-aliased edges, dimmed backings under text), so it is drawn twice: on black and on white.
    A pixel drawn with coverage a in colour C reads a*C on black and a*C + (1-a)*255 on white, so the difference
    gives a and the black drawing gives C: composited over the picture, the overlay looks as draw would.
    """
    on_black = draw(np.zeros((height, width, 3), np.uint8), reading)
    on_white = draw(np.full((height, width, 3), 255, np.uint8), reading)
    # The three channels differ by the same (1-a)*255; grey's weighted mean of them is that, rounded.
    alpha = 255 - cv2.cvtColor(cv2.subtract(on_white, on_black), cv2.COLOR_BGR2GRAY)
    colour = cv2.divide(on_black, cv2.merge([alpha] * 3), scale=255)  # a*C / a, rounded; 0 where a is 0
    rgba = cv2.cvtColor(colour, cv2.COLOR_BGR2RGBA)  # DRM's ABGR8888 is R, G, B, A in memory
    rgba[..., 3] = alpha
    return rgba


class DrmDisplay:
    """The Pi camera's own full-screen preview with the reading on an overlay; needs the picamera source."""

    def __init__(self, source: Any, size: tuple[int, int] | None = None, sysfs: Path = SYSFS_DRM) -> None:
        if not hasattr(source, "before_start") or not hasattr(source, "camera"):
            raise DisplayError(f"drm: the DRM preview shows the Pi camera itself, not {getattr(source, 'name', source)}"
                               " (use --source picamera, or --display http)")
        found = size or screen_size(sysfs)
        if found is None:
            raise DisplayError(f"drm: no screen connected ({sysfs}/*/status); plug in HDMI or use --display http")
        self.size = found
        self.source = source
        self._shown: tuple[str, list[Any]] | None = None  # the reading the overlay on screen shows
        self._failed = False
        source.before_start = self._start_preview

    def _start_preview(self, camera: Any) -> None:
        from picamera2 import Preview

        width, height = self.size
        camera.start_preview(Preview.DRM, x=0, y=0, width=width, height=height)
        self._shown = None  # a new camera starts without an overlay

    def start(self) -> None:
        pass

    def show(self, image: np.ndarray, latest: dict[str, Any]) -> None:
        """Give the preview a new overlay when the digits changed (`image` only sets the overlay's size)."""
        camera = self.source.camera
        if camera is None:
            return
        shown = (str(latest.get("text", "")), latest.get("digits") or [])
        if shown == self._shown:
            return
        self._shown = shown
        overlay = overlay_rgba(image.shape[0], image.shape[1], reading_from_latest(latest))
        try:
            camera.set_overlay(overlay)
        except RuntimeError as exc:  # no overlay plane on this screen: the picture still shows, say why once
            if not self._failed:
                log.warning("drm: cannot show the overlay: %s", exc)
                self._failed = True

    def keys(self) -> list[str]:
        return []  # a kiosk has no keyboard; stop it with systemctl

    def stop(self) -> None:
        """Detach from the source; the preview closes with the camera (the source stops first)."""
        if self.source.before_start == self._start_preview:
            self.source.before_start = None
        self._shown = None
