"""MNIST loaders on tiny npz and IDX fixtures made here, and their clear errors on bad ones."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from train import data


def _arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 5, dtype=np.uint8),
    }


def _idx_bytes(a: np.ndarray) -> bytes:
    return bytes([0, 0, 8, a.ndim]) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


def _write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gz: bool) -> None:
    folder.mkdir()
    for key, stem in data.IDX_NAMES.items():
        raw = _idx_bytes(arrays[key])
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)


def _assert_same(m: data.Mnist, arrays: dict[str, np.ndarray]) -> None:
    for key, expected in arrays.items():
        np.testing.assert_array_equal(getattr(m, key), expected)


def test_npz_round_trip(tmp_path: Path) -> None:
    arrays = _arrays()
    np.savez(tmp_path / "m.npz", **arrays)
    m = data.load(tmp_path / "m.npz")
    _assert_same(m, arrays)
    assert len(m.sha256) == 64


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_plain_and_gzipped(tmp_path: Path, gz: bool) -> None:
    arrays = _arrays(1)
    _write_idx_folder(tmp_path / "idx", arrays, gz)
    _assert_same(data.load(tmp_path / "idx"), arrays)


def test_environment_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = _arrays(2)
    np.savez(tmp_path / "env.npz", **arrays)
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "env.npz"))
    _assert_same(data.load(None), arrays)


def test_option_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "missing.npz"))
    arrays = _arrays(3)
    np.savez(tmp_path / "opt.npz", **arrays)
    _assert_same(data.load(tmp_path / "opt.npz"), arrays)


def test_sha256_changes_with_content(tmp_path: Path) -> None:
    np.savez(tmp_path / "a.npz", **_arrays(4))
    np.savez(tmp_path / "b.npz", **_arrays(5))
    assert data.load(tmp_path / "a.npz").sha256 != data.load(tmp_path / "b.npz").sha256


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "not found"),
        (lambda p: p.write_bytes(b"this is not a zip"), "cannot read as npz"),
        (lambda p: np.savez(p, x_train=np.zeros((2, 28, 28), np.uint8)), "missing"),
        (lambda p: np.savez(p, **{**_arrays(), "x_test": np.zeros((5, 27, 28), np.uint8)}), "expected (N, 28, 28)"),
        (lambda p: np.savez(p, **{**_arrays(), "y_train": np.zeros(3, np.uint8)}), "labels for"),
        (lambda p: np.savez(p, **{**_arrays(), "y_test": np.full(5, 12, np.uint8)}), "outside 0..9"),
    ],
)
def test_bad_npz_gives_one_line_error(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "bad.npz"
    make(path)
    with pytest.raises(data.DataError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        data.load(path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda raw: b"\x00\x00\x09\x03" + raw[4:], "bad magic"),
        (lambda raw: raw[:-7], "promises"),
        (lambda raw: raw[:6], "truncated"),
    ],
)
def test_corrupt_idx_gives_one_line_error(tmp_path: Path, corrupt, message: str) -> None:
    arrays = _arrays(6)
    _write_idx_folder(tmp_path / "idx", arrays, gz=False)
    target = tmp_path / "idx" / data.IDX_NAMES["x_train"]
    target.write_bytes(corrupt(target.read_bytes()))
    with pytest.raises(data.DataError, match=message):
        data.load(tmp_path / "idx")


def test_truncated_gzip_is_a_data_error(tmp_path: Path) -> None:
    _write_idx_folder(tmp_path / "idx", _arrays(7), gz=True)
    target = tmp_path / "idx" / f"{data.IDX_NAMES['y_test']}.gz"
    target.write_bytes(target.read_bytes()[:20])
    with pytest.raises(data.DataError, match="cannot read"):
        data.load(tmp_path / "idx")


def test_idx_folder_missing_a_file(tmp_path: Path) -> None:
    _write_idx_folder(tmp_path / "idx", _arrays(8), gz=False)
    (tmp_path / "idx" / data.IDX_NAMES["y_train"]).unlink()
    with pytest.raises(data.DataError, match="train-labels"):
        data.load(tmp_path / "idx")
