"""Faults the kiosk must outlive: a camera missing at start or frozen, signals while recording, a full or
read-only disk under the recorder and the snapshots. Each runs the real loop (or the real command)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge import record
from edge.classify import DEFAULT_MODEL, Classifier
from edge.config import Config
from edge.live import stop_on_signals
from edge.loop import Loop
from edge.sources import Frame, Retrying, SourceError
from edge.sources.opencv import CaptureSource

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model"), pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


def page(seed: int) -> np.ndarray:
    """A noisy sheet, different for every seed, as a real sensor's frames are."""
    return np.random.default_rng(seed).integers(200, 240, (120, 160, 3), dtype=np.uint8)


class Camera:
    """A live source under the test's control: missing for the first `absent` starts, then each read gives
    a picture `picture(n)` (None: no frame this time)."""

    name, live = "camera", True

    def __init__(self, absent: int = 0, picture: Callable[[int], np.ndarray | None] = page) -> None:
        self.absent, self.picture = absent, picture
        self.starts = self.stops = self.reads = 0

    def start(self) -> None:
        self.starts += 1
        if self.starts <= self.absent:
            raise SourceError("camera: not connected")

    def read(self, timeout: float) -> Frame | None:
        threading.Event().wait(min(timeout, 0.005))  # a camera's frame interval
        self.reads += 1
        image = self.picture(self.reads)
        return None if image is None else Frame(image, None, self.reads, time.monotonic())

    def stop(self) -> None:
        self.stops += 1


class Screen:
    """A display that records what it showed and can press keys: `press[n]` is given after frame n."""

    def __init__(self, press: dict[int, str] | None = None, on_show: Callable[[int], None] = lambda n: None) -> None:
        self.shown, self.press, self.on_show, self.pending = 0, press or {}, on_show, []

    def start(self) -> None:
        pass

    def show(self, image: np.ndarray, latest: dict) -> None:
        self.shown += 1
        self.on_show(self.shown)
        if self.shown in self.press:
            self.pending.append(self.press[self.shown])

    def keys(self) -> list[str]:
        keys, self.pending = self.pending, []
        return keys

    def stop(self) -> None:
        pass


