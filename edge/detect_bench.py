"""`python -m edge.detect_bench`: how long the pixel pipeline takes on one core, per frame and per stage.

Frames are camera-like 640x480 pictures of paper with ten handwritten digits (MNIST test digits when
$DIGITCAM_MNIST or --mnist names them, else drawn with a Hershey font): lighting gradient, sensor noise,
slight blur, and ruled lines on every other frame; or, with --video, the frames of a clip (the demo clip is
what a camera sees). "detect+classify" is issue 4's budget: preprocessing plus classification, 5 ms median.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from edge.classify import DEFAULT_MODEL, Classifier
from edge.complete import complete
from edge.detect import DetectParams, analysis_frame, detect
from edge.normalise import crops
from edge.order import reading_rows
from edge.recognise import recognise
from edge.regions import candidates
from edge.segment import find_ink


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m edge.detect_bench", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--frames", type=int, default=20, help="distinct frames")
    p.add_argument("--repeats", type=int, default=20, help="timed runs per frame")
    p.add_argument("--width", type=int, default=640, help="frame width")
    p.add_argument("--height", type=int, default=480, help="frame height")
    p.add_argument("--digits", type=int, default=10, help="digits per frame (one or two rows)")
    p.add_argument("--mnist", type=str, default=os.environ.get("DIGITCAM_MNIST"),
                   help="mnist.npz for real handwriting, taken from $DIGITCAM_MNIST when set; none: a Hershey font")
    p.add_argument("--threads", type=int, default=1, help="OpenCV threads (the target is for one core)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--video", type=Path, default=None,
                   help="time the frames of this clip (every --frames-th one is skipped to) instead of drawn ones")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="TFLite model for the classify stage")
    p.add_argument("--cpu-time", action="store_true",
                   help="time by this thread's CPU time (fair on a busy machine; needs --threads 1)")
    args = p.parse_args(argv)
    if min(args.frames, args.repeats, args.digits) < 1 or min(args.width, args.height) < 64 or args.threads < 1:
        p.error("--frames, --repeats, --digits and --threads must be at least 1, sizes at least 64")
    if args.cpu_time and args.threads != 1:
        p.error("--cpu-time measures one thread: use it with --threads 1")
    if args.mnist and not Path(args.mnist).is_file():
        p.error(f"--mnist {args.mnist} is not a file")
    for name in ("video", "model"):
        path = getattr(args, name)
        if path is not None and not path.is_file():
            p.error(f"--{name} {path} is not a file")
    return args


def video_frames(path: Path, count: int) -> list[np.ndarray]:
    """`count` grey frames spread evenly over the clip at `path`."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    capture.release()
    if not frames:
        raise SystemExit(f"python -m edge.detect_bench: error: {path}: no frames OpenCV can decode")
    return [frames[i] for i in np.linspace(0, len(frames) - 1, min(count, len(frames))).round().astype(int)]


