"""edge.recognise: marks the network mostly doubts are no writing, and are kept aside for --debug-dir."""
from __future__ import annotations

import numpy as np

from edge.detect import DetectParams, debug_images
from edge.recognise import recognise
from tests import edge_frames as frames


class Sure:
    """A stand-in network: reads every crop as `digit` with `confidence`."""

    def __init__(self, digit: int, confidence: float) -> None:
        self.digit, self.confidence = digit, confidence

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        out = np.full((len(crops), 10), (1.0 - self.confidence) / 9, np.float32)
        out[:, self.digit] = self.confidence
        return out


def photo() -> np.ndarray:
    sheet = frames.paper()
    frames.write(sheet, "12", (100, 300), 3.0, 5)
    return frames.finish(sheet, np.random.default_rng(0))


def test_marks_the_network_reads_surely_are_the_reading_and_nothing_is_dropped():
    result = recognise(photo(), Sure(7, 0.99), DetectParams(), 0.5)
    assert [d.digit for d in result.reading.digits] == [7, 7]
    assert result.dropped == []


def test_marks_the_network_doubts_read_as_nothing_but_are_kept_for_the_debug_pictures():
    grey = photo()
    result = recognise(grey, Sure(7, 0.4), DetectParams(), 0.5)
    assert not result.reading.digits and not result.detection.boxes
    assert len(result.dropped) == 2
    pictures = debug_images(grey, result.detection, result.dropped)
    red = (pictures["boxes"][..., 2] > 200) & (pictures["boxes"][..., 1] < 60)
    assert red.sum() > 100  # the dropped marks are boxed in red
    kept_only = debug_images(grey, result.detection)
    assert pictures["crops"].shape[0] > kept_only["crops"].shape[0]  # and their crops shown below
    assert pictures["crops"][kept_only["crops"].shape[0]:].max() > 200  # with bright ink
