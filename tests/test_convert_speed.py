"""`python -m convert.speed` runs both ways on the same frames and reports a ratio (figures, not assertions)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "models" / "digits.keras").exists(), reason="no shipped Keras model")
def test_speed_comparison_reports_both_ways() -> None:
    result = subprocess.run([sys.executable, "-m", "convert.speed", "--frames", "3"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    edge = re.search(r"edge .*?([\d.]+) ms per frame", result.stdout)
    keras = re.search(r"tutorial .*?([\d.]+) ms per frame", result.stdout)
    ratio = re.search(r"edge is (\d+)x faster", result.stdout)
    assert edge and keras and ratio, result.stdout
    assert float(edge.group(1)) > 0 and float(keras.group(1)) > 0
