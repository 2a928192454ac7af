"""`--display drm`: the Pi camera's DRM preview with the reading on an RGBA overlay, against the fake picamera2."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.classify import DEFAULT_MODEL, Classifier
from edge.config import Config
from edge.displays import DisplayError, open_display
from edge.displays.drm import DrmDisplay, overlay_rgba, reading_from_latest, screen_size
from edge.loop import Loop
from edge.overlay import draw
from edge.reading import Digit, Reading, to_json
from edge.sources import Retrying
from edge.sources.picamera import PicameraSource
from tests.fake_picamera2 import DrmPreview, NullPreview, Rig
from tests.test_sources import read_until

ROOT = Path(__file__).resolve().parents[1]

READING = Reading(rows=(
    (Digit(4, 0.98, (40, 60, 30, 44), True), Digit(2, 0.91, (80, 62, 28, 42), True)),
    (Digit(7, 0.31, (50, 140, 26, 40), False),),
))


@pytest.fixture
def rig(monkeypatch: pytest.MonkeyPatch) -> Rig:
    bench = Rig()
    monkeypatch.setitem(sys.modules, "picamera2", bench.module())
    return bench


@pytest.fixture
def sysfs(tmp_path: Path) -> Path:
    """/sys/class/drm of a Pi 5 with a 1080p screen on its second HDMI port."""
    for name, status, modes in [("card1-HDMI-A-1", "disconnected", ""),
                                ("card1-HDMI-A-2", "connected", "1920x1080\n1280x720\n720x576i\n"),
                                ("card1-Writeback-1", "unknown", "")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "status").write_text(status + "\n")
        (tmp_path / name / "modes").write_text(modes)
    (tmp_path / "card1").mkdir()  # the card itself has no status
    return tmp_path


def composite(rgba: np.ndarray, picture: np.ndarray) -> np.ndarray:
    """What the screen shows: the overlay (RGBA, coverage alpha) over the BGR camera picture."""
    alpha = rgba[..., 3:].astype(float) / 255
    return (rgba[..., 2::-1] * alpha + picture * (1 - alpha)).round().astype(np.uint8)


def test_overlay_is_rgba_transparent_and_composites_to_what_draw_shows() -> None:
    rng = np.random.default_rng(3)
    picture = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    rgba = overlay_rgba(240, 320, READING)
    assert rgba.shape == (240, 320, 4) and rgba.dtype == np.uint8
    drawn = draw(picture, READING)
    error = np.abs(composite(rgba, picture).astype(int) - drawn)
    assert np.mean(error <= 1) > 0.999 and error.max() <= 6  # 8-bit rounding at anti-aliased edges only
    untouched = np.all(drawn == picture, axis=2)
    assert untouched.mean() > 0.5 and np.all(rgba[untouched][:, 3] == 0)  # transparent except the drawing
    assert np.all(rgba[60:104, 40, 3] == 255)  # the box of the 4: opaque, in its colour (BGR SURE as RGB)
    assert tuple(rgba[80, 40, :3]) == (60, 220, 80)


def test_overlay_of_an_empty_reading_is_fully_transparent() -> None:
    assert not overlay_rgba(48, 64, reading_from_latest({})).any()


def test_reading_survives_the_latest_json() -> None:
    latest = {**to_json(READING), "time": 1.0, "fps": 12.5}
    assert reading_from_latest(latest) == READING
    odd = reading_from_latest({"text": "12", "digits": to_json(READING)["digits"]})  # rows do not add up
    assert [len(row) for row in odd.rows] == [3] and odd.text == "???"


def test_screen_size_is_the_connected_screens_preferred_mode(sysfs: Path) -> None:
    assert screen_size(sysfs) == (1920, 1080)
    (sysfs / "card1-HDMI-A-2" / "status").write_text("disconnected\n")
    assert screen_size(sysfs) is None


def test_drm_preview_full_screen_started_before_the_camera_and_overlay_of_the_main_size(
        rig: Rig, sysfs: Path) -> None:
    source = PicameraSource(320, 240)
    display = DrmDisplay(source, sysfs=sysfs)
    source.start()
    display.start()
    try:
        camera = rig.instances[-1]
        preview = camera._preview
        assert isinstance(preview, DrmPreview) and rig.previews == [preview]  # no null preview ran first
        assert preview.window == (0, 0, 1920, 1080)
        frame = source.read(2.0)
        assert frame is not None
        latest = {**to_json(READING), "time": 1.0, "fps": 10.0}
        display.show(draw(frame.image, READING), latest)
        overlay = preview.overlay
        assert overlay is not None and overlay.shape == (240, 320, 4)
        assert camera.stream_configuration(camera.camera_config["display"])["size"] == (320, 240)
        error = np.abs(composite(overlay, frame.image).astype(int) - draw(frame.image, READING))
        assert np.mean(error <= 1) > 0.999 and error.max() <= 6
        display.show(draw(frame.image, READING), {**latest, "time": 2.0, "fps": 11.0})
        assert preview.overlays_set == 1  # same digits: the overlay on screen stays
        display.show(frame.image, {"text": "", "digits": [], "time": 3.0, "fps": 11.0})
        assert preview.overlays_set == 2 and not preview.overlay[..., 3].any()  # digits gone: nothing drawn
    finally:
        source.stop()
        display.stop()
    assert not camera.is_open and not preview.running and source.before_start is None


def test_a_restarted_camera_gets_the_preview_and_the_overlay_again(rig: Rig, sysfs: Path) -> None:
    stop, events = threading.Event(), []
    camera_source = PicameraSource(64, 48, stall_seconds=0.2)
    display = DrmDisplay(camera_source, sysfs=sysfs)
    source = Retrying(camera_source, stop, events.append, first_delay=0.01, max_delay=0.05)
    source.start()
    latest = to_json(READING)
    try:
        frame = read_until(source, lambda f: f is not None)
        display.show(frame.image, latest)
        first, earlier = rig.instances[-1], len(events)  # a slow first frame may already have been reported
        rig.break_camera()
        read_until(source, lambda f: len(events) > earlier)
        rig.repair()
        frame = read_until(source, lambda f: f is not None)
        display.show(frame.image, latest)
    finally:
        source.stop()
    second = rig.instances[-1]
    assert second is not first and not first.is_open
    drm = [p for p in rig.previews if isinstance(p, DrmPreview)]
    assert len(drm) >= 2 and not any(isinstance(p, NullPreview) and not isinstance(p, DrmPreview)
                                     for p in rig.previews)
    assert drm[0].overlays_set == 1 and drm[-1].overlays_set == 1  # re-sent to the new camera's preview


def test_drm_needs_the_pi_camera_and_a_screen(rig: Rig, sysfs: Path, tmp_path: Path) -> None:
    with pytest.raises(DisplayError, match="drm: the DRM preview shows the Pi camera itself"):
        open_display("drm", source=object())
    with pytest.raises(DisplayError, match="no screen connected"):
        DrmDisplay(PicameraSource(), sysfs=tmp_path / "empty")


def test_without_an_overlay_plane_the_picture_still_shows(rig: Rig, sysfs: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    source = PicameraSource(64, 48)
    display = DrmDisplay(source, sysfs=sysfs)
    source.start()
    try:
        camera = rig.instances[-1]

        def no_plane(overlay: np.ndarray | None) -> None:
            raise RuntimeError("Overlays not supported on this device")

        camera._preview.set_overlay = no_plane
        frame = source.read(2.0)
        assert frame is not None
        display.show(frame.image, to_json(READING))
        display.show(frame.image, {"text": "1", "digits": [{"digit": 1, "confidence": 0.9, "box": [1, 1, 5, 9]}]})
        assert source.read(2.0) is not None
    finally:
        source.stop()
    warnings = [r.getMessage() for r in caplog.records if "overlay" in r.getMessage()]
    assert warnings == ["drm: cannot show the overlay: Overlays not supported on this device"]


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
def test_the_live_loop_drives_the_drm_display(rig: Rig, sysfs: Path) -> None:
    stop = threading.Event()
    source = PicameraSource(160, 120)
    display = DrmDisplay(source, sysfs=sysfs)
    loop = Loop(Config(max_frames=5, display="drm"), Retrying(source, stop), display, Classifier(), stop,
                out=open(os.devnull, "w"))
    assert loop.run() == 5
    drm = [p for p in rig.previews if isinstance(p, DrmPreview)]
    assert len(drm) == 1 and drm[0].overlays_set >= 1 and not drm[0].running
    assert drm[0].window == (0, 0, 1920, 1080)


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
def test_cli_accepts_drm_and_says_what_it_needs(tmp_path: Path) -> None:
    image = tmp_path / "sheet.png"
    cv2.imwrite(str(image), np.full((48, 64, 3), 255, np.uint8))
    result = subprocess.run([sys.executable, "-m", "edge", "run", "--display", "drm", "--source", str(image)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("edge: error: drm: the DRM preview shows the Pi camera")
