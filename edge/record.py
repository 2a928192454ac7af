"""Save what the screen shows: the annotated stream as a video file, and single snapshots.

A recording must never stop the recognizer: a write that fails (read-only disk, full disk, a codec OpenCV
lacks) is reported once and the rest of the recording is dropped. The video is written beside its target
under a temporary name and renamed on `close()`, so the target is always a whole, playable file.
"""
from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from edge import atomic

log = logging.getLogger(__name__)

CODECS = {".mp4": "mp4v", ".avi": "MJPG"}
MIN_FREE_BYTES = 64 << 20  # stop cleanly before the disk is full: OpenCV would go on writing a broken file
SPACE_CHECK_EVERY = 30  # frames between free-space checks (one statvfs call)


def free_bytes(folder: Path) -> int:
    """Bytes free for an unprivileged user on the disk holding `folder`."""
    return shutil.disk_usage(folder).free


class Recorder:
    """Write frames to `path` (.mp4 or .avi) at `fps`; the size is the first frame's, later frames are fitted."""

    def __init__(self, path: Path, fps: float, on_error: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in CODECS:
            raise ValueError(f"cannot record to {self.path}: use a .mp4 or .avi file name")
        if not fps > 0:
            raise ValueError(f"recording fps must be positive, got {fps}")
        self.fps = fps
        self.fourcc = cv2.VideoWriter_fourcc(*CODECS[suffix])
        self.on_error = on_error or log.error
        self.frames = 0
        self.failed = False
        self._files = contextlib.ExitStack()
        self._writer: cv2.VideoWriter | None = None
        self._tmp: Path | None = None
        self._size: tuple[int, int] | None = None

    def write(self, image: np.ndarray) -> None:
        """Append one BGR (or grey) uint8 frame; never raises."""
        if self.failed:
            return
        try:
            writer = self._writer or self._open(image.shape[1], image.shape[0])
            if self.frames % SPACE_CHECK_EVERY == 0 and free_bytes(self.path.parent) < MIN_FREE_BYTES:
                self._stop(f"recording to {self.path} stopped: less than {MIN_FREE_BYTES >> 20} MB left on disk",
                           keep=self.frames > 0)
                return
            if image.ndim == 2:
                image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
            if (image.shape[1], image.shape[0]) != self._size:  # a source that changed resolution mid-run
                image = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
            writer.write(image)
            self.frames += 1
        except (OSError, cv2.error) as exc:
            self._stop(f"recording to {self.path} stopped: {exc}", keep=False)

    def close(self) -> None:
        """Finish the file and move it into place; a recording with no frames leaves no file. Safe to repeat."""
        if self._writer is not None and not self._finish():
            self.failed = True

    def _open(self, width: int, height: int) -> cv2.VideoWriter:
        self._tmp = self._files.enter_context(atomic.atomic_path(self.path))
        writer = cv2.VideoWriter(str(self._tmp), self.fourcc, self.fps, (width, height))
        if not writer.isOpened():
            raise OSError(f"OpenCV cannot write {self.path.suffix} video there")
        self._writer, self._size = writer, (width, height)
        return writer

    def _stop(self, message: str, keep: bool) -> None:
        """Report once and ignore every later frame; keep the frames so far as a whole file if asked."""
        self.failed = True
        self.on_error(message)
        if keep:
            self._finish(quiet=True)
        else:
            self._discard()

    def _finish(self, quiet: bool = False) -> bool:
        """Close the video, check it plays, and rename it into place; False (reported unless quiet) if not."""
        assert self._writer is not None and self._tmp is not None
        self._writer.release()
        self._writer = None
        check = cv2.VideoCapture(str(self._tmp))
        playable = check.isOpened() and check.read()[0]
        indexed = int(check.get(cv2.CAP_PROP_FRAME_COUNT)) if playable else 0
        check.release()
        try:
            if not playable:  # e.g. the disk filled up under OpenCV, which does not say so while writing
                raise OSError("the file written does not play (disk full?)")
            self._files.close()
        except OSError as exc:
            if not quiet:
                self.on_error(f"recording to {self.path} was not saved: {exc}")
            self._discard()
            return False
        if indexed < self.frames and not quiet:  # it plays, but the end (and the file's index) did not fit
            self.on_error(f"recording to {self.path} saved incomplete: {self.frames} frames written, the file's "
                          f"index lists {indexed} (disk full?)")
        return True

    def _discard(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        error = OSError("recording dropped")
        self._files.__exit__(OSError, error, None)  # leaving with an error: atomic_path removes the temp file


def save_snapshot(path: Path, image: np.ndarray) -> None:
    """Save one image atomically in the format its suffix names (.png, .jpg, ...); raises OSError or ValueError."""
    path = Path(path)
    try:
        ok, encoded = cv2.imencode(path.suffix or ".png", image)
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f"cannot save a snapshot as {path.name}: use .png or .jpg")
    atomic.write_bytes(path, encoded.tobytes())
