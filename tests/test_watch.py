"""Hot model reload: a model file replaced while running is picked up; a bad one is refused once, the old one runs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge import atomic
from edge.classify import DEFAULT_MODEL, Classifier, sidecar_path
from edge.config import Config
from edge.loop import Loop
from edge.sources import Frame
from edge.watch import ModelWatcher

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")

CROPS = np.zeros((2, 28, 28), np.float32)
CROPS[:, 6:22, 13:15] = 1.0  # a "1" twice


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def install(folder: Path, model: bytes, sidecar: dict | None) -> Path:
    """Write a model and its sidecar the way `convert` does: each to a temp file, renamed into place."""
    path = folder / "digits.tflite"
    atomic.write_bytes(path, model)
    if sidecar is not None:
        atomic.write_text(sidecar_path(path), json.dumps(sidecar))
    return path


def shipped_sidecar(**changes: object) -> dict:
    return {**json.loads(sidecar_path(DEFAULT_MODEL).read_text()), **changes}


def named(digits: str) -> list[str]:
    """The shipped model's labels, its digits renamed `digits` (its none output, if any, kept)."""
    return list(digits) + json.loads(sidecar_path(DEFAULT_MODEL).read_text())["labels"][10:]


@pytest.fixture
def running(tmp_path: Path) -> tuple[Path, ModelWatcher, FakeClock, list[str]]:
    path = install(tmp_path, DEFAULT_MODEL.read_bytes(), shipped_sidecar())
    clock, events = FakeClock(), []
    watcher = ModelWatcher(Classifier(path), on_event=events.append, interval=1.0, clock=clock)
    return path, watcher, clock, events


def test_nothing_changes_while_the_file_stays(running) -> None:
    _, watcher, clock, events = running
    first = watcher.current()
    for _ in range(5):
        clock.now += 1.5
        assert watcher.current() is first
    assert events == []


def test_an_atomic_replacement_is_used_from_the_next_check(running) -> None:
    path, watcher, clock, events = running
    old = watcher.current()
    install(path.parent, DEFAULT_MODEL.read_bytes(), shipped_sidecar(labels=named("abcdefghij")))
    clock.now += 0.5
    assert watcher.current() is old  # checked at most once a second: no stat until then
    clock.now += 0.6
    new = watcher.current()
    assert new is not old and new.labels == list("abcdefghij")
    assert new.probabilities(CROPS).shape == (2, 10)
    assert events == [f"model reloaded: {path}"]
    clock.now += 5
    assert watcher.current() is new and len(events) == 1


@pytest.mark.parametrize("content", [b"", b"just some text, renamed .tflite\n", b"TFL3" + bytes(5000),
                                     "truncated", "random"])
def test_a_corrupt_replacement_is_refused_once_and_the_old_model_runs_on(running, content) -> None:
    path, watcher, clock, events = running
    old = watcher.current()
    expected = old.probabilities(CROPS)
    if content == "truncated":
        content = DEFAULT_MODEL.read_bytes()[:100_000]
    elif content == "random":
        content = np.random.default_rng(0).integers(0, 256, 180_000, dtype=np.uint8).tobytes()
    install(path.parent, content, None)
    sidecar_path(path).unlink()  # a bare model: nothing to compare its sha256 with, so it is loaded and fails
    for _ in range(4):
        clock.now += 1.1
        assert watcher.current() is old
    assert len(events) == 1 and events[0].startswith("model not reloaded: ") and str(path) in events[0]
    assert events[0].endswith("keeping the running model") and "\n" not in events[0]
    np.testing.assert_array_equal(old.probabilities(CROPS), expected)


def test_a_replacement_that_disagrees_with_its_labels_is_refused(running) -> None:
    path, watcher, clock, events = running
    old = watcher.current()
    install(path.parent, DEFAULT_MODEL.read_bytes(), shipped_sidecar(labels=["0", "1"]))
    clock.now += 1.1
    assert watcher.current() is old
    assert len(events) == 1 and f"{len(named(''))} outputs for 2 labels" in events[0]


def test_a_sidecar_that_does_not_match_is_looked_at_once_more_then_refused(running) -> None:
    path, watcher, clock, events = running
    old = watcher.current()
    install(path.parent, DEFAULT_MODEL.read_bytes()[:-8] + bytes(8), None)  # the old sidecar's sha256 is wrong now
    clock.now += 1.1
    assert watcher.current() is old and events == []  # convert may be between its two renames: wait
    clock.now += 1.1
    assert watcher.current() is old
    assert len(events) == 1 and "does not match its sidecar" in events[0]
    clock.now += 1.1
    assert watcher.current() is old and len(events) == 1


