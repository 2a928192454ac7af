"""`python -m convert.speed`: the product's per-frame path against the tutorial's way, in one run.

Both get the same frames and the same digit crops (our segmentation, so only classification differs): the
tutorial calls Keras `model.predict` once per digit; edge runs every crop of a frame through the int8 TFLite
interpreter in one call. Reports ms per frame for each and the ratio.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from edge.classify import DEFAULT_MODEL, Classifier
from edge.detect import DetectParams, detect
from edge.grey import to_grey
from edge.sources import SourceEnded, open_source


def _frames(spec: str, count: int) -> list[np.ndarray]:
    source = open_source(spec, loop=True)
    source.start()
    grey: list[np.ndarray] = []
    try:
        while len(grey) < count:
            frame = source.read(timeout=1.0)
            if frame is not None:
                grey.append(frame.grey if frame.grey is not None else to_grey(frame.image))
    except SourceEnded:
        pass
    finally:
        source.stop()
    return grey


def _median_ms(work, frames: list[np.ndarray]) -> float:
    times = []
    for grey in frames:
        started = time.perf_counter()
        work(grey)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m convert.speed", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--source", type=str, default=str(Path("models/demo.mp4")), help="video, image or folder")
    p.add_argument("--frames", type=int, default=60, help="frames to time")
    p.add_argument("--keras", type=Path, default=Path("models/digits.keras"), help="the Keras model")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="the TFLite model")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow import keras

    frames = _frames(args.source, args.frames)
    params = DetectParams()
    classifier = Classifier(args.model)
    model = keras.models.load_model(args.keras)
    digits = sum(len(detect(g, params).crops) for g in frames)

    def edge_way(grey: np.ndarray) -> None:
        classifier.probabilities(detect(grey, params).crops)

    def tutorial_way(grey: np.ndarray) -> None:
        for crop in detect(grey, params).crops:
            model.predict(crop[None, ..., None], verbose=0)

    tutorial_way(frames[0])  # both warmed up once: Keras traces its graph on the first call
    edge_way(frames[0])
    edge_ms, keras_ms = _median_ms(edge_way, frames), _median_ms(tutorial_way, frames)
    print(f"{len(frames)} frames, {digits / max(1, len(frames)):.1f} digits per frame")
    print(f"edge (int8 TFLite, one batch per frame): {edge_ms:8.2f} ms per frame")
    print(f"tutorial (Keras predict per digit):      {keras_ms:8.2f} ms per frame")
    print(f"edge is {keras_ms / edge_ms:.0f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
