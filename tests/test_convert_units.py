"""convert's pure pieces on synthetic inputs: no TensorFlow, no MNIST, milliseconds each."""
from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from convert import cli, export, quiet, sidecar, source, verify


# --- source: which files and shapes are accepted -------------------------------------------------------------

def test_check_file_accepts_a_keras_archive(tmp_path: Path) -> None:
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", "{}")
    source.check_file(path)


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such model file"),
    (lambda p: p.mkdir(), "not a file"),
    (lambda p: p.write_bytes(b"not a zip at all"), "corrupt or not a .keras model"),
    (lambda p: p.write_bytes(b""), "corrupt or not a .keras model"),
])
def test_check_file_rejects_with_one_line(tmp_path: Path, make, message: str) -> None:
    path = tmp_path / "m.keras"
    make(path)
    with pytest.raises(source.ModelError, match=message) as err:
        source.check_file(path)
    assert "\n" not in str(err.value)


def test_check_file_rejects_a_zip_without_a_config(tmp_path: Path) -> None:
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model.weights.h5", b"\0" * 10)
    with pytest.raises(source.ModelError, match="no config.json"):
        source.check_file(path)


def test_check_file_rejects_other_suffixes(tmp_path: Path) -> None:
    path = tmp_path / "m.h5"
    path.write_bytes(b"x")
    with pytest.raises(source.ModelError, match=r"\.keras"):
        source.check_file(path)


def test_check_shapes_accepts_the_contract() -> None:
    source.check_shapes((None, 28, 28, 1), (None, 10), "float32")
    source.check_shapes((None, 28, 28, 1), (None, 11), "float32")  # the digits and none


@pytest.mark.parametrize("input_shape, output_shape, dtype, message", [
    ((None, 28, 28), (None, 10), "float32", "seed network"),
    ((None, 32, 32, 1), (None, 10), "float32", "expected \\(None, 28, 28, 1\\)"),
    ((None, 28, 28, 3), (None, 10), "float32", "expected \\(None, 28, 28, 1\\)"),
    ((1, 28, 28, 1), (None, 10), "float32", "fixes the batch size"),
    ((None, 28, 28, 1), (None, 5), "float32", "expected \\(None, 10\\)"),
    ((None, 28, 28, 1), (None, 12), "float32", "expected \\(None, 10\\)"),
    ((None, 28, 28, 1), (None, 28, 11), "float32", "expected \\(None, 10\\)"),
    ((None, 28, 28, 1), (None, 10), "uint8", "dtype uint8"),
    ([(None, 28, 28, 1), (None, 28, 28, 1)], (None, 10), "float32", "exactly one input"),
])
def test_check_shapes_rejects(input_shape, output_shape, dtype: str, message: str) -> None:
    with pytest.raises(source.ModelError, match=message):
        source.check_shapes(input_shape, output_shape, dtype)


# --- export: the calibration set ------------------------------------------------------------------------------

def test_representative_set_draws_distinct_images_reproducibly() -> None:
    images = np.arange(1000, dtype=np.int64).reshape(1000, 1, 1) * np.ones((1, 2, 2), np.int64)
    picked = export.representative_set(images, 100)
    ids = picked[:, 0, 0]
    assert picked.shape == (100, 2, 2)
    assert len(np.unique(ids)) == 100  # no image twice
    assert np.array_equal(picked, export.representative_set(images, 100))  # same seed, same set
    assert not np.array_equal(ids, np.arange(100))  # drawn at random, not the first 100
    assert not np.array_equal(ids, export.representative_set(images, 100, seed=1)[:, 0, 0])


@pytest.mark.parametrize("count", [0, 11])
def test_representative_set_rejects_impossible_counts(count: int) -> None:
    with pytest.raises(ValueError):
        export.representative_set(np.zeros((10, 28, 28)), count)


def test_to_tflite_rejects_unknown_mode_and_int8_without_calibration() -> None:
    with pytest.raises(ValueError, match="unknown quantisation"):
        export.to_tflite(object(), "int4")
    with pytest.raises(ValueError, match="calibration"):
        export.to_tflite(object(), "int8", None)


# --- verify: quantisation arithmetic and the comparison -------------------------------------------------------

