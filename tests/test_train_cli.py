"""`python -m train`: a short real training run leaves a model that reloads, a complete report and plots;
bad input fails with one line and exit 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, mnist_path: Path) -> Path:
    from train.cli import main

    out = tmp_path_factory.mktemp("train") / "tiny.keras"
    code = main(["--arch", "mlp", "--epochs", "1", "--limit", "3000", "--data", str(mnist_path),
                 "--out", str(out), "--seed", "3"])
    assert code == 0
    return out


def test_cnn_short_run_saves_the_model_it_evaluated(tmp_path: Path, mnist_path: Path) -> None:
    from tensorflow import keras

    from train.cli import main

    out = tmp_path / "cnn.keras"
    assert main(["--epochs", "1", "--limit", "1000", "--data", str(mnist_path), "--out", str(out)]) == 0
    report = json.loads(out.with_name("cnn.report.json").read_text())
    assert report["arch"] == "cnn" and report["augmented"] and report["parameters"] <= 200_000
    model = keras.models.load_model(out)
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 11)  # ten digits and none
    with np.load(mnist_path) as f:
        x, y = f["x_test"], f["y_test"]
    probs = model.predict((x / 255.0).astype("float32")[..., None], batch_size=1000, verbose=0)
    assert (probs[:, :10].argmax(1) == y).mean() == pytest.approx(report["test_accuracy"], abs=1e-4)
    touching = report["touching"]
    assert touching["share"] == 0.1 and touching["test_marks"] == 2000
    assert 0 <= touching["test_marks_read_as_none"] <= 1
    assert touching["test_digits_read_as_none"] == int(np.sum(probs.argmax(1) == 10))
    assert report["data"]["train"] == round(1.1 * (1000 - round(1000 / 12)))  # a tenth more: touching marks


def test_report_has_every_field(trained: Path) -> None:
    report = json.loads(trained.with_name("tiny.report.json").read_text())
    for key in ("arch", "parameters", "epochs", "seconds", "seed", "test_accuracy", "test_loss",
                "per_class_accuracy", "confusion_matrix"):
        assert key in report, key
    assert report["arch"] == "mlp" and report["epochs"] == 1 and report["seed"] == 3
    assert len(report["data"]["sha256"]) == 64
    assert report["data"]["train"] + report["data"]["validation"] == 3000
    matrix = np.array(report["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == report["data"]["test"]
    assert report["test_accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum(), abs=1e-4)
    assert report["test_accuracy"] > 0.5  # one epoch on 3000 images already learns a lot


def test_plots_are_real_pngs(trained: Path) -> None:
    for name in ("curves", "confusion", "misread"):
        png = trained.with_name(f"tiny.{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000, name
    assert not list(trained.parent.glob(".*tmp*")), "temp files left behind"


def test_model_reloads_and_predicts(trained: Path, mnist_path: Path) -> None:
    from tensorflow import keras

    model = keras.models.load_model(trained)
    with np.load(mnist_path) as f:
        x, y = f["x_test"][:200], f["y_test"][:200]
    probs = model.predict((x / 255.0).astype("float32")[..., None], verbose=0)
    assert probs.shape == (200, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    assert (probs.argmax(axis=1) == y).mean() > 0.5


def test_seed_recipe_uses_tutorial_normalisation() -> None:
    from train.models import RECIPES

    recipe = RECIPES["seed"]
    x = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    prepared = recipe.prepare(x)
    # keras.utils.normalize(axis=1): every column of every image has unit L2 norm.
    norms = np.linalg.norm(prepared, axis=1)
    np.testing.assert_allclose(norms[norms > 0], 1.0, rtol=1e-5)
    model = recipe.build()
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten", "Dense", "Dense", "Dense"]
    assert (recipe.epochs, recipe.learning_rate) == (3, None)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "train", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_missing_data_is_one_line_exit_2(tmp_path: Path) -> None:
    result = _run("--data", str(tmp_path / "nope.npz"), "--out", str(tmp_path / "m.keras"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "nope.npz" in result.stderr
    assert not (tmp_path / "m.keras").exists()


def test_corrupt_data_from_environment_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    env = {"DIGITCAM_MNIST": str(bad)}
    result = _run("--out", str(tmp_path / "m.keras"), env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "bad.npz" in result.stderr
    assert not (tmp_path / "m.keras").exists()


def test_bad_flags_are_usage_errors(tmp_path: Path) -> None:
    assert _run("--epochs", "0").returncode == 2
    assert _run("--out", str(tmp_path / "model.h5")).returncode == 2
