"""The classifier runs real TFLite models (float and int8, batch fixed or dynamic) exactly like Keras does."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edge.classify import Classifier, ModelError, as_one_digit
from edge.quant import dequantise, quantise
from tests import tflite_models

pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def crops() -> np.ndarray:
    rng = np.random.default_rng(0)
    x = np.zeros((7, 28, 28), np.float32)
    for i in range(7):
        y0, x0 = rng.integers(4, 12, 2)
        x[i, y0:y0 + 12, x0:x0 + 3] = 1.0
        x[i, y0:y0 + 3, x0:x0 + 10] = rng.uniform(0.3, 1.0)
    return x


@pytest.fixture(scope="module")
def keras_model():
    return tflite_models.tiny_keras()


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, keras_model, crops: np.ndarray) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    calibration = np.random.default_rng(1).uniform(0, 1, (32, 28, 28, 1)).astype(np.float32) ** 4
    return {
        "float32": tflite_models.convert(keras_model, folder / "float.tflite"),
        "int8": tflite_models.convert(keras_model, folder / "int8.tflite", "int8", calibration),
        "fixed": tflite_models.convert(tflite_models.tiny_keras(batch=1), folder / "fixed.tflite"),
        "flat": tflite_models.convert(tflite_models.tiny_keras((28, 28)), folder / "flat.tflite"),
    }


def test_quantise_round_trip_within_half_a_step() -> None:
    x = np.linspace(0, 1, 101, dtype=np.float32)
    q = quantise(x, 1 / 255, -128, np.int8)
    assert q.dtype == np.int8 and q.min() == -128 and q.max() == 127
    assert np.abs(dequantise(q, 1 / 255, -128) - x).max() <= 0.5 / 255 + 1e-7


def test_quantise_clips_and_float_passes_through() -> None:
    assert quantise(np.array([-5.0, 5.0]), 0.01, 0, np.int8).tolist() == [-128, 127]
    assert quantise(np.array([-5.0, 5.0]), 0.01, 0, np.uint8).tolist() == [0, 255]
    np.testing.assert_array_equal(quantise(np.array([0.25]), 0.0, 0, np.float32), [0.25])
    np.testing.assert_array_equal(dequantise(np.array([3], np.int8), 0.0, 0), [3.0])


def test_float_model_matches_keras(models, keras_model, crops) -> None:
    expected = keras_model.predict(crops[..., None], verbose=0)
    got = Classifier(models["float32"]).probabilities(crops)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_int8_model_is_close_to_keras(models, keras_model, crops) -> None:
    expected = keras_model.predict(crops[..., None], verbose=0)
    got = Classifier(models["int8"]).probabilities(crops)
    assert got.shape == (7, 10)
    assert np.abs(got - expected).max() < 0.08  # a few int8 output steps


@pytest.mark.parametrize("name", ["fixed", "flat"])
def test_fixed_batch_and_flat_input_models(models, keras_model, crops, name) -> None:
    reference = Classifier(models["float32"]).probabilities(crops)
    np.testing.assert_allclose(Classifier(models[name]).probabilities(crops), reference, atol=1e-5)


def test_batch_size_can_change_between_frames(models, crops) -> None:
    classifier = Classifier(models["int8"])
    all_at_once = classifier.probabilities(crops)
    np.testing.assert_array_equal(classifier.probabilities(crops[:2]), all_at_once[:2])
    assert classifier.probabilities(crops[:0]).shape == (0, 10)
    np.testing.assert_array_equal(classifier.probabilities(crops), all_at_once)


def test_sidecar_labels_are_read(models, tmp_path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(models["float32"].read_bytes())
    model.with_suffix(".json").write_text(json.dumps({"labels": list("abcdefghij")}))
    assert Classifier(model).labels == list("abcdefghij")


def test_a_none_output_is_left_out_so_what_the_network_takes_for_no_digit_is_doubted(tmp_path, crops) -> None:
    keras_model = tflite_models.tiny_keras(classes=11, seed=3)
    model = tflite_models.convert(keras_model, tmp_path / "none.tflite")
    model.with_suffix(".json").write_text(json.dumps({"labels": [str(d) for d in range(10)] + ["none"]}))
    classifier = Classifier(model)
    expected = keras_model.predict(crops[..., None], verbose=0)
    assert classifier.labels == [str(d) for d in range(10)]
    got = classifier.probabilities(crops)
    np.testing.assert_allclose(got, expected[:, :10], atol=1e-5)
    np.testing.assert_allclose(got.sum(axis=1), 1 - expected[:, 10], atol=1e-5)
    assert classifier.probabilities(crops[:0]).shape == (0, 10)
    model.with_suffix(".json").write_text(json.dumps({"labels": [str(d) for d in range(10)]}))
    with pytest.raises(ModelError, match="11 outputs for 10 labels"):
        Classifier(model)


def test_as_one_digit_scales_rows_to_one_and_keeps_a_ten_output_row() -> None:
    doubted = np.array([[0.05, 0.15, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9, 0.1, 0.0]], np.float32)
    scaled = as_one_digit(doubted)
    np.testing.assert_allclose(scaled[0, :2], [0.25, 0.75])
    np.testing.assert_allclose(scaled[1], doubted[1])
    assert as_one_digit(np.zeros((1, 10), np.float32)).max() == 0  # nothing at all stays nothing
    assert as_one_digit(np.zeros((0, 10), np.float32)).shape == (0, 10)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), (b"", "not a usable"), (b"\x00" * 1000, "not a usable"), (b"TFL3garbage", "not a usable")],
)
def test_bad_model_files(tmp_path, content, message) -> None:
    path = tmp_path / "bad.tflite"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=message) as err:
        Classifier(path)
    assert "\n" not in str(err.value)


def test_wrong_input_shape_is_rejected(tmp_path) -> None:
    from tensorflow import keras

    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    path = tflite_models.convert(model, tmp_path / "cifar.tflite")
    with pytest.raises(ModelError, match="input shape"):
        Classifier(path)


def test_edge_never_imports_tensorflow() -> None:
    code = ("import sys, edge.classify, edge.recognise, edge.read, edge.cli; "
            "from edge.runtime import interpreter_class; print(interpreter_class()[1]); "
            "print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["ai_edge_litert.interpreter", "False"]
