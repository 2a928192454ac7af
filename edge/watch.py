"""Hot model reload: notice the model file replaced while the loop runs and switch to it between frames.

`convert` writes the model, then its sidecar, each by atomic rename, so a replacement shows as a new inode,
mtime or size. Checking is one or two `stat` calls at most once per `interval`; loading happens only when they
change. A bad replacement (corrupt, wrong shape, a sidecar whose sha256 does not match the model even after
one more look) is reported in one line, once, and the model already running stays in use.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from edge.classify import Classifier, ModelError, read_sidecar, sidecar_path

CHECK_EVERY = 1.0  # seconds between looks at the model file: a replacement is live within about a second

Stamp = tuple[int, int, int] | None  # (inode, mtime ns, size) of a file, None while it does not exist


def stamp(path: Path) -> Stamp:
    """What changes when a file is replaced or rewritten; None if it is not there (or not readable)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def sha256_problem(model: Path) -> str | None:
    """Why the sidecar does not describe this model file, or None (a bare model has nothing to disagree with)."""
    expected = read_sidecar(model).get("sha256")
    if not expected:
        return None
    actual = hashlib.sha256(model.read_bytes()).hexdigest()
    if actual != expected:
        return f"{model}: sha256 {actual[:12]}... does not match its sidecar's {str(expected)[:12]}..."
    return None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class ModelWatcher:
    """Holds the classifier the loop should use now; `current()` is cheap enough to call on every frame."""

    def __init__(self, classifier: Classifier, threads: int = 1, on_event: Callable[[str], None] = _stderr,
                 interval: float = CHECK_EVERY, clock: Callable[[], float] = time.monotonic,
                 load: Callable[..., Classifier] = Classifier) -> None:
        self.path = classifier.path
        self.threads = threads
        self.on_event = on_event
        self.interval = interval
        self.clock = clock
        self.load = load
        self._current = classifier
        self._seen = self._stamps()
        self._mismatched: tuple[Stamp, Stamp] | None = None  # files that disagreed once: looked at again next time
        self._next_check = clock() + interval

    def _stamps(self) -> tuple[Stamp, Stamp]:
        return stamp(self.path), stamp(sidecar_path(self.path))

    def current(self) -> Classifier:
        """The classifier to use for this frame: the new model once a good replacement has been loaded."""
        now = self.clock()
        if now < self._next_check:
            return self._current
        self._next_check = now + self.interval
        stamps = self._stamps()
        if stamps != self._seen:
            self._consider(stamps)
        return self._current

    def _consider(self, stamps: tuple[Stamp, Stamp]) -> None:
        if stamps[0] is None:
            self._settle(stamps, f"{self.path}: model file gone; keeping the running model")
            return
        try:
            problem = sha256_problem(self.path)
            if problem and self._mismatched != stamps:
                self._mismatched = stamps  # between convert's two renames: the sidecar may be on its way
                return
            if problem:
                raise ModelError(problem)
            loaded = self.load(self.path, threads=self.threads)
        except (ModelError, OSError) as exc:
            self._settle(stamps, f"model not reloaded: {exc}; keeping the running model")
            return
        self._current = loaded
        self._settle(stamps, f"model reloaded: {self.path}")

    def _settle(self, stamps: tuple[Stamp, Stamp], message: str) -> None:
        """Remember these files as dealt with (so a bad one is reported once) and say what happened."""
        self._seen, self._mismatched = stamps, None
        self.on_event(message)