def test_quantize_maps_unit_range_onto_int8_exactly() -> None:
    pixels = np.arange(256, dtype=np.float32) / 255.0
    q = verify.quantize(pixels, 1 / 255, -128, np.int8)
    assert q.dtype == np.int8
    assert np.array_equal(q.astype(int), np.arange(256) - 128)


def test_quantize_clips_and_passes_float_through() -> None:
    q = verify.quantize(np.array([-1.0, 2.0], np.float32), 1 / 255, -128, np.int8)
    assert q.tolist() == [-128, 127]
    x = np.array([0.25, 0.5], np.float64)
    f = verify.quantize(x, 0.0, 0, np.float32)
    assert f.dtype == np.float32 and np.array_equal(f, x.astype(np.float32))


def test_dequantize_inverts_quantize_within_half_a_step() -> None:
    x = np.linspace(0, 1, 1001, dtype=np.float32)
    scale, zero = 1 / 256, -128
    back = verify.dequantize(verify.quantize(x, scale, zero, np.int8), scale, zero)
    inside = x <= (127 - zero) * scale  # values above the top step clip
    assert np.max(np.abs(back[inside] - x[inside])) <= scale / 2 + 1e-7


def test_compare_counts_accuracy_drop_and_agreement() -> None:
    labels = np.array([0, 1, 2, 3])
    keras_probs = np.eye(10)[[0, 1, 2, 9]]  # 3 of 4 right
    tflite_probs = np.eye(10)[[0, 1, 5, 8]]  # 2 of 4 right, agrees with keras on 2
    result = verify.compare(keras_probs, tflite_probs, labels, ms=0.5)
    assert result.samples == 4
    assert result.keras_accuracy == pytest.approx(0.75)
    assert result.tflite_accuracy == pytest.approx(0.5)
    assert result.drop_pp == pytest.approx(25.0)
    assert result.agreement == pytest.approx(0.5)
    better = verify.compare(tflite_probs, keras_probs, labels, ms=0.5)
    assert better.drop_pp == pytest.approx(-25.0)


def test_compare_reads_the_digit_a_none_output_leaves() -> None:
    labels = np.array([4, 4])
    keras_probs = np.array([[0.0] * 4 + [0.4] + [0.0] * 5 + [0.6]] * 2)  # none is likelier, 4 the likeliest digit
    tflite_probs = np.eye(11)[[4, 5]]
    result = verify.compare(keras_probs, tflite_probs, labels, ms=0.5)
    assert (result.keras_accuracy, result.tflite_accuracy, result.agreement) == (1.0, 0.5, 0.5)


def test_drop_at_the_limit_is_exact() -> None:
    """30 more misreads in 10000 is a drop of exactly 0.3 points, so the default limit lets it pass."""
    labels = np.zeros(10000, dtype=int)
    keras_probs = np.eye(10)[np.r_[np.ones(10, int), np.zeros(9990, int)]]
    tflite_probs = np.eye(10)[np.r_[np.ones(40, int), np.zeros(9960, int)]]
    result = verify.compare(keras_probs, tflite_probs, labels, ms=0.1)
    assert result.drop_pp == 0.3
    assert (0.9990 - 0.9960) * 100 != 0.3  # what subtracting accuracies would have given


def test_verification_dict_has_the_sidecar_keys() -> None:
    result = verify.Verification(10000, 0.9961234567, 0.9958, 0.031234567, 0.9994, 0.123456789)
    d = result.as_dict()
    assert list(d) == ["samples", "keras_accuracy", "tflite_accuracy", "drop_pp", "agreement", "ms_per_image"]
    assert d["keras_accuracy"] == 0.996123 and d["drop_pp"] == 0.0312 and d["ms_per_image"] == 0.1235


# --- sidecar ---------------------------------------------------------------------------------------------------

def _detail(dtype, scale: float, zero: int, signature: list[int]) -> dict:
    return {"dtype": dtype, "quantization": (np.float32(scale), np.int32(zero)),
            "shape_signature": np.array(signature, np.int32), "shape": np.array([1, *signature[1:]], np.int32)}


