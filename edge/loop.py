"""The live loop: it only wires the stages. Capture (the source's own thread) -> recognise -> smooth -> draw
-> display, record and report; one Event stops it all, and the camera is released in `finally`."""
from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from edge.classify import Classifier
from edge.config import Config
from edge.detect import DetectParams
from edge.grey import to_grey
from edge.order import reading_rows
from edge.overlay import Stats, draw
from edge.reading import Box, Reading, to_json
from edge.recognise import Result, recognise
from edge.record import Recorder, save_snapshot
from edge.smooth import Smoother
from edge.sources import SourceEnded
from edge.watch import ModelWatcher


KEEP_TIMINGS = 300  # frames of stage times kept (10 s at 30 fps): bench keeps its own count; bounded for months


@dataclass
class Timings:
    """Per-stage milliseconds of the last `keep` processed frames, for the overlay's figures and for `bench`."""

    keep: int = KEEP_TIMINGS
    frames: deque[dict[str, float]] = field(init=False)
    started: float = field(default_factory=time.perf_counter)
    first_reading: float | None = None
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=30))

    def __post_init__(self) -> None:
        self.frames = deque(maxlen=self.keep)

    def add(self, stages: dict[str, float]) -> None:
        self.frames.append(stages)
        self.recent.append(time.perf_counter())
        if self.first_reading is None:
            self.first_reading = time.perf_counter()

    @property
    def fps(self) -> float:
        if len(self.recent) < 2:
            return 0.0
        return (len(self.recent) - 1) / max(1e-9, self.recent[-1] - self.recent[0])


class Clock:
    """Split a frame's time into named stages with one call per stage boundary."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.stages[name] = self.stages.get(name, 0.0) + (now - self._last) * 1000
        self._last = now


def _in_reading_order(result: Result) -> np.ndarray:
    """The crops the model saw, in the order the overlay lists digits."""
    order = [i for row in result.detection.rows for i in row]
    return result.detection.crops[order] if order else result.detection.crops


def _scale_boxes(boxes: list[Box], sx: float, sy: float) -> list[Box]:
    return [(round(x * sx), round(y * sy), round(w * sx), round(h * sy)) for x, y, w, h in boxes]


@dataclass
class Loop:
    """Run frames from `source` to `display` until `stop` is set, the source ends, or `max_frames`."""

    config: Config
    source: Any  # edge.sources.Source
    display: Any  # edge.displays.Display
    classifier: Classifier
    stop: threading.Event
    out: TextIO = sys.stdout
    on_event: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True)
    on_frame: Callable[[], None] = lambda: None  # e.g. feed the systemd watchdog
    params: DetectParams = field(default_factory=DetectParams)
    timings: Timings = field(default_factory=Timings)
    watcher: ModelWatcher | None = None  # hands over a replaced model file between frames

    def __post_init__(self) -> None:
        self.smoother = Smoother(reading_rows, min_confidence=self.config.min_confidence,
                                 window=self.config.smoothing, min_hits=min(3, self.config.smoothing))
        self.recorder = Recorder(self.config.record, fps=15.0, on_error=self.on_event) if self.config.record else None
        self.debug_inset = self.config.debug_inset
        self.paused = False
        self.shown_text: str | None = None
        self.latest: dict[str, Any] = {}
        self.last_frame_time = time.monotonic()

    def run(self) -> int:
        """Process frames; returns the number processed. The source and outputs are closed in `finally`."""
        count = 0
        try:
            self.source.start()
            self.display.start()
            address = getattr(self.display, "address", None)  # the HTTP view's real port, when asked for port 0
            if address:
                self.on_event(f"digitcam: live view at http://{address[0]}:{address[1]}/")
            annotated: np.ndarray | None = None
            while not self.stop.is_set():
                try:
                    annotated = self._step(annotated)
                except SourceEnded:
                    break
                if annotated is not None and not self.paused:
                    count += 1
                    if self.config.max_frames and count >= self.config.max_frames:
                        break
        finally:
            self.source.stop()
            self.display.stop()
            if self.recorder:
                self.recorder.close()
        return count

    def _step(self, previous: np.ndarray | None) -> np.ndarray | None:
        clock = Clock()
        frame = self.source.read(timeout=0.25)
        clock.lap("capture")
        self._handle_keys(previous)
        if frame is None:
            if time.monotonic() - self.last_frame_time > self.config.stall_seconds:
                self.on_event(f"no frame from {self.source.name} for {self.config.stall_seconds:g} s")
                self.last_frame_time = time.monotonic()
            return None
        self.last_frame_time = time.monotonic()
        self.on_frame()  # even while paused: the camera is alive, so the watchdog must not fire
        if self.paused:
            return previous
        if self.watcher is not None:
            self.classifier = self.watcher.current()
        grey = frame.grey if frame.grey is not None else to_grey(frame.image)
        clock.lap("grey")
        result = recognise(grey, self.classifier, self.params, self.config.min_confidence, clock.lap)
        sx, sy = frame.image.shape[1] / grey.shape[1], frame.image.shape[0] / grey.shape[0]
        reading = self.smoother.update(_scale_boxes(result.detection.boxes, sx, sy), result.probabilities)
        clock.lap("smooth")
        stats = Stats(fps=self.timings.fps, stages=dict(self.timings.frames[-1]) if self.timings.frames else {})
        annotated = draw(frame.image, reading, stats, _in_reading_order(result) if self.debug_inset else None)
        clock.lap("overlay")
        self._report(reading)
        self.display.show(annotated, self.latest)
        if self.recorder:
            self.recorder.write(annotated)
        clock.lap("display")
        self.timings.add(clock.stages)
        return annotated

    def _report(self, reading: Reading) -> None:
        """Keep the latest reading for the HTTP view; print a JSON line whenever the text changes."""
        line = {**to_json(reading), "time": time.time()}
        self.latest = {**line, "fps": round(self.timings.fps, 1)}
        if reading.text != self.shown_text:
            self.shown_text = reading.text
            print(json.dumps(line), file=self.out, flush=True)

    def _handle_keys(self, annotated: np.ndarray | None) -> None:
        for key in self.display.keys():
            if key == "quit":
                self.stop.set()
            elif key == "pause":
                self.paused = not self.paused
            elif key == "debug":
                self.debug_inset = not self.debug_inset
            elif key == "snapshot" and annotated is not None:
                self._snapshot(annotated)

    def _snapshot(self, annotated: np.ndarray) -> None:
        path = Path(self.config.snapshot_dir) / time.strftime("digitcam-%Y%m%d-%H%M%S.png")
        try:
            save_snapshot(path, annotated)
            self.on_event(f"snapshot saved: {path}")
        except (OSError, ValueError) as exc:
            self.on_event(f"snapshot failed: {path}: {exc}")
