"""edge.detect_bench: the speed benchmark runs on drawn frames and on a clip, and refuses what it cannot use."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("detect+classify", "detect", "find_ink", "candidates", "complete", "crops+order", "classify")


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edge.detect_bench", "--repeats", "1", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_stage_is_timed_on_the_demo_clip_and_on_drawn_frames():
    for args in (("--video", "models/demo.mp4", "--frames", "3", "--cpu-time"), ("--frames", "2", "--mnist", "")):
        run = bench(*args)
        assert run.returncode == 0, run.stderr
        for stage in STAGES:
            assert re.search(rf"^{re.escape(stage)}\s+median\s+[\d.]+ ms\s+p95\s+[\d.]+ ms$", run.stdout, re.M), stage


def test_a_missing_clip_is_a_usage_error():
    run = bench("--video", "no/such/clip.mp4")
    assert run.returncode == 2 and "--video no/such/clip.mp4 is not a file" in run.stderr
    assert "Traceback" not in run.stderr
