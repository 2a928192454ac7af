"""The JSON beside a TFLite model that tells edge how to feed it and records how well it did.

edge reads this file (and runs with the same defaults when it is missing), so the keys are a contract:
see README "Conversion" for the schema, `FORMAT` names its version.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from edge.classify import NONE

FORMAT = "digitcam-model/1"
LABELS = [str(d) for d in range(10)]  # and NONE after them when the model has an eleventh output
PREPROCESSING = {
    "size": [28, 28],
    "ink": "bright",
    "range": [0.0, 1.0],
    "layout": "NHWC",
    "normalisation": "digit fitted into 20x20 keeping aspect, centred by centre of mass in 28x28",
}


def path_for(model_path: Path) -> Path:
    """`digits_int8.tflite` -> `digits_int8.json`."""
    return model_path.with_suffix(".json")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tensor_entry(detail: dict[str, Any]) -> dict[str, Any]:
    """One interpreter tensor as the sidecar describes it: free batch as -1, dtype by numpy name."""
    scale, zero_point = detail["quantization"]
    return {
        "shape": [int(d) for d in detail["shape_signature"]],
        "dtype": np.dtype(detail["dtype"]).name,
        "scale": float(scale),
        "zero_point": int(zero_point),
    }


def build(model_file: str, model_content: bytes, quant: str, input_detail: dict[str, Any],
          output_detail: dict[str, Any], verification: dict[str, Any], source_file: str,
          source_sha256: str, created: dt.datetime | None = None) -> dict[str, Any]:
    """The sidecar for `model_content`, to be written beside it as `model_file`."""
    created = created or dt.datetime.now(dt.timezone.utc)
    return {
        "format": FORMAT,
        "model_file": model_file,
        "sha256": sha256_hex(model_content),
        "size_bytes": len(model_content),
        "quant": quant,
        "labels": LABELS + [NONE] * (int(output_detail["shape_signature"][-1]) - len(LABELS)),
        "input": tensor_entry(input_detail),
        "output": tensor_entry(output_detail),
        "preprocessing": dict(PREPROCESSING),
        "verification": verification,
        "source_model": {"file": source_file, "sha256": source_sha256},
        "created": created.isoformat(timespec="seconds"),
    }
