"""What every frame source hands the loop, and the two ways a source can stop giving frames."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

NATIVE_FPS = 0.0  # `fps=NATIVE_FPS`: a file plays at its own rate (a video's fps; stills at STILL_FPS)
STILL_FPS = 30.0  # the rate an image or a folder plays at when asked for its "own" rate: a camera's


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured picture. Each frame owns its arrays, so the consumer may draw on `image` in place."""

    image: np.ndarray  # BGR uint8 (H, W, 3): what is shown
    grey: np.ndarray | None  # analysis grey uint8 (h, w) when the source has one for free, else None
    number: int  # increasing per source (gaps are frames the consumer was too slow for)
    time: float  # time.monotonic() at capture


class SourceError(Exception):
    """The camera failed or vanished; the one-line message says which and why. Worth retrying."""


class SourceEnded(Exception):
    """A finite source (a video file, a folder of images) has no more frames."""


class Source(Protocol):
    """Hardware behind start/read/stop; `read` always gives the newest frame, never a backlog."""

    name: str  # for logs: "webcam 0", "picamera", "video demo.mp4"
    live: bool  # a camera or stream (worth retrying), not a file

    def start(self) -> None:
        """Open the device; raises SourceError."""

    def read(self, timeout: float) -> Frame | None:
        """The newest frame not returned before, waiting at most `timeout` s; None if none arrived in time.
        Raises SourceError (device gone) or SourceEnded (finite source done)."""

    def stop(self) -> None:
        """Release everything; idempotent, and safe after a failed start."""


class Pacer:
    """Hands out frame slots at `fps`; waits on `stopped` so that stopping a source is never delayed."""

    def __init__(self, fps: float | None, stopped: threading.Event) -> None:
        self.period = 1.0 / fps if fps else 0.0
        self.stopped = stopped
        self.started = time.monotonic()

    def restart(self) -> None:
        self.started = time.monotonic()

    def due(self) -> int:
        """Index of the slot the wall clock is in now (how many frames should have been shown)."""
        return int((time.monotonic() - self.started) / self.period) if self.period else 0

    def wait(self, index: int, timeout: float) -> bool:
        """Wait until slot `index` opens; False if it does not within `timeout` (or the source stops)."""
        if not self.period:
            return not self.stopped.is_set()
        delay = self.started + index * self.period - time.monotonic()
        if delay > timeout:
            self.stopped.wait(max(0.0, timeout))
            return False
        if delay > 0:
            self.stopped.wait(delay)
        return not self.stopped.is_set()
