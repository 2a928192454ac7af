"""No display: for benchmarks, services that only print JSON lines, and tests."""
from __future__ import annotations

from typing import Any

import numpy as np


class NullDisplay:
    """Accepts every frame and shows none; never reports a key."""

    def start(self) -> None:
        pass

    def show(self, image: np.ndarray, latest: dict[str, Any]) -> None:
        pass

    def keys(self) -> list[str]:
        return []

    def stop(self) -> None:
        pass
