"""Sources that play files: an image (the same picture again and again), a folder of images, a video.

They stand in for a camera in tests, benchmarks and demos. Without `fps` they give frames as fast as they are
read; with `fps` they keep to that rate the way a camera would (a video skips frames a slow consumer missed).
"""
from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from edge import images
from edge.sources.base import NATIVE_FPS, STILL_FPS, Frame, Pacer, SourceEnded, SourceError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm",
                            ".pnm", ".jp2"})
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".ts", ".wmv",
                            ".flv", ".mjpeg", ".mjpg", ".h264", ".gif"})
MAX_SIDE = 1920  # frames from files are scaled down to this; a camera's are 640x480
MAX_BAD_FRAMES = 25  # a video whose next this-many frames all fail to decode is treated as finished


def to_bgr(image: np.ndarray) -> np.ndarray:
    """BGR uint8 (H, W, 3) from what OpenCV decodes: grey or BGRA, 8 or 16 bit; at most MAX_SIDE px a side."""
    image = _bounded(image)
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise images.ImageError(f"unsupported pixel type {image.dtype}")
    if image.ndim == 2 or image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def _bounded(image: np.ndarray) -> np.ndarray:
    """A photo scaled down to at most MAX_SIDE px a side: drawn, shown and analysed every frame, a 10000x10000
    scan would cost the device a gigabyte and a second per frame; analysis works at 960 px anyway."""
    height, width = image.shape[:2]
    factor = MAX_SIDE / max(height, width)
    if factor >= 1.0:
        return image
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _still_rate(fps: float | None) -> float | None:
    return STILL_FPS if fps == NATIVE_FPS else fps


