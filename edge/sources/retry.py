"""Keep a camera going: restart it with growing pauses after it fails, report each failure and recovery."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from edge.sources.base import Frame, Source, SourceError

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
MAX_DELAY = 10.0
FROZEN_SECONDS = 5.0  # the same picture this long and the camera counts as frozen


def fingerprint(image: np.ndarray) -> np.ndarray | None:
    """Every 4th pixel of every 4th row: enough to tell a live sensor's noisy frames apart, cheap to compare.
    None for a uniform picture (a covered lens or a dark room repeats itself legitimately)."""
    sample = np.ascontiguousarray(image[::4, ::4])
    return None if sample.min() == sample.max() else sample


class Retrying:
    """A Source that never raises SourceError: while the camera is down `read` returns None, and it is
    restarted after 0.5 s, 1 s, 2 s ... at most 10 s. Every wait is on `stop`, so setting it ends any pause
    at once. SourceEnded (a finite file is done) passes through.

    A frozen camera, one that keeps delivering the very same picture, counts as down too: a real sensor's
    noise makes every frame differ, so a repeat is passed on as no frame (the loop, and the service watchdog,
    see nothing new), and repeats for `frozen_seconds` restart the camera."""

    def __init__(self, source: Source, stop: threading.Event,
                 on_event: Callable[[str], None] = log.warning,
                 first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY,
                 frozen_seconds: float = FROZEN_SECONDS) -> None:
        self.source = source
        self.name = source.name
        self.live = getattr(source, "live", True)
        self.stop_event = stop
        self.on_event = on_event
        self.first_delay = first_delay
        self.max_delay = max_delay
        self._failures = 0  # failures since the last frame
        self._up = False
        self._retry_at = 0.0
        self.frozen_seconds = frozen_seconds
        self._last_print: np.ndarray | None = None
        self._same_since: float | None = None  # when the picture stopped changing

    @property
    def up(self) -> bool:
        """Whether the source is running (it may still be waiting for its first frame)."""
        return self._up

    def start(self) -> None:
        self._try_start()

    def read(self, timeout: float) -> Frame | None:
        if self.stop_event.is_set():
            return None
        if not self._up:
            wait = self._retry_at - time.monotonic()
            if wait > 0:
                self.stop_event.wait(min(wait, max(0.0, timeout)))
                return None
            if not self._try_start():
                return None
        try:
            frame = self.source.read(timeout)
        except SourceError as exc:
            self._fail(str(exc))
            return None
        if frame is not None and self._repeats(frame):
            return None
        if frame is not None and self._failures:
            self.on_event(f"{self.name}: recovered after {self._failures} failure{'s' * (self._failures > 1)}")
            self._failures = 0
        return frame

    def _repeats(self, frame: Frame) -> bool:
        """Whether `frame` shows exactly the last picture again; past `frozen_seconds` of that, a restart."""
        now = time.monotonic()
        current = fingerprint(frame.image)
        previous, self._last_print = self._last_print, current
        if current is None or previous is None or not np.array_equal(current, previous):
            self._same_since = None
            return False
        if self._same_since is None:
            self._same_since = now
        elif now - self._same_since >= self.frozen_seconds:
            self._fail(f"{self.name}: frozen, the same picture for {self.frozen_seconds:g} s")
        return True

    def _try_start(self) -> bool:
        try:
            self.source.start()
        except SourceError as exc:
            self._fail(str(exc))
            return False
        self._up = True
        return True

    def _fail(self, message: str) -> None:
        """Release the source and schedule the next start; pauses double until a frame comes through."""
        self._up = False
        self._last_print = self._same_since = None
        self._stop_source()
        delay = min(self.max_delay, self.first_delay * 2 ** min(self._failures, 32))
        self._failures += 1
        self._retry_at = time.monotonic() + delay
        self.on_event(f"{message}; retrying in {delay:g} s")

    def _stop_source(self) -> None:
        try:
            self.source.stop()
        except Exception as exc:  # a half-dead driver must not take the loop down with it
            self.on_event(f"{self.name}: stopping failed: {exc}")

    def stop(self) -> None:
        self._up = False
        self._stop_source()
