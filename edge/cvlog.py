"""Keep OpenCV's own log lines off the user's screen where our one-line error already says it."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import cv2


@contextlib.contextmanager
def quiet_opencv(level: int = cv2.utils.logging.LOG_LEVEL_ERROR) -> Iterator[None]:
    """Raise OpenCV's log threshold to `level` for the block, then restore it."""
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(level)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)
