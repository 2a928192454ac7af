"""Steady readings from jittery frames: track each digit across frames and vote over its recent frames.

A single frame's threshold or crop can flicker (a 7 read as 1 once in ten frames, a thin 1 split in two); the
screen should change only when the paper does. Each digit becomes a track, matched by how near its centre is
(relative to its height, since thin digits like 1 barely overlap when they shift); a detection centred on a
track it did not match is a duplicate of that digit and is ignored. A track's class is the sum of its last
`window` probability vectors; it is shown once seen in `min_hits` frames and dropped after `max_missed`.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from edge.reading import Box, Digit, Reading


def centre_distance(a: Box, b: Box) -> float:
    """Distance between box centres in units of the taller box's height (0: same centre)."""
    dx = (a[0] + a[2] / 2) - (b[0] + b[2] / 2)
    dy = (a[1] + a[3] / 2) - (b[1] + b[3] / 2)
    return float(np.hypot(dx, dy)) / max(1, a[3], b[3])


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


@dataclass
class _Track:
    box: Box
    votes: deque[np.ndarray]
    hits: int = 1
    missed: int = 0
    shown: bool = False

    def vote(self) -> tuple[int, float]:
        total = np.sum(self.votes, axis=0)
        best = int(total.argmax())
        return best, float(total[best] / len(self.votes))


@dataclass
class Smoother:
    """Feed it each frame's boxes and probabilities; it returns the steady Reading to show."""

    rows_of: Callable[[list[Box]], list[list[int]]]
    min_confidence: float = 0.5
    window: int = 8
    min_hits: int = 3
    max_missed: int = 5
    match_distance: float = 0.5
    max_height_ratio: float = 1.5  # a box much taller or shorter is another digit (new paper), not this one
    hide_after: int = 2  # a digit unseen this many frames in a row leaves the screen (its track lives on)
    _tracks: list[_Track] = field(default_factory=list)

    def update(self, boxes: Sequence[Box], probabilities: np.ndarray) -> Reading:
        unmatched = set(range(len(boxes)))
        pairs = sorted((centre_distance(t.box, boxes[j]), i, j) for i, t in enumerate(self._tracks)
                       for j in unmatched if self._similar(t.box, boxes[j]))
        matched_tracks: set[int] = set()
        for distance, i, j in pairs:
            if distance > self.match_distance:
                break
            if i in matched_tracks or j not in unmatched:
                continue
            track = self._tracks[i]
            track.box, track.missed = boxes[j], 0
            track.hits += 1
            track.votes.append(probabilities[j])
            matched_tracks.add(i)
            unmatched.discard(j)
        for i, track in enumerate(self._tracks):
            if i not in matched_tracks:
                track.missed += 1
        self._tracks = [t for t in self._tracks if t.missed <= self.max_missed]
        for j in sorted(unmatched):
            if any(centre_distance(t.box, boxes[j]) <= self.match_distance and self._similar(t.box, boxes[j])
                   for t in self._tracks):
                continue  # a second box on a digit already tracked: a stroke the threshold split
            self._tracks.append(_Track(boxes[j], deque([probabilities[j]], maxlen=self.window)))
        for track in self._tracks:
            track.shown = track.shown or track.hits >= self.min_hits
        return self._reading()

    def _similar(self, a: Box, b: Box) -> bool:
        return max(a[3], b[3]) <= self.max_height_ratio * max(1, min(a[3], b[3]))

    def _reading(self) -> Reading:
        visible = [t for t in self._tracks if t.shown and t.missed < self.hide_after]
        digits = []
        for track in visible:
            best, confidence = track.vote()
            digits.append(Digit(best, confidence, track.box, confidence >= self.min_confidence))
        rows = self.rows_of([d.box for d in digits])
        return Reading(rows=tuple(tuple(digits[i] for i in row) for row in rows))

    def reset(self) -> None:
        """Forget every track (a new sheet, a restarted camera)."""
        self._tracks.clear()
