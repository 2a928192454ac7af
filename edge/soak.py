"""`python -m edge soak`: the whole live loop run long or under load, to show it neither grows, fails nor stalls.

Two checks, one command:
- frames (default): N frames through the loop exactly as `run` builds it (file sources as fast as they decode,
  looping), overlay drawn, the HTTP view on a free loopback port with one viewer streaming it. RSS is read
  after a warm-up (allocator arenas, first-frame caches and the viewer's threads have settled) and at the
  last frame; the growth and any event the loop reports past the warm-up decide the exit code.
- `--http-clients K`: the loop's frame rate alone, then with K viewers streaming (and one that never reads);
  it may drop by at most a fifth, and every viewer must keep getting frames.
Viewers run in a process of their own (`edge.viewers`), as real ones would, so they cost the loop CPU but
not its interpreter lock.
"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from edge.config import Config
from edge.live import build
from edge.loop import Loop
from edge.sources import open_source

MAX_GROWTH_MB = 5.0
MAX_DROP = 0.2  # the loop's frame rate under load may fall by at most this share
MAX_GAP_S = 2.0  # a viewer waiting longer than this for its next frame has stopped getting frames
WARMUP_SECONDS = 2.0


def rss_mb() -> float:
    """Resident memory of this process now (not the peak), from /proc."""
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class _Counter:
    """The loop's on_frame hook: counts frames and runs the actions given for frame n when it arrives."""

    def __init__(self, *at: tuple[int, Callable[[], None]]) -> None:
        self.count = 0
        self.at: dict[int, list[Callable[[], None]]] = {}
        for number, action in at:
            self.at.setdefault(number, []).append(action)

    def __call__(self) -> None:
        self.count += 1
        for action in self.at.get(self.count, ()):
            action()


def _viewers(port: int, clients: int, slow: int, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "edge.viewers", str(port), "--clients", str(clients),
                             "--slow", str(slow), "--seconds", str(seconds)],
                            stdout=subprocess.PIPE, text=True)


def _collect(viewers: subprocess.Popen[str]) -> tuple[list[dict[str, Any]], float]:
    """What each viewer saw, and the CPU seconds the viewers' process used."""
    out, _ = viewers.communicate(timeout=60)
    lines = out.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {"clients": [], "cpu_s": 0.0}
    return report["clients"], report["cpu_s"]


def _loop(config: Config, stop: threading.Event, fps: float | None) -> Loop:
    """The loop `run` builds, showing on the HTTP view on a free loopback port, its output discarded. Files play
    as fast as they decode unless `fps` paces them like a camera."""
    loop = build(replace(config, display="http", http="127.0.0.1:0"), stop, bench=True)
    if fps:
        loop.source = open_source(config.source, width=config.width, height=config.height, loop=True, fps=fps)
    loop.out = open(os.devnull, "w")  # noqa: SIM115 (closed with the loop's run below)
    return loop


