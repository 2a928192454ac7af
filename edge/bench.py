"""`python -m edge bench`: per-stage time of the real loop, frame rate, memory and start-up, as figures."""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace

import numpy as np

from edge.config import Config
from edge.live import build
from edge.loop import Timings


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": 0.0, "p95": 0.0}
    return {"median": round(float(np.median(values)), 3), "p95": round(float(np.percentile(values, 95)), 3)}


def process_age_ms() -> float:
    """Milliseconds since this process started (Linux /proc), so start-up includes imports and model load."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rpartition(")")[2].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux carries that across
    exec, so a process started from a big parent (a test runner holding TensorFlow) would report the parent's."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(config: Config, frames: int) -> dict:
    """Run the loop for `frames` frames (files loop) and summarise its timings."""
    with open(os.devnull, "w") as quiet:
        loop = build(replace(config, max_frames=frames), threading.Event(), bench=True)
        loop.timings = Timings(keep=frames)  # every measured frame, not only the live overlay's recent ones
        loop.out = quiet  # the reading lines would spoil --json
        loop.run()
    timings = loop.timings
    first = timings.first_reading or time.perf_counter()
    startup_ms = process_age_ms() - (time.perf_counter() - first) * 1000
    stages = sorted({name for frame in timings.frames for name in frame})
    per_frame = [sum(f.values()) for f in timings.frames]  # capture included: from a file it is decoding
    elapsed = (timings.frames and (timings.recent[-1] - timings.started)) or 0.0
    return {
        "frames": len(timings.frames),
        "frame_ms": _summary(per_frame),
        "stages": {name: _summary([f.get(name, 0.0) for f in timings.frames]) for name in stages},
        "fps": round(len(timings.frames) / elapsed, 1) if elapsed else 0.0,
        "rss_mb": round(peak_rss_mb(), 1),
        "startup_ms": round(startup_ms, 1),
    }


def print_table(result: dict) -> None:
    print(f"{'stage':<10} {'median ms':>10} {'p95 ms':>8}")
    for name, s in result["stages"].items():
        print(f"{name:<10} {s['median']:>10.3f} {s['p95']:>8.3f}")
    print(f"{'frame':<10} {result['frame_ms']['median']:>10.3f} {result['frame_ms']['p95']:>8.3f}  (all stages)")
    print(f"{result['frames']} frames, {result['fps']} fps, peak RSS {result['rss_mb']} MB, "
          f"start to first reading {result['startup_ms']} ms")


def run(config: Config, frames: int, as_json: bool) -> int:
    result = measure(config, frames)
    if as_json:
        print(json.dumps(result))
    else:
        print_table(result)
    return 0
