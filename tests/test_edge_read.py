"""`python -m edge read`: the CLI contract (text and JSON lines, exit codes, --debug-dir) on real files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.classify import DEFAULT_MODEL
from tests.test_reliability_images import sheet, with_orientation

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")


def _edge(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edge", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def paint_digits(tmp_path_factory: pytest.TempPathFactory, mnist_path: Path) -> list[tuple[Path, int]]:
    """The tutorial's case: 28x28 black-on-white digits, as drawn in Paint (MNIST test digits inverted)."""
    folder = tmp_path_factory.mktemp("paint")
    with np.load(mnist_path) as f:
        x, y = f["x_test"][:20], f["y_test"][:20]
    files = []
    for i, (image, label) in enumerate(zip(x, y)):
        path = folder / f"paint{i}.png"
        cv2.imwrite(str(path), 255 - image)
        files.append((path, int(label)))
    return files


def test_paint_digits_are_read(paint_digits: list[tuple[Path, int]]) -> None:
    result = _edge("read", "--json", *[str(p) for p, _ in paint_digits])
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(p) for p, _ in paint_digits]
    correct = sum(line["text"] == str(label) for line, (_, label) in zip(lines, paint_digits))
    assert correct >= 18, [(line["text"], label) for line, (_, label) in zip(lines, paint_digits)]
    for line in lines:
        assert set(line) == {"file", "text", "digits", "ms"}
        for d in line["digits"]:
            assert set(d) == {"digit", "confidence", "box"} and 0 <= d["digit"] <= 9 and 0 <= d["confidence"] <= 1
            x, y, w, h = d["box"]
            assert 0 <= x and 0 <= y and x + w <= 28 and y + h <= 28


def _read_drawn(mnist_path: Path, folder: Path, count: int, seed: int, side: int) -> int:
    """How many of `count` MNIST test digits (picked with `seed`), drawn as black-on-white `side` x `side`
    images, `edge read` gets right."""
    with np.load(mnist_path) as f:
        pick = np.random.default_rng(seed).choice(len(f["y_test"]), count, replace=False)
        x, y = f["x_test"][pick], f["y_test"][pick]
    paths = []
    for i, image in enumerate(x):
        paths.append(folder / f"d{i}.png")
        cv2.imwrite(str(paths[-1]), cv2.resize(255 - image, (side, side), interpolation=cv2.INTER_CUBIC))
    result = _edge("read", "--json", *map(str, paths))
    assert result.returncode == 0, result.stderr
    texts = [json.loads(line)["text"] for line in result.stdout.splitlines()]
    return sum(text == str(label) for text, label in zip(texts, y))


def test_the_tutorials_case_reads_nearly_as_well_as_the_network_alone(mnist_path: Path, tmp_path: Path) -> None:
    """200 MNIST test digits as 28x28 Paint images: a drawing has no desk, no sheet edge and no texture, and a
    digit that reaches the image's edge (a 7's stem) or fills it thickly (a 6) is still the digit."""
    assert _read_drawn(mnist_path, tmp_path, 200, seed=0, side=28) >= 196  # the network alone: 99.7%


def test_digits_drawn_large_on_a_blank_canvas_are_read_like_small_ones(mnist_path: Path, tmp_path: Path) -> None:
    """A 200x200 canvas, the digit drawn large and thick across most of it, no noise: a drawing, not a photo of
    paper on a desk, though it is as large as a small photo."""
    assert _read_drawn(mnist_path, tmp_path, 50, seed=2, side=200) >= 48


def test_text_mode_and_a_bad_file_among_good_ones(paint_digits, tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    good = paint_digits[0][0]
    result = _edge("read", str(good), str(bad), str(tmp_path / "missing.png"))
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert out[0] == f"{good}: {paint_digits[0][1]}"
    assert out[1].startswith(f"{bad}: error: ") and out[2].startswith(f"{tmp_path / 'missing.png'}: error: ")
    assert "Traceback" not in result.stderr


def test_json_error_lines(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    result = _edge("read", "--json", str(empty))
    assert result.returncode == 1
    line = json.loads(result.stdout)
    assert line["file"] == str(empty) and "empty" in line["error"]


def test_blank_and_noise_images_give_no_digits(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    files = {"white": np.full((480, 640), 235, np.uint8), "black": np.zeros((480, 640), np.uint8),
             "noise": rng.integers(0, 256, (480, 640), dtype=np.uint8)}
    for name, image in files.items():
        cv2.imwrite(str(tmp_path / f"{name}.png"), image)
    result = _edge("read", "--json", *[str(tmp_path / f"{n}.png") for n in files])
    assert result.returncode == 0
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["", "", ""]


def test_bad_model_is_exit_2(tmp_path: Path, paint_digits) -> None:
    model = tmp_path / "model.tflite"
    model.write_text("this is a text file renamed .tflite")
    result = _edge("read", "--model", str(model), str(paint_digits[0][0]))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "model.tflite" in result.stderr


def test_debug_dir_shows_mask_boxes_and_crops(paint_digits, tmp_path: Path) -> None:
    path, _ = paint_digits[1]
    result = _edge("read", "--debug-dir", str(tmp_path / "debug"), str(path))
    assert result.returncode == 0, result.stderr
    for kind in ("mask", "boxes", "crops"):
        image = cv2.imread(str(tmp_path / "debug" / f"{path.stem}.{kind}.png"), cv2.IMREAD_UNCHANGED)
        assert image is not None and image.size > 0, kind
    crops = cv2.imread(str(tmp_path / "debug" / f"{path.stem}.crops.png"), cv2.IMREAD_GRAYSCALE)
    assert crops.max() > 200  # the crop the model saw has bright ink


def test_a_phone_photo_stored_sideways_reads_as_it_is_shown(tmp_path: Path) -> None:
    """Phones store a portrait photo on its side with an EXIF note to turn it; the reader must turn it."""
    picture = sheet(text="735")
    sideways = cv2.imencode(".jpg", cv2.rotate(picture, cv2.ROTATE_90_COUNTERCLOCKWISE))[1].tobytes()
    (tmp_path / "phone.jpg").write_bytes(with_orientation(sideways, 6))
    cv2.imwrite(str(tmp_path / "upright.jpg"), picture)
    out = _edge("read", "--json", str(tmp_path / "upright.jpg"), str(tmp_path / "phone.jpg"))
    upright, phone = (json.loads(line) for line in out.stdout.splitlines())
    assert upright["text"] == "735"
    assert phone["text"] == upright["text"]
