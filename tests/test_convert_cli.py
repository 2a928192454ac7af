"""`python -m convert` end to end on a tiny trained model: real conversion, real ai-edge-litert interpreter.

A small conv net (the product cnn's op types: conv, batch norm, ReLU, max-pool, dropout, dense softmax) is
trained for a few seconds on 2000 MNIST images; conversions verify on 1000 test images from a small npz cut
from $DIGITCAM_MNIST. Every test here skips when that variable is unset.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from convert import cli, export, sidecar, verify

pytestmark = pytest.mark.slow

MODES = ("int8", "float16", "dynamic", "float32")
TRAIN_IMAGES, TEST_IMAGES, CALIBRATION = 2000, 1000, 200
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_mnist(mnist_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cut of MNIST in the Keras npz layout, so each conversion loads and verifies quickly."""
    with np.load(mnist_path) as f:
        arrays = {"x_train": f["x_train"][:TRAIN_IMAGES], "y_train": f["y_train"][:TRAIN_IMAGES],
                  "x_test": f["x_test"][:TEST_IMAGES], "y_test": f["y_test"][:TEST_IMAGES]}
    path = tmp_path_factory.mktemp("data") / "small.npz"
    np.savez(path, **arrays)
    return path


def _unit(x: np.ndarray) -> np.ndarray:
    return (x.astype(np.float32) / 255.0)[..., None]


