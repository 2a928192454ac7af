"""Recording the annotated stream and saving snapshots: playable files, and failures reported, never raised."""
from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge import record
from edge.record import Recorder, save_snapshot


def _frame(level: int, size: tuple[int, int] = (160, 120)) -> np.ndarray:
    w, h = size
    return np.full((h, w, 3), level, np.uint8)


def _read_back(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    assert capture.isOpened()
    frames = []
    while (got := capture.read())[0]:
        frames.append(got[1])
    capture.release()
    return frames


@pytest.mark.parametrize("name", ["out.mp4", "out.avi", "OUT.MP4"])
def test_recording_plays_back_with_every_frame(tmp_path: Path, name: str) -> None:
    errors: list[str] = []
    recorder = Recorder(tmp_path / name, fps=15.0, on_error=errors.append)
    levels = [20 * i + 10 for i in range(12)]
    for level in levels:
        recorder.write(_frame(level))
    assert not (tmp_path / name).exists()  # written under a temporary name until closed
    recorder.close()
    recorder.close()  # idempotent
    frames = _read_back(tmp_path / name)
    assert errors == []
    assert len(frames) == len(levels)
    assert frames[0].shape == (120, 160, 3)
    assert [abs(f.mean() - level) < 8 for f, level in zip(frames, levels)] == [True] * len(levels)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left behind


def test_frames_of_another_size_or_grey_are_fitted(tmp_path: Path) -> None:
    errors: list[str] = []
    recorder = Recorder(tmp_path / "fit.avi", fps=10.0, on_error=errors.append)
    recorder.write(_frame(50))
    recorder.write(np.full((240, 320), 200, np.uint8))
    recorder.write(_frame(120, size=(64, 48)))
    recorder.close()
    frames = _read_back(tmp_path / "fit.avi")
    assert errors == [] and [f.shape for f in frames] == [(120, 160, 3)] * 3
    assert abs(frames[1].mean() - 200) < 8 and abs(frames[2].mean() - 120) < 8


def test_no_frames_no_file(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "empty.mp4", fps=15.0, on_error=pytest.fail)
    recorder.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["out.mkv", "out", "out.png"])
def test_unsupported_file_type_is_refused_up_front(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"\.mp4 or \.avi"):
        Recorder(tmp_path / name, fps=15.0)


def test_a_place_that_cannot_be_written_is_reported_once_and_not_raised(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    errors: list[str] = []
    recorder = Recorder(tmp_path / "file" / "out.mp4", fps=15.0, on_error=errors.append)
    for level in range(5):
        recorder.write(_frame(level))
    recorder.close()
    assert len(errors) == 1 and "recording to" in errors[0] and "stopped" in errors[0]
    assert recorder.failed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_read_only_directory_is_reported_once_and_not_raised(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("this user may write into read-only directories (root with CAP_DAC_OVERRIDE)")
        errors: list[str] = []
        recorder = Recorder(folder / "out.mp4", fps=15.0, on_error=errors.append)
        for level in range(5):
            recorder.write(_frame(level))
        recorder.close()
        assert len(errors) == 1 and "Permission denied" in errors[0]
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_a_save_that_fails_at_the_end_is_reported(tmp_path: Path) -> None:
    (tmp_path / "out.mp4").mkdir()  # the rename onto the target fails
    errors: list[str] = []
    recorder = Recorder(tmp_path / "out.mp4", fps=15.0, on_error=errors.append)
    recorder.write(_frame(10))
    recorder.close()
    assert len(errors) == 1 and "was not saved" in errors[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]  # the folder, and no temporary file
    assert list((tmp_path / "out.mp4").iterdir()) == []


def test_a_nearly_full_disk_stops_the_recording_but_keeps_what_was_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    free = {"bytes": 10 << 30}
    monkeypatch.setattr(record, "free_bytes", lambda folder: free["bytes"])
    errors: list[str] = []
    recorder = Recorder(tmp_path / "out.avi", fps=15.0, on_error=errors.append)
    for level in range(2 * record.SPACE_CHECK_EVERY):
        recorder.write(_frame(level))
    free["bytes"] = 1 << 20
    for level in range(2 * record.SPACE_CHECK_EVERY):
        recorder.write(_frame(level))
    recorder.close()
    assert len(errors) == 1 and "MB left on disk" in errors[0]
    assert len(_read_back(tmp_path / "out.avi")) == 2 * record.SPACE_CHECK_EVERY


def test_a_full_disk_before_the_first_frame_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(record, "free_bytes", lambda folder: 0)
    errors: list[str] = []
    recorder = Recorder(tmp_path / "out.mp4", fps=15.0, on_error=errors.append)
    recorder.write(_frame(1))
    recorder.write(_frame(2))
    recorder.close()
    assert len(errors) == 1
    assert list(tmp_path.iterdir()) == []


def test_errors_go_to_the_log_without_a_callback(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "file").write_text("")
    recorder = Recorder(tmp_path / "file" / "out.mp4", fps=15.0)
    recorder.write(_frame(1))
    assert any("recording to" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


@pytest.mark.parametrize("name", ["shot.png", "shot.jpg"])
def test_snapshot_is_saved_whole(tmp_path: Path, name: str) -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    image[10:30, 20:40] = (0, 200, 255)
    save_snapshot(tmp_path / "snaps" / name, image)
    back = cv2.imread(str(tmp_path / "snaps" / name))
    assert back.shape == image.shape
    assert np.abs(back[14:26, 24:36].astype(int) - (0, 200, 255)).max() < 30  # the square (JPEG blurs its edges)
    assert back[:6, :10].max() < 30
    assert [p.name for p in (tmp_path / "snaps").iterdir()] == [name]


def test_snapshot_in_an_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use .png or .jpg"):
        save_snapshot(tmp_path / "shot.xyz", np.zeros((4, 4, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []
