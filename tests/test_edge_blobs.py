"""edge.blobs: the faster labelling gives OpenCV's default labels and statistics, blob for blob."""
from __future__ import annotations

import cv2
import numpy as np

from edge.blobs import blobs


def test_labels_and_stats_are_those_of_the_default_labelling_on_writing_specks_and_lines():
    rng = np.random.default_rng(0)
    for _ in range(20):
        mask = np.where(rng.random((97, 131)) < rng.uniform(0.01, 0.5), np.uint8(255), np.uint8(0))
        cv2.putText(mask, str(rng.integers(100)), (5, 80), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, int(rng.integers(1, 6)))
        cv2.line(mask, (0, int(rng.integers(97))), (130, int(rng.integers(97))), 255, 2)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        got = blobs(mask)
        assert got[0] == count and np.array_equal(got[1], labels) and np.array_equal(got[2], stats)
    count, labels, stats = blobs(np.zeros((10, 10), np.uint8))
    assert count == 1 and not labels.any() and stats[0, cv2.CC_STAT_AREA] == 100