class Beats:
    """The loop's on_frame hook (the systemd watchdog's feed): when each beat came."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self) -> None:
        self.times.append(time.monotonic())


def make_loop(config: Config, source, display, classifier: Classifier, events: list[str],
              on_frame: Callable[[], None] = lambda: None) -> Loop:
    return Loop(config, source, display, classifier, threading.Event(), out=open(os.devnull, "w"),
                on_event=events.append, on_frame=on_frame)


# --- the camera ---------------------------------------------------------------------------------------------

def test_a_camera_missing_at_start_is_reported_retried_with_backoff_and_used_when_it_comes(classifier) -> None:
    events: list[str] = []
    camera = Camera(absent=3)
    source = Retrying(camera, threading.Event(), events.append, first_delay=0.02, max_delay=0.05)
    loop = make_loop(Config(max_frames=5), source, Screen(), classifier, events)
    assert loop.run() == 5
    assert camera.starts == 4
    delays = [e.rsplit("retrying in ", 1)[1] for e in events if "retrying in" in e]
    assert delays == ["0.02 s", "0.04 s", "0.05 s"]  # doubling, capped
    assert all(e.startswith("camera: not connected") for e in events[:3])
    assert events[3] == "camera: recovered after 3 failures"
    assert camera.stops >= 4  # released after each failed start, and at the end


@pytest.mark.timeout(30)
def test_edge_run_without_its_webcam_keeps_retrying_then_stops_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "edge", "run", "--source", "/dev/video57", "--display", "none"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        retries = []
        for line in proc.stderr:
            if "retrying in" in line:
                retries.append(line.strip())
                if len(retries) == 2:
                    break
        assert retries[0].startswith("webcam /dev/video57: ") and retries[0].endswith("retrying in 0.5 s")
        assert retries[1].endswith("retrying in 1 s")
        assert proc.poll() is None  # still running, still trying
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - sent < 2.0
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_a_camera_that_stops_delivering_is_reported_and_starves_the_watchdog(classifier) -> None:
    """No new frames: the loop says so every stall_seconds and stops feeding the watchdog until frames return."""
    stall = 0.3
    gap: dict[str, float] = {}

    def picture(n: int) -> np.ndarray | None:
        if n == 4:
            gap["from"] = time.monotonic()
        if 4 <= n and time.monotonic() - gap["from"] < 3.5 * stall:
            return None
        return page(n)

    events: list[str] = []
    beats = Beats()
    loop = make_loop(Config(max_frames=8, stall_seconds=stall), Camera(picture=picture), Screen(), classifier, events,
                     beats)
    assert loop.run() == 8
    stalls = [e for e in events if e.startswith("no frame from camera for")]
    assert len(stalls) >= 2  # said again for as long as it lasts
    longest = max(b - a for a, b in zip(beats.times, beats.times[1:]))
    assert longest >= 3.5 * stall  # not one beat while the camera gave nothing


def test_a_frozen_camera_is_noticed_restarted_and_starves_the_watchdog(classifier) -> None:
    """The same picture again and again (a wedged driver re-sending its last buffer) counts as no frame."""
    frozen = 0.3
    camera = Camera()
    camera.picture = lambda n: page(0) if camera.starts == 1 and n > 2 else page(n)
    events: list[str] = []
    beats = Beats()
    source = Retrying(camera, threading.Event(), events.append, first_delay=0.01, frozen_seconds=frozen)
    loop = make_loop(Config(max_frames=10, stall_seconds=frozen), source, Screen(), classifier, events, beats)
    assert loop.run() == 10
    assert camera.starts == 2
    assert any(e == f"camera: frozen, the same picture for {frozen:g} s; retrying in 0.01 s" for e in events)
    assert events[-1] == "camera: recovered after 1 failure"
    longest = max(b - a for a, b in zip(beats.times, beats.times[1:]))
    assert longest >= frozen  # the repeats fed nothing


def test_a_covered_lens_is_not_a_frozen_camera(classifier) -> None:
    """A uniform black picture repeats legitimately (lens cap, dark room): frames keep flowing, no restart."""
    camera = Camera(picture=lambda n: np.zeros((120, 160, 3), np.uint8))
    events: list[str] = []
    source = Retrying(camera, threading.Event(), events.append, frozen_seconds=0.0)
    loop = make_loop(Config(max_frames=20), source, Screen(), classifier, events)
    assert loop.run() == 20
    assert camera.starts == 1 and events == []


# --- signals ------------------------------------------------------------------------------------------------

def test_a_signal_stops_the_loop_at_once_and_releases_the_camera(classifier) -> None:
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    stop_on_signals(stop)
    try:
        camera = Camera()
        sent: dict[str, float] = {}

        def kill_at(n: int) -> None:
            if n == 3:
                sent["at"] = time.monotonic()
                os.kill(os.getpid(), signal.SIGTERM)

        loop = Loop(Config(), camera, Screen(on_show=kill_at), classifier, stop, out=open(os.devnull, "w"))
        loop.run()
        assert time.monotonic() - sent["at"] < 2.0
        assert camera.stops == 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class WedgedCapture:
    """A cv2.VideoCapture whose driver gives one frame, then hangs in read until the test ends."""

    def __init__(self) -> None:
        self.reads, self.released, self.unstick = 0, threading.Event(), threading.Event()

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.reads += 1
        if self.reads > 1:
            self.unstick.wait(30)
        return True, page(self.reads)

    def release(self) -> None:
        self.released.set()


def test_a_signal_stops_the_loop_within_2_s_even_with_a_wedged_camera_driver(classifier) -> None:
    """The grabber stuck in the driver is not waited for past a second; it releases the device when it returns."""
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    stop_on_signals(stop)
    capture = WedgedCapture()
    try:
        source = Retrying(CaptureSource(0, opener=lambda *args: capture), stop)
        sent: dict[str, float] = {}

        def kill_when_wedged(n: int) -> None:
            if n == 1:
                sent["at"] = time.monotonic()
                os.kill(os.getpid(), signal.SIGINT)

        loop = Loop(Config(), source, Screen(on_show=kill_when_wedged), classifier, stop, out=open(os.devnull, "w"))
        loop.run()
        assert time.monotonic() - sent["at"] < 2.0
        assert not capture.released.is_set()  # still inside the driver's read ...
    finally:
        capture.unstick.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert capture.released.wait(5)  # ... and let go of the device as soon as it returned


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sheet") / "sheet.png"
    image = np.full((240, 320, 3), 225, np.uint8)
    cv2.putText(image, "38", (60, 180), cv2.FONT_HERSHEY_SIMPLEX, 4, (40, 40, 40), 12)
    cv2.imwrite(str(path), image)
    return path


def frames_in(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened(), f"{path} does not open"
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    return count


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("sig", "name"), [(signal.SIGTERM, "out.mp4"), (signal.SIGINT, "out.avi")])
def test_a_signal_while_recording_stops_within_2_s_and_leaves_a_playable_file(sheet: Path, tmp_path: Path,
                                                                              sig: int, name: str) -> None:
    video = tmp_path / name
    proc = subprocess.Popen([sys.executable, "-m", "edge", "run", "--source", str(sheet), "--display", "none",
                             "--record", str(video)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        lines = iter(proc.stdout.readline, "")
        assert any(json.loads(line)["text"] for line in lines)  # digits shown: three frames recorded by now
        sent = time.monotonic()
        proc.send_signal(sig)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - sent < 2.0
        assert proc.stderr is not None and "recording" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left beside it
    assert frames_in(video) >= 3


# --- the disk -----------------------------------------------------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """Mount small tmpfs file systems (root only): `mount(size, options)` gives a fresh one."""
    mounted: list[Path] = []

    def mount(size: str, options: str = "rw") -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},{options}", "tmpfs", str(point)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not root'})")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_disk_filling_up_while_recording_stops_the_recording_not_the_loop(
        tiny_disk, classifier, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real file system: recording starts with room to spare, a filler file then takes the room."""
    monkeypatch.setattr(record, "MIN_FREE_BYTES", 4 << 20)
    disk = tiny_disk("8m")
    video = disk / "out.avi"

    def fill(n: int) -> None:
        if n == 40:
            (disk / "filler").write_bytes(bytes(record.free_bytes(disk) - (1 << 20)))

    events: list[str] = []
    screen = Screen(on_show=fill)
    loop = make_loop(Config(max_frames=120, record=video), Camera(), screen, classifier, events)
    assert loop.run() == 120 and screen.shown == 120
    assert len(events) == 1 and events[0] == f"recording to {video} stopped: less than 4 MB left on disk"
    assert 40 <= frames_in(video) <= 40 + record.SPACE_CHECK_EVERY  # what was recorded before is kept, whole