def frame(rng: np.random.Generator, size: tuple[int, int], glyphs: list[np.ndarray], ruled: bool) -> np.ndarray:
    """One synthetic photo of a sheet with `glyphs` (ink bright on 0) written in one or two rows."""
    width, height = size
    light = np.linspace(1.0, rng.uniform(0.6, 0.95), width, dtype=np.float32)[None, :]
    sheet = np.full((height, width), rng.uniform(170, 240), np.float32) * light
    if ruled:
        for y in range(int(height * 0.1), height, max(8, height // 9)):
            cv2.line(sheet, (0, y), (width - 1, y + int(rng.integers(-8, 9))), float(sheet.mean() * 0.8), 1)
    rows = 1 if len(glyphs) <= 5 or rng.random() < 0.5 else 2
    per_row = -(-len(glyphs) // rows)
    digit_h = int(min(height / (2.5 * rows), 0.8 * width / per_row))
    for i, glyph in enumerate(glyphs):
        r, c = divmod(i, per_row)
        x = int(0.05 * width + c * 0.9 * width / per_row)
        y = int(height * (0.2 + 0.4 * r)) + int(rng.integers(-5, 6))
        ys, xs = np.nonzero(glyph > 40)
        glyph = glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        w = max(1, round(glyph.shape[1] * digit_h / glyph.shape[0]))
        alpha = cv2.resize(glyph.astype(np.float32) / 255, (w, digit_h), interpolation=cv2.INTER_LINEAR)
        region = sheet[y:y + digit_h, x:x + w]
        region *= 1.0 - 0.7 * alpha[:region.shape[0], :region.shape[1]]
    sheet = cv2.GaussianBlur(sheet, (0, 0), 0.7) + rng.normal(0, 3, sheet.shape).astype(np.float32)
    return np.clip(sheet, 0, 255).astype(np.uint8)


def glyph_source(path: str | None, rng: np.random.Generator):
    """A function giving one random digit glyph (uint8, ink bright) per call."""
    if path:
        with np.load(path) as data:
            images = data["x_test"]
        return lambda: images[rng.integers(len(images))]

    def hershey() -> np.ndarray:
        image = np.zeros((60, 48), np.uint8)
        cv2.putText(image, str(rng.integers(10)), (4, 52), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255,
                    int(rng.integers(2, 6)), cv2.LINE_AA)
        return image
    return hershey


def timed(function, repeats: int, clock) -> list[float]:
    """Milliseconds of each of `repeats` calls by `clock`, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        started = clock()
        function()
        times.append((clock() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cv2.setNumThreads(args.threads)
    rng = np.random.default_rng(args.seed)
    params = DetectParams()
    next_glyph = glyph_source(args.mnist, rng)
    # Wall time is what a frame costs on an idle core; this thread's CPU time is the same cost without the
    # waits for a core that other processes on a busy machine add to the wall time.
    clock = time.thread_time if args.cpu_time else time.perf_counter
    classifier = Classifier(args.model)
    stages: dict[str, list[float]] = {name: [] for name in (
        "detect+classify", "detect", "find_ink", "candidates", "complete", "crops+order", "classify")}
    if args.video:
        greys = video_frames(args.video, args.frames)
        what = f"{len(greys)} frames of {args.video}"
    else:
        greys = [frame(rng, (args.width, args.height), [next_glyph() for _ in range(args.digits)], ruled=i % 2 == 1)
                 for i in range(args.frames)]
        what = f"{args.frames} frames {args.width}x{args.height}, {args.digits} {'MNIST' if args.mnist else 'Hershey'} digits each"
    found = []
    for grey in greys:
        small = analysis_frame(grey, params)
        ink = find_ink(small, params)
        boxes, loose = candidates(ink.mask, params)
        mask, grown = complete(ink, boxes, loose, params)
        found.append(len(grown))
        digits = detect(grey, params).crops
        stages["detect+classify"] += timed(lambda: recognise(grey, classifier, params, 0.5), args.repeats, clock)
        stages["detect"] += timed(lambda: detect(grey, params), args.repeats, clock)
        stages["find_ink"] += timed(lambda: find_ink(small, params), args.repeats, clock)
        stages["candidates"] += timed(lambda: candidates(ink.mask, params), args.repeats, clock)
        stages["complete"] += timed(lambda: complete(ink, boxes, loose, params), args.repeats, clock)
        stages["crops+order"] += timed(lambda: (crops(mask, grown, params.min_stroke, ink.darker), reading_rows(grown)),
                                       args.repeats, clock)
        stages["classify"] += timed(lambda: classifier.probabilities(digits), args.repeats, clock)
    print(f"{what} (found {min(found)}..{max(found)} boxes), {args.repeats} runs per frame, "
          f"{args.threads} OpenCV thread(s), {'CPU' if args.cpu_time else 'wall'} time")
    for name, times in stages.items():
        print(f"{name:12s} median {np.median(times):6.2f} ms   p95 {np.percentile(times, 95):6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
