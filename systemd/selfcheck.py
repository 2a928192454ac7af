"""After installing: prove that picamera2, OpenCV and the TFLite runtime work together in this venv.

A bare import can pass while numpy's ABI is broken (a pip numpy under apt's picamera2 and OpenCV), so each
library is made to do real work on numpy arrays, and an interpreter is created from the model and run.
Prints one line per check; exits 1 if any failed. Cameras are listed but none is required (it may be
plugged in later).

usage: python selfcheck.py MODEL
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def _numpy() -> str:
    import numpy as np

    return f"numpy {np.__version__} from {Path(np.__file__).parent}"


def _opencv() -> str:
    import cv2
    import numpy as np

    image = np.zeros((48, 64, 3), np.uint8)
    cv2.rectangle(image, (8, 8), (40, 30), (255, 255, 255), cv2.FILLED)
    grey = cv2.cvtColor(cv2.resize(image, (32, 24)), cv2.COLOR_BGR2GRAY)
    if int(grey.max()) != 255:
        raise RuntimeError("drawing and converting an image gave wrong pixels")
    return f"OpenCV {cv2.__version__}"


def _picamera2() -> str:
    from picamera2 import Picamera2

    cameras = Picamera2.global_camera_info()
    names = ", ".join(str(c.get("Model", "?")) for c in cameras) or "none connected yet"
    return f"picamera2 imports; cameras: {names}"


def _model(model: Path) -> Callable[[], str]:
    def check() -> str:
        import numpy as np

        from edge.classify import Classifier

        classifier = Classifier(model)
        crops = np.zeros((2, 28, 28), np.float32)
        crops[1, 4:24, 12:16] = 1.0  # a "1"
        probabilities = classifier.probabilities(crops)
        if probabilities.shape != (2, len(classifier.labels)) or not np.all(np.isfinite(probabilities)):
            raise RuntimeError(f"the interpreter returned {probabilities!r}")
        return f"{classifier.runtime} runs {model.name}"

    return check


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    checks = [("numpy", _numpy), ("opencv", _opencv), ("picamera2", _picamera2), ("model", _model(Path(argv[0])))]
    failed = 0
    for name, check in checks:
        try:
            print(f"ok    {check()}")
        except Exception as exc:  # any failure, an ImportError of a broken ABI included, is reported in one line
            text = str(exc).strip().splitlines()
            print(f"FAIL  {name}: {type(exc).__name__}: {text[0] if text else ''}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