def test_sidecar_schema_and_values() -> None:
    content = b"\x00tflite bytes\xff"
    created = dt.datetime(2026, 11, 25, 13, 0, tzinfo=dt.timezone.utc)
    meta = sidecar.build(
        model_file="digits_int8.tflite", model_content=content, quant="int8",
        input_detail=_detail(np.int8, 1 / 255, -128, [-1, 28, 28, 1]),
        output_detail=_detail(np.int8, 1 / 256, -128, [-1, 10]),
        verification={"samples": 3}, source_file="digits.keras", source_sha256="ab" * 32, created=created,
    )
    assert list(meta) == ["format", "model_file", "sha256", "size_bytes", "quant", "labels", "input", "output",
                          "preprocessing", "verification", "source_model", "created"]
    assert meta["format"] == "digitcam-model/1"
    assert meta["sha256"] == sidecar.sha256_hex(content) and len(meta["sha256"]) == 64
    assert meta["size_bytes"] == len(content)
    assert meta["labels"] == [str(d) for d in range(10)]
    assert meta["input"] == {"shape": [-1, 28, 28, 1], "dtype": "int8",
                             "scale": pytest.approx(1 / 255), "zero_point": -128}
    assert meta["output"]["shape"] == [-1, 10] and meta["output"]["scale"] == 0.00390625
    assert type(meta["input"]["scale"]) is float and type(meta["input"]["zero_point"]) is int  # JSON-ready
    assert meta["preprocessing"]["size"] == [28, 28] and meta["preprocessing"]["range"] == [0.0, 1.0]
    assert meta["source_model"] == {"file": "digits.keras", "sha256": "ab" * 32}
    assert meta["created"] == "2026-11-25T13:00:00+00:00"


def test_sidecar_labels_a_none_output() -> None:
    meta = sidecar.build(
        model_file="m.tflite", model_content=b"x", quant="float32",
        input_detail=_detail(np.float32, 0.0, 0, [-1, 28, 28, 1]), output_detail=_detail(np.float32, 0.0, 0, [-1, 11]),
        verification={}, source_file="m.keras", source_sha256="ab" * 32,
    )
    assert meta["labels"] == [str(d) for d in range(10)] + ["none"]


def test_sidecar_float_tensor_has_zero_quantisation() -> None:
    entry = sidecar.tensor_entry(_detail(np.float32, 0.0, 0, [-1, 10]))
    assert entry == {"shape": [-1, 10], "dtype": "float32", "scale": 0.0, "zero_point": 0}


def test_sidecar_path_shares_the_stem() -> None:
    assert sidecar.path_for(Path("models/digits_int8.tflite")) == Path("models/digits_int8.json")


# --- cli: argument rules ---------------------------------------------------------------------------------------

def test_defaults_follow_the_contract() -> None:
    args = cli.parse_args([])
    assert args.model == Path("models/digits.keras")
    assert args.out == Path("models/digits_int8.tflite")
    assert (args.quant, args.max_drop) == ("int8", 0.3)
    assert 100 <= args.samples <= 1000


def test_default_out_is_named_for_model_and_mode() -> None:
    args = cli.parse_args(["elsewhere/net.keras", "--quant", "float16"])
    assert args.out == Path("elsewhere/net_float16.tflite")
    assert cli.parse_args(["--out", "x/y.tflite"]).out == Path("x/y.tflite")


@pytest.mark.parametrize("argv", [
    ["--max-drop", "-0.1"], ["--max-drop", "nan"], ["--samples", "0"], ["--out", "model.bin"], ["--quant", "int4"],
])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.parse_args(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.parse_args(["--help"])
    out = capsys.readouterr().out
    assert "(default: int8)" in out and "(default: 0.3)" in out and "models/digits_int8.tflite" in out


# --- quiet -----------------------------------------------------------------------------------------------------

def test_native_stderr_is_hidden(capfd: pytest.CaptureFixture[str]) -> None:
    with quiet.native_stderr():
        os.write(2, b"native chatter\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"


def test_native_stderr_is_replayed_when_the_block_fails(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError):
        with quiet.native_stderr():
            os.write(2, b"why it broke\n")
            raise RuntimeError("boom")
    assert capfd.readouterr().err == "why it broke\n"