@pytest.fixture(scope="module")
def test_images(small_mnist: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(small_mnist) as f:
        return _unit(f["x_test"]), f["y_test"]


@pytest.fixture(scope="module")
def tiny_model(small_mnist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train the tiny net for 3 short epochs (a few seconds) and save it as .keras."""
    from tensorflow import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for filters in (8, 16):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization(momentum=0.8)(x)  # settles within the few steps we train
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Dropout(0.2)(keras.layers.Flatten()(x))
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    with np.load(small_mnist) as f:
        model.fit(_unit(f["x_train"]), f["y_train"], epochs=3, batch_size=64, verbose=0)
    path = tmp_path_factory.mktemp("model") / "tiny.keras"
    model.save(path)
    return path


@pytest.fixture(scope="module")
def keras_probs(tiny_model: Path, test_images: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    from tensorflow import keras

    model = keras.models.load_model(tiny_model, compile=False)
    return model.predict(test_images[0], batch_size=500, verbose=0)


@pytest.fixture(scope="module")
def conversions(tiny_model: Path, small_mnist: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run the CLI once per mode; the limit is generous because a 3-epoch net is not the product."""
    outputs = {}
    for mode in MODES:
        out = tmp_path_factory.mktemp(mode) / f"tiny_{mode}.tflite"
        code = cli.main([str(tiny_model), "--quant", mode, "--out", str(out), "--data", str(small_mnist),
                         "--samples", str(CALIBRATION), "--max-drop", "2"])
        assert code == 0, mode
        outputs[mode] = out
    return outputs


def _interpreter(path: Path):
    return verify.interpreter_for(path.read_bytes())


# --- conversions in every mode ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_outputs_match_keras_on_the_same_images(mode: str, conversions, keras_probs, test_images) -> None:
    out = conversions[mode]
    interpreter = _interpreter(out)
    probs = verify.predict(interpreter, test_images[0])
    diff = np.abs(probs - keras_probs)
    agreement = np.mean(probs.argmax(1) == keras_probs.argmax(1))
    if mode == "float32":  # the same float math, different kernels
        assert diff.max() < 1e-5
    elif mode == "float16":  # weights rounded to 11 significant bits
        assert diff.max() < 5e-3
    else:  # int8 weights (dynamic) or int8 everything: output steps of 1/256, errors accumulate layer by layer
        assert diff.mean() < 5e-3 and diff.max() < 0.15
        assert agreement >= 0.98
    output_dtype = interpreter.get_output_details()[0]["dtype"]
    assert np.dtype(output_dtype) == (np.int8 if mode == "int8" else np.float32)


def test_int8_is_full_integer(conversions) -> None:
    interpreter = _interpreter(conversions["int8"])
    for detail in (interpreter.get_input_details()[0], interpreter.get_output_details()[0]):
        assert np.dtype(detail["dtype"]) == np.int8 and detail["quantization"][0] > 0
    tensor_types = {np.dtype(t["dtype"]).name for t in interpreter.get_tensor_details()}
    assert "float32" not in tensor_types and "float16" not in tensor_types  # no float op hides inside


@pytest.mark.parametrize("mode", MODES)
def test_sidecar_matches_the_file(mode: str, conversions, tiny_model: Path, test_images) -> None:
    out = conversions[mode]
    content = out.read_bytes()
    meta = json.loads(sidecar.path_for(out).read_text())
    assert meta["format"] == "digitcam-model/1"
    assert meta["model_file"] == out.name
    assert meta["sha256"] == hashlib.sha256(content).hexdigest()
    assert meta["size_bytes"] == len(content) == out.stat().st_size
    assert meta["quant"] == mode
    assert meta["labels"] == [str(d) for d in range(10)]
    assert meta["source_model"] == {"file": tiny_model.name,
                                    "sha256": hashlib.sha256(tiny_model.read_bytes()).hexdigest()}
    interpreter = _interpreter(out)
    for key, detail in (("input", interpreter.get_input_details()[0]),
                        ("output", interpreter.get_output_details()[0])):
        scale, zero_point = detail["quantization"]
        assert meta[key]["shape"] == [int(d) for d in detail["shape_signature"]]
        assert meta[key]["dtype"] == np.dtype(detail["dtype"]).name
        assert meta[key]["scale"] == pytest.approx(float(scale), rel=1e-6)
        assert meta[key]["zero_point"] == int(zero_point)
    assert meta["input"]["shape"] == [-1, 28, 28, 1] and meta["output"]["shape"] == [-1, 10]
    if mode == "int8":  # [0, 1] mapped onto the whole int8 range
        assert meta["input"]["scale"] == pytest.approx(1 / 255, rel=1e-4) and meta["input"]["zero_point"] == -128
    else:
        assert (meta["input"]["scale"], meta["input"]["zero_point"]) == (0.0, 0)
    # The reported accuracy is what the written file really scores on the same images.
    images, labels = test_images
    accuracy = float(np.mean(verify.predict(interpreter, images).argmax(1) == labels))
    v = meta["verification"]
    assert v["samples"] == len(labels)
    assert v["tflite_accuracy"] == pytest.approx(accuracy, abs=1.5 / len(labels))
    assert v["drop_pp"] == pytest.approx((v["keras_accuracy"] - v["tflite_accuracy"]) * 100, abs=1e-3)
    assert 0.0 <= v["agreement"] <= 1.0 and v["ms_per_image"] > 0
    created = dt.datetime.fromisoformat(meta["created"])
    assert created.tzinfo is not None and abs(dt.datetime.now(dt.timezone.utc) - created).total_seconds() < 3600


@pytest.mark.parametrize("mode", MODES)
def test_resized_batch_gives_the_single_image_results(mode: str, conversions, test_images) -> None:
    """edge resizes the batch to classify all crops of a frame in one call; each row must equal a lone run."""
    out = conversions[mode]
    images = test_images[0][:7]
    batched = _interpreter(out)
    index = batched.get_input_details()[0]["index"]
    assert batched.get_input_details()[0]["shape_signature"][0] == -1
    batched.resize_tensor_input(index, [7, 28, 28, 1])
    batched.allocate_tensors()
    together = verify.predict(batched, images, batch=7)
    assert together.shape == (7, 10)
    assert list(batched.get_output_details()[0]["shape"]) == [7, 10]
    single = _interpreter(out)
    alone = np.concatenate([verify.predict(single, images[i:i + 1], batch=1) for i in range(7)])
    step = single.get_output_details()[0]["quantization"][0]
    assert np.abs(together - alone).max() <= max(step, 1e-5)


@pytest.mark.parametrize("mode", ["int8", "float32"])
def test_predict_handles_a_partial_last_batch(mode: str, conversions, test_images) -> None:
    out = conversions[mode]
    images = test_images[0][:10]
    whole = verify.predict(_interpreter(out), images, batch=10)
    chunked = verify.predict(_interpreter(out), images, batch=4)  # 4 + 4 + 2
    assert chunked.shape == (10, 10)
    assert np.allclose(chunked, whole, atol=1e-5)



# --- failures write nothing ---------------------------------------------------------------------------------

def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _damaging(convert_for_real):
    """A converter that breaks the model first (rotates the digits the last layer names), as a faulty
    conversion would: the drop it causes is real and measured, not injected into the figures."""
    def to_tflite(model, quant, calibration=None):
        from tensorflow import keras

        broken = keras.models.clone_model(model)
        broken.set_weights(model.get_weights())
        kernel, bias = broken.layers[-1].get_weights()
        broken.layers[-1].set_weights([np.roll(kernel, 1, axis=1), np.roll(bias, 1)])
        return convert_for_real(broken, quant, calibration)
    return to_tflite


def test_drop_over_the_limit_writes_nothing_and_keeps_the_old_model(
        tiny_model: Path, small_mnist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "digits_int8.tflite"
    out.write_bytes(b"the model the device runs now")
    sidecar.path_for(out).write_text('{"old": true}')
    before = _files(tmp_path)
    monkeypatch.setattr(export, "to_tflite", _damaging(export.to_tflite))
    code = cli.main([str(tiny_model), "--out", str(out), "--data", str(small_mnist), "--samples", "50"])
    captured = capfd.readouterr()
    assert code == cli.EXIT_FAILED
    assert _files(tmp_path) == before  # old model and sidecar untouched, no temp files left
    assert captured.err.strip().splitlines()[-1].startswith("convert: error: conversion lost")
    assert "nothing written" in captured.err
    assert "FAILED" in captured.out  # the table still shows why


def test_the_limit_decides(tiny_model: Path, small_mnist: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The same damaged conversion passes when the limit is above its drop: the check is the comparison."""
    out = tmp_path / "m.tflite"
    monkeypatch.setattr(export, "to_tflite", _damaging(export.to_tflite))
    code = cli.main([str(tiny_model), "--out", str(out), "--data", str(small_mnist), "--quant", "float32",
                     "--max-drop", "100"])
    assert code == 0
    v = json.loads(sidecar.path_for(out).read_text())["verification"]
    assert v["drop_pp"] > 30 and v["agreement"] < 0.5


def _save(model, path: Path) -> Path:
    model.save(path)
    return path


def _wrong_models(tmp_path: Path, tiny_model: Path) -> dict[str, tuple[Path, str]]:
    from tensorflow import keras

    from train.models import seed_model

    def dense(input_shape: tuple[int, ...], classes: int = 10):
        inputs = keras.Input(shape=input_shape)
        return keras.Model(inputs, keras.layers.Dense(classes, activation="softmax")(keras.layers.Flatten()(inputs)))

    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(tiny_model.read_bytes()[: tiny_model.stat().st_size // 2])
    bad_weights = tmp_path / "bad_weights.keras"
    with zipfile.ZipFile(tiny_model) as src, zipfile.ZipFile(bad_weights, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"\0" * len(data) if item.filename.endswith(".h5") else data)
    garbage = tmp_path / "garbage.keras"
    garbage.write_bytes(b"\x89HDF not a model")
    return {
        "missing": (tmp_path / "absent.keras", "no such model file"),
        "truncated": (truncated, "corrupt"),
        "garbage": (garbage, "corrupt"),
        "bad weights": (bad_weights, "cannot load"),
        "seed arch": (_save(seed_model(), tmp_path / "seed.keras"), "seed network"),
        "32x32 input": (_save(dense((32, 32, 1)), tmp_path / "big.keras"), "expected (None, 28, 28, 1)"),
        "5 classes": (_save(dense((28, 28, 1), 5), tmp_path / "five.keras"), "expected (None, 10)"),
    }


def test_bad_models_fail_with_one_line_and_exit_2(tiny_model: Path, small_mnist: Path, tmp_path: Path,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    models = tmp_path / "models"
    models.mkdir()
    cases = _wrong_models(models, tiny_model)
    out_dir = tmp_path / "out"
    for name, (path, message) in cases.items():
        out = out_dir / f"{name}.tflite"
        code = cli.main([str(path), "--out", str(out), "--data", str(small_mnist)])
        captured = capfd.readouterr()
        lines = captured.err.strip().splitlines()
        assert code == 2, name
        assert len(lines) == 1 and lines[0].startswith("convert: error: ") and message in lines[0], (name, lines)
        assert captured.out == "", name
        assert not out_dir.exists(), name  # not even the folder: nothing was written


def test_command_line_error_is_one_line_without_tensorflow_noise(tiny_model: Path, small_mnist: Path,
                                                                tmp_path: Path) -> None:
    """The real entry point, in a fresh process, where TensorFlow's import would print its C++ notices."""
    from train.models import seed_model

    seed = _save(seed_model(), tmp_path / "seed.keras")
    out = tmp_path / "out.tflite"
    run = subprocess.run([sys.executable, "-m", "convert", str(seed), "--out", str(out), "--data",
                          str(small_mnist)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert "seed network" in run.stderr
    assert not out.exists()


def test_bad_data_fails_with_one_line(tiny_model: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.tflite"
    code = cli.main([str(tiny_model), "--out", str(out), "--data", str(tmp_path / "absent.npz")])
    lines = capfd.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "MNIST not found" in lines[0]
    assert not out.exists()


def test_more_calibration_images_than_training_images_is_refused(tiny_model: Path, small_mnist: Path,
                                                                 tmp_path: Path,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.tflite"
    code = cli.main([str(tiny_model), "--out", str(out), "--data", str(small_mnist),
                     "--samples", str(TRAIN_IMAGES + 1)])
    lines = capfd.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "exceeds" in lines[0]
    assert not out.exists()


def test_a_failed_conversion_is_one_line_and_writes_nothing(tiny_model: Path, small_mnist: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    def refuse(model, quant, calibration=None):
        raise RuntimeError("op FANCY has no int8 kernel\n  at layer 3")

    monkeypatch.setattr(export, "to_tflite", refuse)
    out = tmp_path / "m.tflite"
    code = cli.main([str(tiny_model), "--out", str(out), "--data", str(small_mnist)])
    lines = capfd.readouterr().err.strip().splitlines()
    assert code == cli.EXIT_FAILED
    reason = "RuntimeError: op FANCY has no int8 kernel"  # the first line of the converter's message
    assert lines[-1] == f"convert: error: cannot convert {tiny_model} to int8: {reason}"
    assert list(tmp_path.iterdir()) == []
