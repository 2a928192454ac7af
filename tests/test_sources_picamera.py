"""The picamera2 adapter against a faithful fake of picamera2 (tests/fake_picamera2.py)."""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from edge.sources import Retrying, SourceError, auto_spec, open_source
from edge.sources.picamera import PicameraSource
from tests import fake_picamera2
from tests.fake_picamera2 import Rig
from tests.test_sources import read_until, wait_until


@pytest.fixture
def rig(monkeypatch: pytest.MonkeyPatch) -> Rig:
    """A Pi camera on the bench, reached through `import picamera2`."""
    bench = Rig()
    monkeypatch.setitem(sys.modules, "picamera2", bench.module())
    return bench


def test_grey_is_the_lores_y_plane_of_the_same_frame(rig: Rig) -> None:
    source = open_source("picamera", width=200, height=150)  # lores 100x74: stride 128 pads every row
    source.start()
    try:
        frame = source.read(2.0)
    finally:
        source.stop()
    assert frame is not None and frame.grey is not None
    assert frame.grey.shape == (74, 100) and frame.grey.dtype == np.uint8
    sequence = int(frame.grey[0, 0])
    assert np.array_equal(frame.grey, fake_picamera2.luma(sequence, 100, 74))  # no padding, no chroma
    assert frame.image.shape == (150, 200, 3) and frame.image.dtype == np.uint8
    assert np.all(frame.image[..., 1] == sequence)  # main and lores come from one request
    assert np.all(frame.image[..., 2] == fake_picamera2.RED)  # OpenCV's B, G, R order
    assert np.array_equal(frame.image[..., 0], fake_picamera2.luma(0, 200, 150))


def test_lores_is_never_converted_nor_copied_whole(rig: Rig) -> None:
    source = PicameraSource(160, 120)
    source.start()
    frames = [source.read(2.0) for _ in range(3)]
    source.stop()
    assert rig.made_arrays == ["main"] * 3  # lores only ever as the raw buffer
    lores_buffers = [buffer for name, _, buffer in rig.handed_buffers if name == "lores"]
    assert frames[-1] is not None and np.shares_memory(frames[-1].grey, lores_buffers[-1])  # a view, not a copy


def test_configuration_asks_for_bgr_main_and_yuv_lores(rig: Rig) -> None:
    source = PicameraSource(320, 240, fps=30.0)
    source.start()
    camera = rig.instances[-1]
    config = camera.camera_configuration()
    source.stop()
    assert config["main"]["format"] == "RGB888" and config["main"]["size"] == (320, 240)
    assert config["lores"]["format"] == "YUV420" and config["lores"]["size"] == (160, 120)
    assert config["controls"]["FrameDurationLimits"] == (33333, 33333)


def test_a_slow_consumer_gets_the_newest_frame(rig: Rig) -> None:
    source = PicameraSource(64, 48)
    source.start()
    first = source.read(2.0)
    assert first is not None
    seen = rig.sequence
    wait_until(lambda: rig.sequence >= seen + 10)  # ten frames go by while the consumer is busy
    newest = source.read(2.0)
    source.stop()
    assert newest is not None and newest.number == first.number + 1
    name, sequence, buffer = rig.handed_buffers[-1]
    assert name == "lores" and np.shares_memory(newest.grey, buffer)
    assert sequence >= seen + 9  # the newest completed frame, not the one after `first`


def test_camera_is_closed_after_stop_and_no_buffer_is_kept(rig: Rig) -> None:
    source = PicameraSource(64, 48)
    source.start()
    assert source.read(2.0) is not None
    camera = rig.instances[-1]
    source.stop()
    source.stop()  # idempotent
    assert not camera.is_open and not camera.started and rig.held == set()
    assert camera.buffers_in_use == 0


def test_a_timed_out_read_keeps_its_capture_and_leaks_no_buffer(rig: Rig) -> None:
    source = PicameraSource(64, 48)
    source.start()
    camera = rig.instances[-1]
    rig.unplug()  # frames stop; the held newest one may still come once
    read_until(source, lambda f: f is None)
    for _ in range(6):  # more timed-out reads than the camera has buffers
        assert source.read(0.01) is None
    rig.plug()
    frames = [source.read(2.0) for _ in range(6)]
    source.stop()
    assert all(f is not None for f in frames)
    assert camera.buffers_in_use == 0 and not camera.is_open


def test_failed_start_closes_the_camera(rig: Rig) -> None:
    source = PicameraSource(64, 48, lores=(128, 96))  # lores larger than main: picamera2 refuses it
    with pytest.raises(SourceError, match="lores stream dimensions"):
        source.start()
    assert rig.held == set() and not rig.instances[-1].is_open
    source.stop()  # safe after a failed start


def test_missing_library_missing_camera_busy_camera(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    rig.held.add(0)  # another process has the camera
    with pytest.raises(SourceError, match="busy"):
        PicameraSource().start()
    rig.held.clear()
    rig.unplug()
    with pytest.raises(SourceError, match="no camera"):
        PicameraSource().start()
    monkeypatch.setitem(sys.modules, "picamera2", None)
    with pytest.raises(SourceError, match="picamera2 is not installed"):
        PicameraSource().start()


def test_stalled_camera_is_a_source_error(rig: Rig) -> None:
    source = PicameraSource(64, 48, stall_seconds=0.2)
    source.start()
    assert source.read(2.0) is not None
    rig.unplug()
    with pytest.raises(SourceError, match="no frame for 0.2 s"):
        read_until(source, lambda f: False)
    camera = rig.instances[-1]
    source.stop()
    assert not camera.is_open and camera.buffers_in_use == 0
    assert not camera._job_list  # the capture still waiting was cancelled, as picamera2 asks before closing


@pytest.mark.parametrize("failure", ["raises", "unplugged"])
def test_a_camera_that_fails_mid_run_is_retried(rig: Rig, failure: str) -> None:
    stop, events = threading.Event(), []
    source = Retrying(PicameraSource(64, 48, stall_seconds=0.2), stop, events.append,
                      first_delay=0.01, max_delay=0.05)
    source.start()
    before = read_until(source, lambda f: f is not None)
    earlier = len(events)  # a slow first frame on a busy machine may already have been reported and recovered
    if failure == "raises":
        rig.break_camera("failed to find buffer")
    else:
        rig.unplug()
    read_until(source, lambda f: len(events) >= earlier + 3)  # the failure and failed restarts, each reported
    assert all(e.startswith("picamera: ") and "retrying in" in e for e in events[earlier:])
    if failure == "raises":
        rig.repair()
    else:
        rig.plug()
    after = read_until(source, lambda f: f is not None)
    source.stop()
    assert after is not None and after.grey is not None and after.number > before.number  # type: ignore[union-attr]
    assert events[-1].startswith("picamera: recovered")
    assert rig.held == set() and not any(camera.is_open for camera in rig.instances)


def test_auto_prefers_a_listed_pi_camera(rig: Rig, tmp_path) -> None:
    assert auto_spec(tmp_path / "demo.mp4") == "picamera"


def test_auto_leaves_usb_cameras_to_opencv(rig: Rig, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    rig.cameras[0]["Id"] = "/base/axi/pcie@120000/rp1/usb@200000-1:1.0-046d:0825"
    monkeypatch.setattr("edge.sources.choose.webcam_opens", lambda index: True)
    assert auto_spec(tmp_path / "demo.mp4") == "0"
