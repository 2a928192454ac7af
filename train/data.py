"""Load MNIST from a Keras-layout npz, a folder of IDX files, or Keras' own download.

Where the data comes from: `--data PATH`, else `$DIGITCAM_MNIST`, else Keras downloads it.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "DIGITCAM_MNIST"
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


class DataError(Exception):
    """The data set could not be found or read; the message is one line for the user."""


@dataclass(frozen=True)
class Mnist:
    """The four MNIST arrays (uint8 images 0..255, ink bright) and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    sha256: str


def resolve_path(path: str | os.PathLike[str] | None) -> Path | None:
    """The data path the user asked for: the option first, then the environment, else None (download)."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else None


def load(path: str | os.PathLike[str] | None = None) -> Mnist:
    """Load MNIST from `path` (npz file or IDX folder), `$DIGITCAM_MNIST`, or Keras' download."""
    resolved = resolve_path(path)
    if resolved is None:
        return _download()
    if not resolved.exists():
        raise DataError(f"MNIST not found at {resolved}: pass --data PATH or set {ENV_VAR}")
    arrays = _read_idx_folder(resolved) if resolved.is_dir() else _read_npz(resolved)
    _check(arrays, resolved)
    return Mnist(**arrays, source=str(resolved), sha256=_sha256(resolved))


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in IDX_NAMES if k not in f.files]
            if missing:
                raise DataError(f"{path}: not a Keras MNIST npz (missing {', '.join(missing)})")
            return {k: np.asarray(f[k]) for k in IDX_NAMES}
    except DataError:
        raise
    except Exception as exc:  # zipfile, ValueError, OSError: all mean the same to the user
        raise DataError(f"{path}: cannot read as npz ({type(exc).__name__}: {exc})") from None


def _read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    arrays = {}
    for key, stem in IDX_NAMES.items():
        candidates = [folder / stem, folder / f"{stem}.gz", folder / stem.replace("-idx", ".idx")]
        candidates += [folder / f"{c.name}.gz" for c in candidates[2:]]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise DataError(f"{folder}: no {stem}[.gz] in this folder")
        arrays[key] = read_idx(found)
    return arrays


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped) into a uint8 array of the shape its header gives."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    count = int(np.prod(shape))
    if len(raw) - header != count:
        raise DataError(f"{path}: IDX header promises {count} bytes of data, file has {len(raw) - header}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _check(arrays: dict[str, np.ndarray], source: Path) -> None:
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DataError(f"{source}: x_{split} has shape {x.shape}, expected (N, 28, 28)")
        if y.shape != (x.shape[0],):
            raise DataError(f"{source}: y_{split} has {y.shape[0] if y.ndim else 0} labels for {x.shape[0]} images")
        if y.size and (y.min() < 0 or y.max() > 9):
            raise DataError(f"{source}: y_{split} has labels outside 0..9")
        if x.dtype != np.uint8:
            raise DataError(f"{source}: x_{split} is {x.dtype}, expected uint8")


def _download() -> Mnist:
    try:
        from tensorflow import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:
        raise DataError(
            f"could not download MNIST ({type(exc).__name__}); offline? "
            f"point at a copy with --data PATH or {ENV_VAR}=PATH (mnist.npz or a folder of IDX files)"
        ) from None
    digest = _sha256_arrays(x_train, y_train, x_test, y_test)
    return Mnist(x_train, y_train, x_test, y_test, source="keras download", sha256=digest)


def _sha256(path: Path) -> str:
    """Hash a file, or for a folder every file in it by name, so the report pins the exact data."""
    h = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for p in files:
        if path.is_dir():
            h.update(p.name.encode())
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _sha256_arrays(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()
