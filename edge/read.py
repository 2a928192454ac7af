"""`python -m edge read`: the tutorial's "classify your own digit" step, for any photo with any number of digits."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from edge import images
from edge.classify import Classifier
from edge.detect import DetectParams, debug_images
from edge.grey import to_grey
from edge.reading import to_json
from edge.recognise import recognise


def read_file(path: Path, classifier: Classifier, params: DetectParams, min_confidence: float,
              debug_dir: Path | None) -> dict[str, Any]:
    """One file's line of output: the reading, or the error that stopped it."""
    started = time.perf_counter()
    try:
        grey = to_grey(images.load(path, grey=True))
    except (images.ImageError, ValueError) as exc:  # ValueError: a pixel layout to_grey cannot take
        return {"file": str(path), "error": str(exc)}
    result = recognise(grey, classifier, params, min_confidence)
    ms = (time.perf_counter() - started) * 1000
    if debug_dir is not None:
        for name, picture in debug_images(grey, result.detection, result.dropped, params.min_stroke).items():
            images.save_png(debug_dir / f"{path.stem}.{name}.png", picture)
    return {"file": str(path), **to_json(result.reading), "ms": round(ms, 2)}


def run(paths: list[Path], model: Path, as_json: bool, min_confidence: float, debug_dir: Path | None) -> int:
    """Read every file; exit 1 if any failed, after reading the others."""
    classifier = Classifier(model)
    params = DetectParams(fill_rows=True)  # a still photo is read once: worth a harder look at its rows
    failed = False
    for path in paths:
        line = read_file(path, classifier, params, min_confidence, debug_dir)
        failed |= "error" in line
        if as_json:
            print(json.dumps(line), flush=True)
        elif "error" in line:
            print(f"{path}: error: {line['error']}", flush=True)
        else:
            print(f"{path}: {line['text']}".replace("\n", " "), flush=True)  # rows side by side: one line
    return 1 if failed else 0
