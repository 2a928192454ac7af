"""Short versions of `python -m edge soak`: the whole loop for two thousand frames, and the HTTP view under twenty
viewers. The full runs (50,000 frames; a minute of load) are commands, their figures are in the reliability report.

About the memory bound here: after a warm-up, resident memory still moves by a megabyte or two either way on a
run this short (allocator arenas, the viewer's socket buffers, page granularity), so RSS growth is held to a
generous 4 MB, which catches only leaks past ~2 KB a frame. Python-level leaks, the common kind in a loop like
this (a list that keeps every frame's figures), are caught exactly by counting the interpreter's live memory
blocks: a leak of one object a frame adds 1,600 blocks; the bound is half that.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.classify import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model"), pytest.mark.timeout(120)]

FRAMES, WARMUP = 1600, 400


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One second of a 320x240 camera over changing numbers: small frames so the short soak stays short."""
    path = tmp_path_factory.mktemp("soak") / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (320, 240))
    rng = np.random.default_rng(0)
    for i in range(30):
        image = np.full((240, 320, 3), 225, np.uint8)
        cv2.putText(image, str(100 + 7 * i), (30 + i, 160), cv2.FONT_HERSHEY_SIMPLEX, 3, (40, 40, 40), 9)
        writer.write(np.clip(image + rng.normal(0, 3, image.shape), 0, 255).astype(np.uint8))
    writer.release()
    return path


def soak_command(*args: str) -> tuple[int, dict]:
    result = subprocess.run([sys.executable, "-m", "edge", "soak", *args, "--json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=110)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout.strip().splitlines()[-1])


def test_a_short_soak_neither_grows_nor_fails(clip: Path) -> None:
    code, report = soak_command("--source", str(clip), "--frames", str(FRAMES), "--warmup", str(WARMUP))
    assert report["frames"] == FRAMES and report["warmup"] == WARMUP
    assert report["errors"] == 0, report["error_lines"]
    assert report["growth_mb"] <= 4.0, report
    assert report["py_blocks_growth"] <= FRAMES // 2, report
    assert report["rss_start_mb"] <= report["rss_max_mb"] < report["rss_start_mb"] + 20
    assert report["viewer_frames"][0] >= (FRAMES + WARMUP) // 4  # the HTTP viewer was served all along
    assert code == 0 and report["passed"]


LEAKY = """
import json, sys
from edge import soak
from edge.config import Config
from edge.loop import Loop

kept, report = [], Loop._report

def leaky_report(self, reading):
    kept.append((bytes(32768), {}))
    report(self, reading)

Loop._report = leaky_report
result = soak.soak(Config(source=sys.argv[1]), frames=800, warmup=200, viewers=0)
print(json.dumps({**result, "passed": soak.soak_passed(result, max_growth_mb=4.0)}))
"""


def test_the_soak_catches_a_leak(clip: Path) -> None:
    """The same measurement, in a fresh process, with the loop made to keep 32 KB and a dict a frame: RSS sees
    the one, the block count the other, and the run fails."""
    run = subprocess.run([sys.executable, "-c", LEAKY, str(clip)], cwd=ROOT, capture_output=True, text=True,
                         timeout=110)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["growth_mb"] >= 4.0 and result["py_blocks_growth"] >= 800, result
    assert not result["passed"]


def test_twenty_viewers_cost_the_loop_at_most_a_fifth_and_all_keep_getting_frames(clip: Path) -> None:
    """Twenty loopback viewers and one that never reads, for six seconds, the clip paced like a 30 fps camera."""
    code, report = soak_command("--source", str(clip), "--http-clients", "20", "--seconds", "6",
                                "--baseline-seconds", "2")
    assert report["connected"] == 21  # twenty viewers and the stalled one, all at once
    assert report["drop"] <= 0.2, report
    assert not report["client_errors"] and not report["events"], report
    assert report["client_frames_min"] >= 6 * 30 / 4, report  # every viewer, not only most of them
    assert report["client_max_gap_s"] <= 2.0, report
    assert code == 0 and report["passed"]
