"""Webcams (an index or /dev/videoN) and stream URLs through cv2.VideoCapture.

A grabber thread reads the device as fast as it delivers and keeps only the newest frame, so a slow consumer
never works through a backlog of old pictures. The thread owns the capture and releases it in `finally`, even
when a dead device leaves it stuck in `read` past `stop`.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

from edge.cvlog import quiet_opencv
from edge.sources.base import Frame, SourceError

FAIL_LIMIT = 5  # this many failed reads in a row and the device counts as gone
STALL_SECONDS = 5.0  # no frame for this long (a read stuck in the driver) and the device counts as gone
JOIN_SECONDS = 1.0  # how long `stop` waits for the grabber (SIGTERM must end the service in 2 s); a stuck one
# finishes, and releases the device, on its own
STREAM_TIMEOUT_MS = 5000  # open and read timeouts for network streams, so a dead server cannot hang us


class Capture(Protocol):
    """The part of cv2.VideoCapture the grabber uses (tests pass a fake)."""

    def read(self) -> tuple[bool, np.ndarray | None]: ...
    def release(self) -> None: ...


def open_capture(target: int | str, width: int, height: int, fps: float | None) -> cv2.VideoCapture:
    """An opened, configured VideoCapture; SourceError if it does not open."""
    with quiet_opencv(cv2.utils.logging.LOG_LEVEL_SILENT):  # probing devices: SourceError says it
        if isinstance(target, str) and "://" in target:
            capture = cv2.VideoCapture(target, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
                                                               cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS])
        elif isinstance(target, str):
            capture = cv2.VideoCapture(target, cv2.CAP_V4L2)
        else:
            capture = cv2.VideoCapture(target)
        if not capture.isOpened():
            capture.release()
            raise SourceError("OpenCV cannot open it")
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # False where the backend has no such setting; fine
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        if fps:
            capture.set(cv2.CAP_PROP_FPS, fps)
    return capture


def webcam_opens(index: int) -> bool:
    """Whether webcam `index` opens (it is released again at once)."""
    try:
        open_capture(index, 640, 480, None).release()
    except SourceError:
        return False
    return True


def redact(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass
class _Run:
    """One start..stop of the device: the grabber's state, so a stuck old grabber cannot touch a new run."""

    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)
    latest: Frame | None = None
    last_frame: float = field(default_factory=time.monotonic)  # the start counts as one, for the stall clock
    error: str | None = None
    thread: threading.Thread | None = None


class CaptureSource:
    """A webcam or stream whose newest frame is always the one `read` returns."""

    live = True

    def __init__(self, target: int | str, *, width: int = 640, height: int = 480, fps: float | None = None,
                 fail_limit: int = FAIL_LIMIT, stall_seconds: float = STALL_SECONDS,
                 opener: Callable[[int | str, int, int, float | None], Any] = open_capture) -> None:
        self.target = target
        if isinstance(target, int):
            self.name = f"webcam {target}"
        elif "://" in target:
            self.name = f"stream {redact(target)}"
        else:
            self.name = f"webcam {target}"
        self.width, self.height, self.fps = width, height, fps
        self.fail_limit = fail_limit
        self.stall_seconds = stall_seconds
        self._opener = opener
        self._numbers = itertools.count(1)  # shared by all runs: numbers keep increasing across restarts
        self._returned = 0
        self._run: _Run | None = None

    def start(self) -> None:
        self.stop()
        try:
            capture = self._opener(self.target, self.width, self.height, self.fps)
        except SourceError as exc:
            raise SourceError(f"{self.name}: {exc}") from None
        except cv2.error as exc:
            raise SourceError(f"{self.name}: {str(exc).strip().splitlines()[-1]}") from None
        run = _Run()
        run.thread = threading.Thread(target=self._grab, args=(capture, run), name=f"grab {self.name}",
                                      daemon=True)
        self._run = run
        run.thread.start()

    def _grab(self, capture: Capture, run: _Run) -> None:
        """Read until stopped, keeping only the newest frame; a dead device ends the run with an error."""
        failures = 0
        try:
            while not run.stopping.is_set():
                ok, image = capture.read()
                now = time.monotonic()
                with run.changed:
                    if ok and image is not None and image.size:
                        failures = 0
                        run.latest = Frame(image, None, next(self._numbers), now)
                        run.last_frame = now
                    else:
                        failures += 1
                        if failures >= self.fail_limit:
                            run.error = f"{self.name}: no frame in {failures} reads (unplugged?)"
                    run.changed.notify_all()
                if run.error:
                    return
        except Exception as exc:  # a driver error must reach the consumer as SourceError, not kill silently
            with run.changed:
                run.error = f"{self.name}: {type(exc).__name__}: {exc}"
                run.changed.notify_all()
        finally:
            capture.release()

    def read(self, timeout: float) -> Frame | None:
        run = self._run
        if run is None:
            raise SourceError(f"{self.name}: not started")
        with run.changed:
            run.changed.wait_for(lambda: self._fresh(run) or run.error is not None, timeout=max(0.0, timeout))
            if self._fresh(run):
                assert run.latest is not None
                self._returned = run.latest.number
                return run.latest
            if run.error:
                raise SourceError(run.error)
            if time.monotonic() - run.last_frame > self.stall_seconds:
                raise SourceError(f"{self.name}: no frame for {self.stall_seconds:g} s")
        return None

    def _fresh(self, run: _Run) -> bool:
        return run.latest is not None and run.latest.number > self._returned

    def stop(self) -> None:
        run, self._run = self._run, None
        if run is None:
            return
        run.stopping.set()
        if run.thread is not None and run.thread is not threading.current_thread():
            run.thread.join(JOIN_SECONDS)
