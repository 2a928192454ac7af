"""`python -m edge run` and `bench` end to end: a generated video in, stable readings out; faults and config."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from edge.classify import DEFAULT_MODEL, Classifier
from edge.config import Config
from edge.loop import Loop
from edge.sources import Frame, Retrying, SourceError

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")


def _edge(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edge", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A 640x480 video of pen-stroke digits on paper, the camera swaying, the sheet changing every 3 s."""
    out = tmp_path_factory.mktemp("clip")
    subprocess.run([sys.executable, "-m", "tests.photos", "--kind", "clip", "--source", "strokes", "--count", "72",
                    "--fps", "8", "--hold", "3", "--seed", "5", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True, timeout=300)
    truth = json.loads((out / "truth.json").read_text())
    sheets = list(dict.fromkeys(v["text"] for _, v in sorted(truth.items()) if v["text"]))
    return out / "clip.mp4", sheets


def test_run_reads_every_sheet_of_a_video(clip: tuple[Path, list[str]]) -> None:
    video, sheets = clip
    assert sheets, "the generated clip has no digits"
    result = _edge("run", "--source", str(video), "--display", "none", "--max-frames", "72")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all({"text", "digits", "time"} <= set(line) for line in lines)
    texts = [line["text"] for line in lines]
    read = [s for s in sheets if s in texts]
    assert len(read) >= len(sheets) - 1, f"read {texts}, sheets {sheets}"
    # Steady: a reading line only when the text changes, and few changes per sheet shown.
    assert all(a != b for a, b in zip(texts, texts[1:]))
    assert len(texts) <= 4 * len(sheets) + 2, texts


def test_bench_json_schema(clip: tuple[Path, list[str]]) -> None:
    result = _edge("bench", "--source", str(clip[0]), "--frames", "30", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"frame_ms", "stages", "fps", "rss_mb", "startup_ms"} <= set(report)
    assert {"median", "p95"} == set(report["frame_ms"])
    assert {"segment", "normalise", "classify", "overlay", "display"} <= set(report["stages"])
    assert report["frames"] == 30 and report["fps"] > 0 and 0 < report["rss_mb"] < 1000
    assert report["frame_ms"]["median"] <= report["frame_ms"]["p95"]


def test_sigterm_stops_promptly(clip: tuple[Path, list[str]]) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "edge", "run", "--source", str(clip[0]), "--display", "none"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # blocks until the loop has produced its first reading
        assert json.loads(first)["text"] is not None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=2) == 0
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    ("toml", "key"),
    [("threads = 0\n", "threads"), ('colour = "red"\n', "colour"), ("min_confidence = \"high\"\n", "min_confidence")],
)
def test_bad_config_file_names_the_key(tmp_path: Path, toml: str, key: str) -> None:
    config = tmp_path / "digitcam.toml"
    config.write_text(toml)
    for command in (["run", "--config", str(config), "--check-config"], ["run", "--config", str(config)]):
        result = _edge(*command)
        assert result.returncode == 2
        assert result.stderr.strip().startswith(f"edge: error: {key}:"), result.stderr
        assert "Traceback" not in result.stderr


def test_check_config_accepts_a_good_file_and_flags_win(tmp_path: Path) -> None:
    config = tmp_path / "digitcam.toml"
    config.write_text('model = "missing.tflite"\nthreads = 2\n')
    assert _edge("run", "--config", str(config), "--check-config").returncode == 2  # the model is checked
    good = _edge("run", "--config", str(config), "--model", str(DEFAULT_MODEL), "--check-config")
    assert good.returncode == 0, good.stderr


def test_missing_source_is_one_line(tmp_path: Path) -> None:
    result = _edge("run", "--source", str(tmp_path / "nope.mp4"), "--display", "none", "--max-frames", "1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the start-up line, then the error


class FlakyCamera:
    """A live source that dies after a few frames and comes back on the next start."""

    name = "flaky"
    live = True

    def __init__(self, image: np.ndarray, die_after: int) -> None:
        self.image, self.die_after, self.starts, self.number = image, die_after, 0, 0

    def start(self) -> None:
        self.starts += 1

    def read(self, timeout: float) -> Frame | None:
        self.number += 1
        if self.starts == 1 and self.number > self.die_after:
            raise SourceError("camera unplugged")
        return Frame(self.image.copy(), None, self.number, 0.0)

    def stop(self) -> None:
        pass


class CountingDisplay:
    def __init__(self) -> None:
        self.shown = 0

    def start(self) -> None:
        pass

    def show(self, image: np.ndarray, latest: dict) -> None:
        self.shown += 1

    def keys(self) -> list[str]:
        return []

    def stop(self) -> None:
        pass


def test_a_camera_that_dies_mid_run_is_retried_and_the_loop_goes_on() -> None:
    stop = threading.Event()
    camera = FlakyCamera(np.full((240, 320, 3), 230, np.uint8), die_after=5)
    events: list[str] = []
    source = Retrying(camera, stop, on_event=events.append, first_delay=0.01, max_delay=0.02)
    display = CountingDisplay()
    loop = Loop(Config(max_frames=20), source, display, Classifier(), stop, out=open(os.devnull, "w"))
    assert loop.run() == 20
    assert camera.starts >= 2 and display.shown == 20
    assert any("unplugged" in e for e in events)
