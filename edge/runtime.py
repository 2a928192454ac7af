"""Find a TFLite interpreter: ai-edge-litert, else tflite-runtime, else TensorFlow's (workstations only)."""
from __future__ import annotations

import importlib
from typing import Any

CANDIDATES = ("ai_edge_litert.interpreter", "tflite_runtime.interpreter", "tensorflow.lite")


class RuntimeMissing(Exception):
    """No TFLite runtime is installed."""


def interpreter_class() -> tuple[type, str]:
    """The first installed runtime's Interpreter class and its module name; TensorFlow is imported last,
    and only if neither light runtime is present, so the device never pays for it."""
    for name in CANDIDATES:
        try:
            module: Any = importlib.import_module(name)
        except ImportError:
            continue
        return module.Interpreter, name
    raise RuntimeMissing("no TFLite runtime: pip install ai-edge-litert (or tflite-runtime)")