def soak(config: Config, frames: int, warmup: int, viewers: int = 1) -> dict[str, Any]:
    """Run `warmup + frames` frames; RSS at the end of the warm-up and at the last frame, and every event."""
    stop = threading.Event()
    loop = _loop(replace(config, max_frames=warmup + frames), stop, None)
    events: list[str] = []

    def report(message: str) -> None:
        events.append(message)
        print(message, file=sys.stderr, flush=True)

    loop.on_event = report
    marks: dict[str, Any] = {}
    procs: list[subprocess.Popen[str]] = []

    def start_viewers() -> None:
        procs.append(_viewers(loop.display.address[1], viewers, 0, 10**6))

    def warm() -> None:
        gc.collect()  # count live Python objects, not garbage waiting for the collector
        marks.update(rss_start=rss_mb(), blocks_start=sys.getallocatedblocks(), time_start=time.perf_counter(),
                     events_start=len(events))

    def last() -> None:
        gc.collect()
        marks.update(rss_end=rss_mb(), blocks_end=sys.getallocatedblocks(), time_end=time.perf_counter())

    tenths: list[float] = []
    counter = _Counter((warmup + 1, warm), (warmup + frames, last), *([(1, start_viewers)] if viewers else []),
                       *[(warmup + frames * k // 10, lambda: tenths.append(round(rss_mb(), 2))) for k in range(1, 10)])
    loop.on_frame = counter
    samples: list[float] = []
    sampler = threading.Thread(target=_sample, args=(samples, stop), daemon=True)
    sampler.start()
    crashed = None
    try:
        loop.run()
    except Exception as exc:  # a crash is the soak's finding, reported like any other error
        crashed = f"{type(exc).__name__}: {exc}"
    finally:
        stop.set()
        loop.out.close()
    watched = _collect(procs[0])[0] if procs else []
    errors = events[marks.get("events_start", 0):] + ([crashed] if crashed else [])
    errors += [f"viewer: {w['error']}" for w in watched if w["error"]]
    measured = counter.count - warmup
    seconds = marks.get("time_end", time.perf_counter()) - marks.get("time_start", time.perf_counter())
    start, end = marks.get("rss_start", 0.0), marks.get("rss_end", 0.0)
    return {
        "frames": max(0, measured), "warmup": warmup, "errors": len(errors), "error_lines": errors[:10],
        "rss_start_mb": round(start, 2), "rss_end_mb": round(end, 2), "growth_mb": round(end - start, 2),
        "rss_max_mb": round(max(samples, default=end), 2), "rss_by_tenth_mb": tenths,
        "py_blocks_growth": marks.get("blocks_end", 0) - marks.get("blocks_start", 0),
        "fps": round(measured / seconds, 1) if seconds > 0 else 0.0,
        "seconds": round(seconds, 1), "viewer_frames": [w["frames"] for w in watched],
    }


def _sample(samples: list[float], stop: threading.Event) -> None:
    """RSS every second, for the peak (the start and end figures alone would hide a rise and fall)."""
    while not stop.wait(1.0):
        samples.append(rss_mb())


def http_load(config: Config, clients: int, seconds: float, baseline: float, fps: float | None) -> dict[str, Any]:
    """The loop's frame rate for `baseline` s alone, then for `seconds` s with `clients` viewers and a slow one."""
    stop = threading.Event()
    loop = _loop(replace(config, max_frames=0), stop, fps)
    events: list[str] = []
    loop.on_event = lambda message: events.append(message)
    counter = _Counter()
    loop.on_frame = counter
    figures: dict[str, Any] = {}
    procs: list[subprocess.Popen[str]] = []

    def conduct() -> None:
        """Warm up, count the baseline, connect the viewers, count under load, stop."""
        try:
            if stop.wait(WARMUP_SECONDS):
                return
            figures["baseline_fps"], figures["baseline_cpu"] = _rate(counter, baseline, stop)
            procs.append(_viewers(loop.display.address[1], clients, 1, seconds + 30))
            deadline = time.monotonic() + 10
            while loop.display.viewers < clients + 1 and time.monotonic() < deadline and not stop.wait(0.05):
                pass
            figures["connected"] = loop.display.viewers
            figures["load_fps"], figures["load_cpu"] = _rate(counter, seconds, stop)
        finally:
            stop.set()

    conductor = threading.Thread(target=conduct, daemon=True)
    conductor.start()
    try:
        loop.run()
    finally:
        stop.set()
        loop.out.close()
    conductor.join()
    watched, viewers_cpu = _collect(procs[0]) if procs else ([], 0.0)
    base, load = figures.get("baseline_fps", 0.0), figures.get("load_fps", 0.0)
    gaps = [w["max_gap_s"] for w in watched]
    firsts = [w["first_s"] for w in watched if w["first_s"] is not None]
    return {
        "clients": clients, "connected": figures.get("connected", 0), "seconds": seconds,
        "source_fps": fps or "unpaced",
        "baseline_fps": round(base, 1), "load_fps": round(load, 1),
        "drop": round(1 - load / base, 3) + 0.0 if base else 1.0,  # + 0.0: no "-0.0"
        "client_frames_min": min((w["frames"] for w in watched), default=0),
        "client_frames_max": max((w["frames"] for w in watched), default=0),
        "client_first_frame_s": round(max(firsts, default=float("inf")), 3),
        "client_max_gap_s": round(max(gaps, default=float("inf")), 3),
        "client_errors": [w["error"] for w in watched if w["error"]],
        "loop_cores_baseline": round(figures.get("baseline_cpu", 0.0), 2),
        "loop_cores_load": round(figures.get("load_cpu", 0.0), 2),
        "viewers_cores": round(viewers_cpu / (seconds + 1), 2),  # their own process, on the same machine
        "events": events[1:],  # the first says where the view listens
    }


def _rate(counter: _Counter, seconds: float, stop: threading.Event) -> tuple[float, float]:
    """Frames per second over the next `seconds`, and the share of one core this process used meanwhile."""
    start, began, cpu = counter.count, time.perf_counter(), time.process_time()
    stop.wait(seconds)
    elapsed = time.perf_counter() - began
    return (counter.count - start) / elapsed, (time.process_time() - cpu) / elapsed


def soak_passed(result: dict[str, Any], max_growth_mb: float) -> bool:
    return result["errors"] == 0 and result["growth_mb"] <= max_growth_mb and result["frames"] > 0


def load_passed(result: dict[str, Any]) -> bool:
    return (result["drop"] <= MAX_DROP and result["connected"] == result["clients"] + 1
            and result["client_max_gap_s"] <= MAX_GAP_S and not result["client_errors"] and not result["events"])


def run(config: Config, frames: int, warmup: int, max_growth_mb: float, http_clients: int, seconds: float,
        baseline: float, fps: float, as_json: bool) -> int:
    """Exit 0 when the run met its limits, 1 when it did not."""
    if http_clients:
        result = http_load(config, http_clients, seconds, baseline, fps or None)
        passed = load_passed(result)
    else:
        result = soak(config, frames, warmup)
        passed = soak_passed(result, max_growth_mb)
    result["passed"] = passed
    if as_json:
        print(json.dumps(result), flush=True)
    else:
        for key, value in result.items():
            print(f"{key:<18} {value}")
    return 0 if passed else 1