def test_a_disk_full_under_opencv_is_reported_and_what_fitted_still_plays(
        tiny_disk, classifier, monkeypatch: pytest.MonkeyPatch) -> None:
    """No early warning (the free-space check off): OpenCV writes into ENOSPC without a word, so the file is
    checked on closing: the frames that fitted play, and the loss is reported."""
    monkeypatch.setattr(record, "MIN_FREE_BYTES", 0)
    disk = tiny_disk("256k")
    video = disk / "out.avi"
    events: list[str] = []
    loop = make_loop(Config(max_frames=60, record=video), Camera(), Screen(), classifier, events)
    assert loop.run() == 60
    assert len(events) == 1 and events[0].startswith(f"recording to {video} saved incomplete: 60 frames written")
    assert 0 < frames_in(video) < 60
    assert [p.name for p in disk.iterdir()] == ["out.avi"]


def test_a_read_only_disk_is_reported_for_recording_and_snapshots(tiny_disk, classifier) -> None:
    disk = tiny_disk("1m", "ro")
    events: list[str] = []
    screen = Screen(press={5: "snapshot", 9: "snapshot"})
    config = Config(max_frames=12, record=disk / "out.mp4", snapshot_dir=disk / "shots")
    loop = make_loop(config, Camera(), screen, classifier, events)
    assert loop.run() == 12 and screen.shown == 12
    assert sum("Read-only file system" in e for e in events) == 3, events  # the recording once, each snapshot
    assert events[0].startswith(f"recording to {disk / 'out.mp4'} stopped")
    assert all(e.startswith("snapshot failed: ") for e in events[1:])
    assert list(disk.iterdir()) == []


def test_a_full_disk_fails_snapshots_with_a_line_and_the_next_one_works_once_there_is_room(
        tiny_disk, classifier) -> None:
    disk = tiny_disk("512k")
    filler = disk / "filler"
    filler.write_bytes(bytes(record.free_bytes(disk)))
    events: list[str] = []
    screen = Screen(press={3: "snapshot", 6: "snapshot"}, on_show=lambda n: n == 5 and filler.unlink())
    loop = make_loop(Config(max_frames=8, snapshot_dir=disk), Camera(), screen, classifier, events)
    assert loop.run() == 8
    assert len(events) == 2
    assert events[0].startswith("snapshot failed: ") and "No space left on device" in events[0]
    assert events[1].startswith("snapshot saved: ")
    saved = [p for p in disk.iterdir()]
    assert len(saved) == 1 and cv2.imread(str(saved[0])) is not None  # the whole picture, and no temp file


def test_recording_and_snapshots_where_a_file_blocks_the_folder(tmp_path: Path, classifier) -> None:
    """For any user (no mount needed): the folder to write into is a file."""
    (tmp_path / "taken").write_text("a file, not a folder")
    events: list[str] = []
    screen = Screen(press={4: "snapshot"})
    config = Config(max_frames=8, record=tmp_path / "taken" / "out.mp4", snapshot_dir=tmp_path / "taken" / "shots")
    loop = make_loop(config, Camera(), screen, classifier, events)
    assert loop.run() == 8 and screen.shown == 8
    assert len(events) == 2, events
    assert events[0].startswith("recording to ") and events[1].startswith("snapshot failed: ")
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]