def _natural_key(path: Path) -> list[object]:
    """'img2' sorts before 'img10', as a person numbering photos expects."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


class ImageSource:
    """One image file, given again on every read (a fresh copy each time, so drawing on it is safe)."""

    live = False

    def __init__(self, path: Path, fps: float | None = None) -> None:
        self.path = Path(path)
        self.name = f"image {self.path.name}"
        self._fps = _still_rate(fps)
        self._stopped = threading.Event()
        self._pacer = Pacer(self._fps, self._stopped)
        self._numbers = itertools.count(1)
        self._image: np.ndarray | None = None
        self._slot = -1

    def start(self) -> None:
        try:
            self._image = to_bgr(images.load(self.path))
        except images.ImageError as exc:
            raise SourceError(f"{self.name}: {exc}") from None
        self._stopped.clear()
        self._pacer.restart()
        self._slot = -1

    def read(self, timeout: float) -> Frame | None:
        if self._image is None:
            raise SourceError(f"{self.name}: not started")
        slot = max(self._slot + 1, self._pacer.due())
        if not self._pacer.wait(slot, timeout):
            return None
        self._slot = slot
        return Frame(self._image.copy(), None, next(self._numbers), time.monotonic())

    def stop(self) -> None:
        self._stopped.set()
        self._image = None


class FolderSource:
    """The images of a folder in name order (img2 before img10); files that do not decode are skipped and
    logged. At the end it stops (SourceEnded), or starts over when `loop` is set."""

    live = False

    def __init__(self, path: Path, loop: bool = False, fps: float | None = None) -> None:
        self.path = Path(path)
        self.name = f"folder {self.path.name}"
        self.loop = loop
        self._stopped = threading.Event()
        self._pacer = Pacer(_still_rate(fps), self._stopped)
        self._numbers = itertools.count(1)
        self._files: list[Path] = []
        self._next = 0
        self._slot = -1
        self._decoded_this_pass = False

    def start(self) -> None:
        try:
            files = [p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
        except OSError as exc:
            raise SourceError(f"{self.name}: {exc.strerror or exc}") from None
        if not files:
            raise SourceError(f"{self.name}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        self._files = sorted(files, key=_natural_key)
        self._next = 0
        self._slot = -1
        self._decoded_this_pass = False
        self._stopped.clear()
        self._pacer.restart()

    def read(self, timeout: float) -> Frame | None:
        if not self._files:
            raise SourceError(f"{self.name}: not started")
        slot = max(self._slot + 1, self._pacer.due())
        if not self._pacer.wait(slot, timeout):
            return None
        image = self._next_image()
        self._slot = slot
        return Frame(image, None, next(self._numbers), time.monotonic())

    def _next_image(self) -> np.ndarray:
        """The next file that decodes; SourceEnded at the end, SourceError if a whole pass had none."""
        while True:
            if self._next == len(self._files):
                if not self._decoded_this_pass:
                    raise SourceError(f"{self.name}: none of its {len(self._files)} images decode")
                if not self.loop:
                    raise SourceEnded(f"{self.name}: all {len(self._files)} images shown")
                self._next = 0
                self._decoded_this_pass = False
            path = self._files[self._next]
            self._next += 1
            try:
                image = to_bgr(images.load(path))
            except images.ImageError as exc:
                log.warning("%s: skipped %s: %s", self.name, path.name, exc)
                continue
            self._decoded_this_pass = True
            return image

    def stop(self) -> None:
        self._stopped.set()
        self._files = []


class VideoSource:
    """A video file through OpenCV. Unpaced it gives every frame in order; paced it skips the frames a slow
    consumer missed, like a camera. Undecodable frames are skipped and logged; `loop` starts it over."""

    live = False

    def __init__(self, path: Path, loop: bool = False, fps: float | None = None) -> None:
        self.path = Path(path)
        self.name = f"video {self.path.name}"
        self.loop = loop
        self._fps = fps
        self._stopped = threading.Event()
        self._pacer = Pacer(None, self._stopped)
        self._numbers = itertools.count(1)
        self._capture: cv2.VideoCapture | None = None
        self._position = 0  # index of the next frame in the file
        self._slot = -1  # the last pacing slot shown; paced, slot N shows the frame due N periods after start
        self._pass_slot = 0  # the slot the file's first frame had in this pass (a looped video keeps counting)
        self._decoded_this_pass = False

    def start(self) -> None:
        self.stop()
        self._capture = self._open()
        rate = self._fps
        if rate == NATIVE_FPS:
            native = self._capture.get(cv2.CAP_PROP_FPS)
            rate = native if native and np.isfinite(native) and 0 < native <= 1000 else STILL_FPS
        self._stopped.clear()
        self._pacer = Pacer(rate, self._stopped)
        self._position = 0
        self._slot = -1
        self._pass_slot = 0
        self._decoded_this_pass = False

    def _open(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"{self.name}: OpenCV cannot open it as a video")
        return capture

    def read(self, timeout: float) -> Frame | None:
        if self._capture is None:
            raise SourceError(f"{self.name}: not started")
        slot = None
        if self._pacer.period:
            slot = max(self._slot + 1, self._pacer.due())
            if not self._pacer.wait(slot, timeout):
                return None
            self._slot = slot
        return Frame(self._next_image(slot), None, next(self._numbers), time.monotonic())

    def _next_image(self, slot: int | None) -> np.ndarray:
        """Decode the next frame; paced, first skip the frames the clock has passed (grab: no colour conversion,
        no copy to Python)."""
        assert self._capture is not None
        bad = 0
        while True:
            if slot is not None:
                while self._position < slot - self._pass_slot and self._capture.grab():
                    self._position += 1
            ok, image = self._capture.read()
            self._position += 1
            if ok and image is not None and image.size:
                self._decoded_this_pass = True
                return to_bgr(image)
            if bad < MAX_BAD_FRAMES and self._position < self._capture.get(cv2.CAP_PROP_FRAME_COUNT):
                bad += 1
                log.warning("%s: frame %d does not decode, skipped", self.name, self._position - 1)
                continue
            self._end_of_pass(slot)

    def _end_of_pass(self, slot: int | None) -> None:
        """The file is done: start it over when looping, else SourceEnded."""
        if not self._decoded_this_pass:
            raise SourceError(f"{self.name}: no frame decodes")
        if not self.loop:
            raise SourceEnded(f"{self.name}: ended after {self._position - 1} frames")
        assert self._capture is not None
        self._capture.release()
        self._capture = self._open()
        self._position = 0
        self._pass_slot = slot or 0
        self._decoded_this_pass = False

    def stop(self) -> None:
        self._stopped.set()
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()
