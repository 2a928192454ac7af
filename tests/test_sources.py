"""Frame sources: files, folders, videos, the latest-frame grabber, retrying a dying camera, bad specs."""
from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.sources import NATIVE_FPS, Frame, Retrying, SourceEnded, SourceError, auto_spec, choose, open_source
from edge.sources.files import FolderSource, ImageSource, VideoSource
from edge.sources.opencv import CaptureSource, redact


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a condition another thread makes true; fail the test if it never does."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        pause.wait(0.005)


def read_until(source, predicate: Callable[[Frame | None], bool], timeout: float = 5.0) -> Frame | None:
    """Read (short waits) until `predicate` accepts what came back."""
    deadline = time.monotonic() + timeout
    while True:
        frame = source.read(0.05)
        if predicate(frame):
            return frame
        assert time.monotonic() < deadline, "no such read in time"


def write_video(path: Path, levels: list[int], size: tuple[int, int] = (64, 48), fps: float = 25.0) -> None:
    """One flat grey frame per level; flat frames survive MJPEG compression within a few levels."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for level in levels:
        writer.write(np.full((size[1], size[0], 3), level, np.uint8))
    writer.release()


def level(frame: Frame) -> int:
    return int(round(float(frame.image.mean())))


LEVELS = [20, 60, 100, 140, 180, 220]


# --- image files and folders -------------------------------------------------------------------------------

def test_image_repeats_as_bgr_copies(tmp_path: Path) -> None:
    picture = np.zeros((30, 40, 3), np.uint8)
    picture[:, :, 2] = 200  # red in BGR
    cv2.imwrite(str(tmp_path / "red.png"), picture)
    source = open_source(str(tmp_path / "red.png"))
    assert isinstance(source, ImageSource) and source.name == "image red.png" and not source.live
    source.start()
    try:
        first, second = source.read(1.0), source.read(1.0)
    finally:
        source.stop()
    assert first is not None and second is not None
    assert first.image.dtype == np.uint8 and first.image.shape == (30, 40, 3) and first.grey is None
    assert np.array_equal(first.image, picture)
    assert second.number > first.number and second.time >= first.time
    first.image[:] = 0  # the consumer draws on its frame: the next frame must not show it
    assert np.array_equal(second.image, picture)


def test_grey_and_16_bit_images_become_8_bit_bgr(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "deep.png"), np.full((8, 9), 0x8000, np.uint16))
    source = ImageSource(tmp_path / "deep.png")
    source.start()
    frame = source.read(1.0)
    source.stop()
    assert frame is not None and frame.image.shape == (8, 9, 3) and frame.image.dtype == np.uint8
    assert np.all(frame.image == 0x80)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sheets"
    folder.mkdir()
    for name, value in [("img10.png", 30), ("img2.png", 20), ("img1.png", 10)]:
        cv2.imwrite(str(folder / name), np.full((5, 5), value, np.uint8))
    (folder / "img3.png").write_bytes(b"not a png at all")
    (folder / "notes.txt").write_text("ignored")
    return folder


def test_folder_in_name_order_skips_broken_files_and_ends(tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    source = open_source(str(_folder(tmp_path)))
    assert isinstance(source, FolderSource)
    source.start()
    with caplog.at_level(logging.WARNING):
        seen = [int(source.read(1.0).image[0, 0, 0]) for _ in range(3)]  # type: ignore[union-attr]
        with pytest.raises(SourceEnded):
            source.read(1.0)
    source.stop()
    assert seen == [10, 20, 30]
    assert "img3.png" in caplog.text


def test_folder_loops(tmp_path: Path) -> None:
    source = open_source(str(_folder(tmp_path)), loop=True)
    source.start()
    seen = [int(source.read(1.0).image[0, 0, 0]) for _ in range(7)]  # type: ignore[union-attr]
    source.stop()
    assert seen == [10, 20, 30, 10, 20, 30, 10]


def test_folder_without_images_fails_to_start(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(SourceError, match="no images"):
        FolderSource(tmp_path).start()


def test_folder_where_nothing_decodes_is_an_error_not_a_spin(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"junk")
    source = FolderSource(tmp_path, loop=True)
    source.start()
    with pytest.raises(SourceError, match="decode"):
        source.read(1.0)


def test_paced_folder_keeps_to_its_rate(tmp_path: Path) -> None:
    source = FolderSource(_folder(tmp_path), loop=True, fps=4.0)
    start = time.monotonic()
    source.start()
    first = source.read(1.0)
    assert source.read(0.0) is None  # the next slot is a quarter second away
    frames = [first, source.read(2.0), source.read(2.0)]
    source.stop()
    assert all(f is not None for f in frames)
    assert frames[2].time >= start + 2 * 0.25  # type: ignore[union-attr]


# --- video files -----------------------------------------------------------------------------------------

def test_video_gives_every_frame_in_order_then_ends(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi", LEVELS)
    source = open_source(str(tmp_path / "clip.avi"))
    assert isinstance(source, VideoSource) and source.name == "video clip.avi"
    source.start()
    frames = [source.read(1.0) for _ in LEVELS]
    with pytest.raises(SourceEnded):
        source.read(1.0)
    source.stop()
    assert [abs(level(f) - v) <= 3 for f, v in zip(frames, LEVELS)] == [True] * len(LEVELS)  # type: ignore[arg-type]
    assert [f.number for f in frames] == sorted({f.number for f in frames})  # type: ignore[union-attr]
    assert frames[0].image.shape == (48, 64, 3)  # type: ignore[union-attr]


def test_video_loops(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi", LEVELS[:3])
    source = open_source(str(tmp_path / "clip.avi"), loop=True)
    source.start()
    seen = [level(source.read(1.0)) for _ in range(7)]  # type: ignore[arg-type]
    source.stop()
    nearest = [min(LEVELS[:3], key=lambda v: abs(v - s)) for s in seen]
    assert nearest == [20, 60, 100, 20, 60, 100, 20]


def test_paced_video_skips_what_a_slow_consumer_missed(tmp_path: Path) -> None:
    levels = [i * 8 for i in range(32)]
    write_video(tmp_path / "clip.avi", levels)
    source = VideoSource(tmp_path / "clip.avi", fps=NATIVE_FPS)  # the file's own 25 fps
    source.start()
    first = source.read(1.0)
    threading.Event().wait(0.3)  # the consumer is busy for 7.5 frame periods
    second = source.read(1.0)
    source.stop()
    assert first is not None and second is not None and second.number == first.number + 1
    assert level(second) - level(first) >= 7 * 8 - 6  # the six frames between were skipped, not queued


def test_missing_or_broken_video(tmp_path: Path) -> None:
    (tmp_path / "fake.mp4").write_bytes(b"\x00" * 100)
    with pytest.raises(SourceError, match="fake.mp4"):
        open_source(str(tmp_path / "fake.mp4")).start()


# --- specs -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, message", [
    ("no/such/file.mp4", "no such file"),
    ("ftp://example.com/x", "scheme"),
])
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        open_source(spec)


def test_file_of_unknown_kind(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SourceError, match="neither an image"):
        open_source(str(tmp_path / "notes.txt"))


def test_broken_image_fails_to_start(tmp_path: Path) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8 not really")
    with pytest.raises(SourceError, match="bad.jpg"):
        open_source(str(tmp_path / "bad.jpg")).start()


def test_camera_specs_name_their_device() -> None:
    assert open_source("1").name == "webcam 1"
    assert open_source("/dev/video2").name == "webcam /dev/video2"
    assert open_source("picamera").name == "picamera"
    stream = open_source("rtsp://user:secret@cam.local:554/live")
    assert stream.name == "stream rtsp://user:***@cam.local:554/live" and stream.live
    assert redact("http://cam.local/x.mjpg") == "http://cam.local/x.mjpg"


def test_auto_picks_webcam_then_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "picamera2", None)  # picamera2 is not installed
    monkeypatch.setattr(choose, "webcam_opens", lambda index: True)
    assert auto_spec(tmp_path / "demo.mp4") == "0"
    monkeypatch.setattr(choose, "webcam_opens", lambda index: False)
    assert auto_spec(tmp_path / "demo.mp4") == str(tmp_path / "demo.mp4")


# --- the OpenCV grabber: latest frame wins ---------------------------------------------------------------

class FakeDevice:
    """A webcam behind a fake cv2.VideoCapture: frames only when the test allows them, unpluggable."""

    def __init__(self, free_running: bool = False, period: float = 0.005) -> None:
        self.period = period  # a camera's frame interval
        self.changed = threading.Condition()
        self.allowed = 10**9 if free_running else 0
        self.reads = 0  # calls to read, including the one now waiting
        self.produced = 0
        self.plugged = True
        self.stuck = threading.Event()  # set: read hangs like a wedged driver until cleared
        self.captures: list[FakeDevice.Capture] = []

    def open(self, target: int | str, width: int, height: int, fps: float | None) -> FakeDevice.Capture:
        if not self.plugged:
            raise SourceError("OpenCV cannot open it")
        capture = FakeDevice.Capture(self)
        self.captures.append(capture)
        return capture

    def allow(self, count: int) -> None:
        with self.changed:
            self.allowed += count
            self.changed.notify_all()

    def unplug(self) -> None:
        with self.changed:
            self.plugged = False
            self.changed.notify_all()

    def plug(self) -> None:
        with self.changed:
            self.plugged = True
            self.changed.notify_all()

    class Capture:
        def __init__(self, device: FakeDevice) -> None:
            self.device = device
            self.released = threading.Event()
            self.frame_interval = threading.Event()  # never set: waiting on it paces the frames

        def read(self) -> tuple[bool, np.ndarray | None]:
            device = self.device
            self.frame_interval.wait(device.period)
            with device.changed:
                device.reads += 1
                device.changed.notify_all()
                # a real read blocks until the next frame; this one gives up after 50 ms like a select timeout
                device.changed.wait_for(lambda: device.produced < device.allowed or not device.plugged, 0.05)
                while device.stuck.is_set():
                    device.changed.wait(0.05)
                if not device.plugged or device.produced >= device.allowed:
                    return False, None
                device.produced += 1
                return True, np.full((4, 6, 3), device.produced % 256, np.uint8)

        def release(self) -> None:
            self.released.set()


def test_slow_consumer_gets_the_newest_frame_never_a_backlog() -> None:
    device = FakeDevice()
    source = CaptureSource(0, opener=device.open, fail_limit=10**6)
    source.start()
    device.allow(5)
    wait_until(lambda: device.reads >= 6)  # five frames grabbed and published while nobody read
    newest = source.read(1.0)
    assert newest is not None and int(newest.image[0, 0, 0]) == 5 and newest.grey is None
    assert source.read(0.05) is None  # nothing newer: the same frame is not handed out twice
    device.allow(1)
    following = source.read(1.0)
    source.stop()
    assert following is not None and int(following.image[0, 0, 0]) == 6
    assert following.number > newest.number
    assert device.captures[0].released.wait(2.0)


def test_failed_reads_mean_the_device_is_gone() -> None:
    device = FakeDevice(free_running=True)
    source = CaptureSource(0, opener=device.open, fail_limit=3)
    source.start()
    assert read_until(source, lambda f: f is not None) is not None
    device.unplug()
    with pytest.raises(SourceError, match="webcam 0"):
        read_until(source, lambda f: False)
    assert device.captures[0].released.wait(2.0)  # the grabber let go of the device by itself
    source.stop()


def test_a_wedged_driver_shows_as_a_stall() -> None:
    device = FakeDevice(free_running=True)
    source = CaptureSource(0, opener=device.open, stall_seconds=0.5)  # a busy CI machine may delay the first frame
    source.start()
    assert read_until(source, lambda f: f is not None) is not None
    device.stuck.set()
    with pytest.raises(SourceError, match="no frame for 0.5 s"):
        read_until(source, lambda f: False)
    device.stuck.clear()
    source.stop()
    assert device.captures[0].released.wait(2.0)


def test_unopenable_webcam_is_a_source_error() -> None:
    device = FakeDevice()
    device.unplug()
    with pytest.raises(SourceError, match="webcam 3: OpenCV cannot open it"):
        CaptureSource(3, opener=device.open).start()


# --- retrying --------------------------------------------------------------------------------------------

def test_a_camera_that_dies_mid_run_recovers_under_retrying() -> None:
    device = FakeDevice(free_running=True)
    stop, events = threading.Event(), []
    source = Retrying(CaptureSource(0, opener=device.open, fail_limit=3), stop, events.append,
                      first_delay=0.01, max_delay=0.05)
    source.start()
    before = read_until(source, lambda f: f is not None)
    device.unplug()
    read_until(source, lambda f: len(events) >= 3)  # the failure, then failed restarts, each reported
    assert all("retrying in" in e for e in events) and "webcam 0" in events[0]
    device.plug()
    after = read_until(source, lambda f: f is not None)
    assert after.number > before.number  # type: ignore[union-attr]
    assert events[-1].startswith("webcam 0: recovered after")
    assert read_until(source, lambda f: f is not None) is not None
    assert sum("recovered" in e for e in events) == 1  # reported once, not on every frame
    failures = len(events)
    device.unplug()
    read_until(source, lambda f: len(events) > failures)
    source.stop()
    assert events[failures].endswith("retrying in 0.01 s")  # a recovery resets the backoff
    assert all(c.released.wait(2.0) for c in device.captures)


def test_backoff_doubles_up_to_its_limit() -> None:
    device = FakeDevice()
    device.unplug()
    stop, events = threading.Event(), []
    source = Retrying(CaptureSource(0, opener=device.open), stop, events.append, first_delay=0.01, max_delay=0.04)
    source.start()
    read_until(source, lambda f: len(events) >= 5)
    source.stop()
    assert [e.rsplit("retrying in ", 1)[1] for e in events[:5]] == ["0.01 s", "0.02 s", "0.04 s", "0.04 s", "0.04 s"]


def test_retrying_stops_promptly_when_the_event_is_set() -> None:
    device = FakeDevice()
    device.unplug()
    stop, events = threading.Event(), []
    source = Retrying(CaptureSource(0, opener=device.open), stop, events.append, first_delay=60.0)
    source.start()  # fails; the next try is a minute away
    assert events and source.read(0.0) is None
    threading.Timer(0.1, stop.set).start()
    start = time.monotonic()
    assert source.read(30.0) is None
    assert time.monotonic() - start < 5.0
    assert source.read(30.0) is None  # once stopped, reads return at once
    source.stop()


def test_retrying_passes_the_end_of_a_file_through(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi", LEVELS[:2])
    source = Retrying(open_source(str(tmp_path / "clip.avi")), threading.Event(), lambda message: None)
    source.start()
    assert read_until(source, lambda f: f is not None) is not None
    assert read_until(source, lambda f: f is not None) is not None
    with pytest.raises(SourceEnded):
        source.read(1.0)
    source.stop()


def test_grabber_over_a_real_capture_keeps_order_and_notices_the_end(tmp_path: Path) -> None:
    write_video(tmp_path / "clip.avi", LEVELS)
    source = CaptureSource("clip", opener=lambda *args: cv2.VideoCapture(str(tmp_path / "clip.avi")), fail_limit=2)
    source.start()
    seen = []
    with pytest.raises(SourceError, match="no frame in 2 reads"):  # a file runs out the way a camera dies
        while True:
            frame = source.read(1.0)
            if frame is not None:
                seen.append(level(frame))
    source.stop()
    assert seen and seen == sorted(seen) and abs(seen[-1] - LEVELS[-1]) <= 3  # the newest frame is never lost


def test_a_missing_real_webcam_fails_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SourceError, match="webcam 99: OpenCV cannot open it"):
        open_source("99").start()
    assert capfd.readouterr().err == ""  # our one line, not OpenCV's warnings


def test_auto_falls_back_to_the_demo_clip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_video(tmp_path / "demo.avi", LEVELS[:1])
    monkeypatch.setitem(sys.modules, "picamera2", None)
    monkeypatch.setattr(choose, "webcam_opens", lambda index: False)
    monkeypatch.setattr(choose, "DEMO_CLIP", tmp_path / "demo.avi")
    assert open_source("auto").name == "video demo.avi"