def test_the_sidecar_arriving_after_the_model_completes_the_replacement(running) -> None:
    path, watcher, clock, events = running
    old = watcher.current()
    content = DEFAULT_MODEL.read_bytes()
    atomic.write_text(sidecar_path(path), json.dumps(shipped_sidecar(sha256="0" * 64)))  # an old, other sidecar
    clock.now += 1.1
    assert watcher.current() is old and events == []
    install(path.parent, content, shipped_sidecar(labels=named("ABCDEFGHIJ")))  # convert's second rename
    clock.now += 1.1
    assert watcher.current().labels == list("ABCDEFGHIJ")
    assert events == [f"model reloaded: {path}"]


def test_a_deleted_model_keeps_the_running_one_until_a_new_file_comes(running) -> None:
    path, watcher, clock, events = running
    old = watcher.current()
    path.unlink()
    clock.now += 1.1
    assert watcher.current() is old and events == [f"{path}: model file gone; keeping the running model"]
    clock.now += 1.1
    assert watcher.current() is old and len(events) == 1
    install(path.parent, DEFAULT_MODEL.read_bytes(), shipped_sidecar())
    clock.now += 1.1
    assert watcher.current() is not old and events[-1] == f"model reloaded: {path}"


def test_a_32x32x3_replacement_is_refused(running) -> None:
    pytest.importorskip("tensorflow")
    from tensorflow import keras

    from tests import tflite_models

    path, watcher, clock, events = running
    old = watcher.current()
    cifar = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    other = tflite_models.convert(cifar, path.parent / "cifar.tflite")
    sidecar_path(path).unlink()
    os.replace(other, path)
    clock.now += 1.1
    assert watcher.current() is old
    assert len(events) == 1 and "input shape [1, 32, 32, 3]" in events[0]


class Stills:
    """A live-like source: the same blank page, `count` frames, then nothing new."""

    name, live = "stills", True

    def __init__(self, count: int) -> None:
        self.count, self.number = count, 0

    def start(self) -> None:
        pass

    def read(self, timeout: float) -> Frame | None:
        self.number += 1
        if self.number > self.count:
            return None
        return Frame(np.full((120, 160, 3), 220, np.uint8), None, self.number, 0.0)

    def stop(self) -> None:
        pass


class Hook:
    """A display that calls `action` when frame `at` is shown, so the test can act in the middle of a run."""

    def __init__(self, at: int, action) -> None:
        self.at, self.action, self.shown = at, action, 0

    def start(self) -> None:
        pass

    def show(self, image: np.ndarray, latest: dict) -> None:
        self.shown += 1
        if self.shown == self.at:
            self.action()

    def keys(self) -> list[str]:
        return []

    def stop(self) -> None:
        pass


def test_the_loop_switches_models_between_frames(tmp_path: Path) -> None:
    path = install(tmp_path, DEFAULT_MODEL.read_bytes(), shipped_sidecar())
    first = Classifier(path)
    events: list[str] = []
    watcher = ModelWatcher(first, on_event=events.append, interval=0.0)  # look on every frame
    renamed = shipped_sidecar(labels=named("kmnpqrstuv"))
    display = Hook(3, lambda: install(tmp_path, DEFAULT_MODEL.read_bytes(), renamed))
    loop = Loop(Config(max_frames=6), Stills(6), display, first, threading.Event(), out=open(os.devnull, "w"),
                on_event=events.append, watcher=watcher)
    assert loop.run() == 6 and display.shown == 6
    assert loop.classifier is not first and loop.classifier.labels == list("kmnpqrstuv")
    assert events == [f"model reloaded: {path}"]


@pytest.mark.timeout(60)
def test_edge_run_reloads_a_replaced_model_and_refuses_a_broken_one(tmp_path: Path) -> None:
    """The real command: garbage renamed over the model is refused, the next good model is taken, no restart."""
    path = install(tmp_path, DEFAULT_MODEL.read_bytes(), shipped_sidecar())
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), np.full((240, 320), 230, np.uint8))
    proc = subprocess.Popen([sys.executable, "-m", "edge", "run", "--source", str(image), "--display", "none",
                             "--model", str(path)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stderr is not None
        lines = iter(proc.stderr.readline, "")
        assert any(line.startswith("digitcam: source") for line in lines)
        atomic.write_bytes(path, b"not a model at all")  # its sidecar still describes the old one
        refused = next(line for line in lines if "model" in line)
        assert refused.startswith("model not reloaded: ") and "keeping the running model" in refused
        install(tmp_path, DEFAULT_MODEL.read_bytes(), shipped_sidecar())
        assert next(line for line in lines if "model" in line).strip() == f"model reloaded: {path}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        proc.kill()
        proc.wait()
