"""Bad model files at every entry point (`edge read`, `edge run --check-config`, `edge bench`, `convert`): one line
naming the file and what is wrong, exit 2, no traceback, nothing written."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge import cli
from edge.classify import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sheet") / "sheet.png"
    cv2.imwrite(str(path), np.full((120, 160), 230, np.uint8))
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each bad model, and the words its error line must contain."""
    folder = tmp_path_factory.mktemp("models")
    shipped = DEFAULT_MODEL.read_bytes()
    files = {
        "truncated": shipped[: len(shipped) // 2],
        "random": np.random.default_rng(0).integers(0, 256, len(shipped), dtype=np.uint8).tobytes(),
        "text": b"this is a text file renamed .tflite\n",
        "empty": b"",
        "labels": shipped,
    }
    for name, content in files.items():
        (folder / f"{name}.tflite").write_bytes(content)
    (folder / "labels.json").write_text(json.dumps({"labels": 5}))  # a sidecar that is not what convert writes
    return {
        "missing": (folder / "absent.tflite", "model file not found"),
        "truncated": (folder / "truncated.tflite", "not a usable TFLite model"),
        "random": (folder / "random.tflite", "not a usable TFLite model"),
        "text": (folder / "text.tflite", "not a usable TFLite model"),
        "empty": (folder / "empty.tflite", "not a usable TFLite model"),
        "labels": (folder / "labels.tflite", "labels must be a list"),
    }


@pytest.fixture(scope="module")
def cifar_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real TFLite classifier of 32x32 colour pictures: a valid file with the wrong contract."""
    pytest.importorskip("tensorflow")
    from tensorflow import keras

    from tests import tflite_models

    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(10)])
    return tflite_models.convert(model, tmp_path_factory.mktemp("cifar") / "cifar.tflite")


def entry_points(model: Path, sheet: Path) -> dict[str, list[str]]:
    return {
        "read": ["read", "--model", str(model), str(sheet)],
        "check-config": ["run", "--model", str(model), "--check-config"],
        "bench": ["bench", "--model", str(model), "--source", str(sheet), "--frames", "5"],
    }


def assert_one_line(code: int, err: str, out: str, model: Path, words: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"edge: error: {model.with_suffix('.json') if words.startswith('labels') else model}")
    assert words in lines[0]


@pytest.mark.parametrize("command", ["read", "check-config", "bench"])
@pytest.mark.parametrize("kind", ["missing", "truncated", "random", "text", "empty", "labels"])
def test_a_bad_model_is_one_line_and_exit_2(models, sheet: Path, kind: str, command: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    model, words = models[kind]
    code = cli.main(entry_points(model, sheet)[command])
    captured = capsys.readouterr()
    assert_one_line(code, captured.err, captured.out, model, words)


@pytest.mark.parametrize("command", ["read", "check-config", "bench"])
def test_a_32x32_colour_classifier_is_refused_by_its_shape(cifar_model: Path, sheet: Path, command: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(entry_points(cifar_model, sheet)[command])
    captured = capsys.readouterr()
    assert_one_line(code, captured.err, captured.out, cifar_model, "input shape [1, 32, 32, 3] is not (N, 28, 28[, 1])")


@pytest.mark.parametrize("command", ["read", "check-config", "bench"])
def test_the_real_commands_say_it_without_a_traceback(models, sheet: Path, command: str) -> None:
    model, words = models["random"]
    result = subprocess.run([sys.executable, "-m", "edge", *entry_points(model, sheet)[command]], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    # the runtime may announce itself ("INFO: Created TensorFlow Lite XNNPACK delegate") before failing
    err = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("INFO: "))
    assert "Traceback" not in result.stderr
    assert_one_line(result.returncode, err, result.stdout, model, words)


@pytest.mark.parametrize(("name", "content", "words"), [
    ("text.keras", b"a text file renamed .keras\n", "corrupt or not a .keras model"),
    ("random.keras", np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes(), "corrupt"),
    ("empty.keras", b"", "corrupt"),
    ("digits.tflite", None, "expected a Keras 3 model file ending in .keras"),
    ("folder.keras", "folder", "not a file"),
])
def test_convert_refuses_what_is_not_a_keras_model_before_loading_tensorflow(tmp_path: Path, name: str,
                                                                            content: bytes | str | None,
                                                                            words: str) -> None:
    """Checked from the file alone: a wrong path fails in well under a second, not after TensorFlow's import."""
    source = tmp_path / name
    if content == "folder":
        source.mkdir()
    elif content is None:
        source.write_bytes(DEFAULT_MODEL.read_bytes())
    else:
        source.write_bytes(content)
    out = tmp_path / "out" / "m.tflite"
    code = ("import sys; from convert import cli; code = cli.main(sys.argv[1:]); "
            "print('tensorflow' in sys.modules, file=sys.stderr); sys.exit(code)")
    result = subprocess.run([sys.executable, "-c", code, str(source), "--out", str(out), "--data", "/nonexistent"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and result.stdout == ""
    assert lines[-1] == "False"  # TensorFlow never imported
    assert len(lines) == 2 and lines[0].startswith(f"convert: error: {source}: ") and words in lines[0], lines
    assert not out.parent.exists()
