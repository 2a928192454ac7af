"""Shared fixtures: where MNIST is (from $DIGITCAM_MNIST, never downloaded in tests)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The MNIST npz named by $DIGITCAM_MNIST; tests that need it skip when it is not set."""
    value = os.environ.get("DIGITCAM_MNIST")
    if not value or not Path(value).exists():
        pytest.skip("DIGITCAM_MNIST is not set to an existing mnist.npz")
    return Path(value)
