"""The Raspberry Pi camera through picamera2 (imported here only, when the source starts).

Two streams of the same frames: `main` (BGR, width x height) is what is shown, `lores` (YUV420, half size by
default) is what is analysed. The lores Y plane already is a grey image, so it is taken as a view of the raw
buffer: no colour conversion, no copy beyond the one picamera2 makes to hand the buffer back to the camera.
Both streams come from one captured request, so the boxes found on lores fit the main picture exactly once
scaled by the ratio of the configured sizes.
"""
from __future__ import annotations

import concurrent.futures
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any

from edge.grey import y_plane
from edge.sources.base import Frame, SourceError

log = logging.getLogger(__name__)

STALL_SECONDS = 5.0  # no frame for this long (cable out, sensor hung) and the camera counts as gone
# picamera2 names formats by libcamera's (little-endian word) convention: "RGB888" is B, G, R in memory, which
# is OpenCV's BGR; its "BGR888" would hand OpenCV red and blue swapped.
MAIN_FORMAT = "RGB888"
LORES_FORMAT = "YUV420"


def _even(value: int) -> int:
    return max(2, value - value % 2)


def _one_line(exc: BaseException) -> str:
    """The exception and its cause in one line (picamera2 wraps libcamera's reason in a vaguer one)."""
    parts = []
    while exc is not None and len(parts) < 3:
        text = str(exc).strip().splitlines()
        parts.append(text[0] if text else type(exc).__name__)
        exc = exc.__cause__  # type: ignore[assignment]
    return ": ".join(parts)


class PicameraSource:
    """picamera2's newest frame (it keeps only one completed request, so there is never a backlog)."""

    live = True

    def __init__(self, width: int = 640, height: int = 480, *, lores: tuple[int, int] | None = None,
                 fps: float | None = None, camera_num: int = 0, stall_seconds: float = STALL_SECONDS) -> None:
        self.name = "picamera" if camera_num == 0 else f"picamera {camera_num}"
        self.main_size = (_even(width), _even(height))
        self.lores_size = lores or (_even(width // 2), _even(height // 2))
        self.fps = fps
        self.camera_num = camera_num
        self.stall_seconds = stall_seconds
        self._numbers = itertools.count(1)
        self._camera: Any = None
        self._job: Any = None  # a capture still pending from a read that timed out; the next read waits on it
        self._lores: tuple[int, int, int] = (0, 0, 0)  # configured width, height, stride
        self._last_frame = 0.0
        # Called with each new camera, configured but not started: picamera2 runs a preview (the DRM display's)
        # only if it is started before the camera is; otherwise `start` runs its null preview.
        self.before_start: Callable[[Any], None] | None = None

    @property
    def camera(self) -> Any:
        """The running Picamera2 object, or None while stopped (a new one after every restart)."""
        return self._camera

    def start(self) -> None:
        self.stop()
        try:
            from picamera2 import Picamera2
        except ImportError:
            raise SourceError(f"{self.name}: picamera2 is not installed "
                              "(Raspberry Pi OS: sudo apt install python3-picamera2)") from None
        camera = None
        try:
            if len(Picamera2.global_camera_info()) <= self.camera_num:
                raise SourceError(f"{self.name}: libcamera lists no camera {self.camera_num} (ribbon cable?)")
            camera = Picamera2(self.camera_num)
            controls = {"FrameDurationLimits": (round(1e6 / self.fps),) * 2} if self.fps else {}
            camera.configure(camera.create_preview_configuration(
                main={"size": self.main_size, "format": MAIN_FORMAT},
                lores={"size": self.lores_size, "format": LORES_FORMAT},
                controls=controls,
            ))
            lores = camera.stream_configuration("lores")
            self._lores = (*lores["size"], lores["stride"])
            if self.before_start is not None:
                self.before_start(camera)
            camera.start()
        except SourceError:
            _close(camera)
            raise
        except Exception as exc:  # picamera2 and libcamera raise RuntimeError, IndexError, OSError...
            _close(camera)
            raise SourceError(f"{self.name}: {_one_line(exc)}") from None
        self._camera = camera
        self._last_frame = time.monotonic()

    def read(self, timeout: float) -> Frame | None:
        camera = self._camera
        if camera is None:
            raise SourceError(f"{self.name}: not started")
        if self._job is None:
            self._job = camera.capture_request(wait=False)
        try:
            request = camera.wait(self._job, timeout=max(0.0, timeout))
        except concurrent.futures.TimeoutError:
            if time.monotonic() - self._last_frame > self.stall_seconds:
                raise SourceError(f"{self.name}: no frame for {self.stall_seconds:g} s") from None
            return None
        except Exception as exc:
            self._job = None
            raise SourceError(f"{self.name}: {_one_line(exc)}") from None
        self._job = None
        now = self._last_frame = time.monotonic()
        try:
            buffer = request.make_buffer("lores")
            image = request.make_array("main")
        except Exception as exc:
            raise SourceError(f"{self.name}: {_one_line(exc)}") from None
        finally:
            request.release()
        return Frame(image, self._grey(buffer), next(self._numbers), now)

    def _grey(self, buffer: Any) -> Any:
        """The lores Y plane: the flat YUV420 buffer seen as (rows, stride), first `height` rows, `width` wide."""
        width, height, stride = self._lores
        rows = height * 3 // 2
        if buffer.size < rows * stride:
            raise SourceError(f"{self.name}: lores buffer holds {buffer.size} bytes, a {width}x{height} YUV420 "
                              f"frame with stride {stride} needs {rows * stride}")
        return y_plane(buffer[: rows * stride].reshape(rows, stride), width, height)

    def stop(self) -> None:
        camera, self._camera = self._camera, None
        job, self._job = self._job, None
        if camera is None:
            return
        try:
            if job is not None:
                camera.cancel_all_and_flush()
                _release_finished(camera, job)
            camera.stop()
        except Exception as exc:
            log.warning("%s: stopping: %s", self.name, _one_line(exc))
        finally:
            _close(camera)


def _release_finished(camera: Any, job: Any) -> None:
    """A capture that completed after we stopped waiting holds a camera buffer: give it back."""
    try:
        request = camera.wait(job, timeout=0)
    except Exception:  # cancelled, failed or still pending: it holds nothing
        return
    request.release()


def _close(camera: Any) -> None:
    if camera is None:
        return
    try:
        camera.close()
    except Exception as exc:
        log.warning("picamera: closing: %s", _one_line(exc))
