"""The photo generator (`python -m tests.photos`) and its scoring harness (`python -m tests.photos.evaluate`).

The generator is judged the way its users depend on it: same seed, same photos; every truth box sits on ink;
empty kinds say so; pens have the width asked for; a clip moves only slightly between frames. The harness's
`score` is checked on hand-made readings, one rule at a time.
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.photos import __main__ as cli
from tests.photos import evaluate
from tests.photos.camera import Light, Optics, aim, homography, lay_desk, photograph, truth_box
from tests.photos.clip import frames
from tests.photos.generate import make_photo
from tests.photos.handwriting import MnistGlyphs, MnistShapes, StrokeGlyphs, thin
from tests.photos.paper import write_sheet

ROOT = Path(__file__).resolve().parents[1]
SIZE = (640, 480)


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)


def _ink_contrast(grey: np.ndarray, box: list[int]) -> float:
    """How much darker the darkest pixels in `box` are than the paper in a ring around it (share of paper)."""
    x, y, w, h = box
    m = max(4, int(0.3 * max(w, h)))
    x0, y0, x1, y1 = max(0, x - m), max(0, y - m), min(grey.shape[1], x + w + m), min(grey.shape[0], y + h + m)
    ring = np.ones((y1 - y0, x1 - x0), bool)
    ring[y - y0:y - y0 + h, x - x0:x - x0 + w] = False
    paper = float(np.median(grey[y0:y1, x0:x1][ring]))
    return (paper - float(np.percentile(grey[y:y + h, x:x + w], 3))) / paper


@pytest.fixture(scope="module")
def sheets() -> list:
    return [make_photo(np.random.default_rng([21, i]), "sheets", StrokeGlyphs(), SIZE) for i in range(8)]


def test_same_seed_same_photo_other_seed_other_photo() -> None:
    a = make_photo(np.random.default_rng([4, 0]), "sheets", StrokeGlyphs(), SIZE)
    b = make_photo(np.random.default_rng([4, 0]), "sheets", StrokeGlyphs(), SIZE)
    c = make_photo(np.random.default_rng([4, 1]), "sheets", StrokeGlyphs(), SIZE)
    assert a.jpeg == b.jpeg and a.text == b.text and a.boxes == b.boxes
    assert a.jpeg != c.jpeg


def test_truth_has_one_box_per_digit_inside_the_image(sheets: list) -> None:
    for photo in sheets:
        rows = photo.text.split("\n")
        assert 1 <= len(rows) <= 2 and all(r.isdigit() for r in rows)
        assert 1 <= len(photo.boxes) == len(photo.text.replace("\n", "")) <= 10
        assert photo.image.shape == (SIZE[1], SIZE[0], 3)
        for x, y, w, h in photo.boxes:
            assert x >= 0 and y >= 0 and x + w <= SIZE[0] and y + h <= SIZE[1]
            assert h >= 15, "digits are legible, not specks"


def test_truth_boxes_land_on_ink(sheets: list) -> None:
    contrasts = []
    for photo in sheets:
        grey = _grey(photo.image)
        contrasts += [_ink_contrast(grey, box) for box in photo.boxes]
    assert min(contrasts) > 0.08, "every box holds something clearly darker than the paper around it"
    assert np.median(contrasts) > 0.3


def test_boxes_are_tight_around_the_ink_under_clean_conditions() -> None:
    """With even light and a perfect lens the truth box is the ink's bounding box, to a pixel or two."""
    rng = np.random.default_rng(8)
    flat = Light(0.0, 1.0, (0.5, 0.5, 0.3, 0.0), 0.0, (), 0.05, 0.0, 0.0, (1.0, 1.0, 1.0), 1.0)
    clean = Optics(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 95)
    for _ in range(4):
        sheet = write_sheet(rng, StrokeGlyphs(), digits=1)
        pose = aim(rng, SIZE, sheet.block, sheet.outlines, sheet.digit_heights)
        image = photograph(sheet, lay_desk(rng, pose, SIZE), pose, SIZE, flat, clean, rng)
        x, y, w, h = truth_box(homography(pose, SIZE), sheet.outlines[0], SIZE)
        grey = _grey(image)
        paper = np.median(grey[y:y + h, x:x + w])
        ys, xs = np.nonzero(grey[max(0, y - 20):y + h + 20, max(0, x - 20):x + w + 20] < 0.6 * paper)
        ys, xs = ys + max(0, y - 20), xs + max(0, x - 20)
        assert abs(xs.min() - x) <= 2 and abs(ys.min() - y) <= 2
        assert abs(xs.max() + 1 - (x + w)) <= 2 and abs(ys.max() + 1 - (y + h)) <= 2


@pytest.mark.parametrize("kind", ["blank", "texture", "noise"])
def test_empty_kinds_have_empty_truth(kind: str) -> None:
    photo = make_photo(np.random.default_rng([5, 0]), kind, None, SIZE)
    assert photo.text == "" and photo.boxes == [] and photo.kind == kind
    assert photo.image.shape == (SIZE[1], SIZE[0], 3)
    assert photo.image.std() > 1.0, "a real picture, not a flat fill"


def test_touching_digits_overlap_where_default_digits_keep_apart() -> None:
    def gaps(touching: bool) -> list[int]:
        out = []
        for i in range(4):
            sheet = write_sheet(np.random.default_rng([6, i]), StrokeGlyphs(), touching=touching, digits=6)
            rows = sheet.text.split("\n")
            spans = [(o[:, 0].min(), o[:, 0].max()) for o in sheet.outlines]
            k = 0
            for row in rows:
                out += [spans[k + j + 1][0] - spans[k + j][1] for j in range(len(row) - 1)]
                k += len(row)
        return out

    assert min(gaps(False)) > 0
    assert min(gaps(True)) < 0


def test_thinning_leaves_a_one_pixel_centre_line() -> None:
    bar = np.zeros((30, 60), bool)
    bar[10:20, 5:55] = True
    line = thin(bar)
    assert line[:, 15:45].sum(axis=0).tolist() == [1] * 30
    assert 40 <= line.sum() <= 52


@pytest.mark.parametrize("pen", [3.0, 8.0, 16.0])
def test_strokes_are_drawn_with_the_pen_width_asked_for(pen: float) -> None:
    rng = np.random.default_rng(int(pen))
    for digit in (0, 3, 7):
        ink = StrokeGlyphs().draw(digit, rng, 120.0, pen)
        width = ink.sum() / thin(ink > 0.5).sum()  # area over centre-line length
        assert width == pytest.approx(pen, rel=0.3)
        assert ink.shape[0] - 4 == pytest.approx(120.0, rel=0.1)


def test_mnist_test_digits_become_pen_strokes(mnist_path: Path) -> None:
    source = MnistGlyphs.from_path(mnist_path)
    rng = np.random.default_rng(3)
    for digit in range(10):
        ink = source.draw(digit, rng, 100.0, 5.0)
        assert ink.shape[0] - 4 == pytest.approx(100.0, rel=0.15)
        assert ink.sum() / thin(ink > 0.5).sum() == pytest.approx(5.0, rel=0.35)
        count, _ = cv2.connectedComponents((ink > 0.5).astype(np.uint8))
        assert count - 1 <= 3, "strokes stay whole, no stray specks"


def _nine_with_a_filled_loop() -> np.ndarray:
    """A 28x28 MNIST-like 9 whose loop is written as one solid blob, as many MNIST 9s are."""
    image = np.zeros((28, 28), np.uint8)
    cv2.circle(image, (14, 9), 5, 255, -1)
    cv2.line(image, (18, 11), (16, 24), 255, 2)
    return image


def test_mnist_shapes_keep_a_filled_loop_that_a_centre_line_loses() -> None:
    images, labels = _nine_with_a_filled_loop()[None], np.array([9])
    shape = MnistShapes(images, labels).draw(9, np.random.default_rng(0), 100.0, 4.0)
    redrawn = MnistGlyphs(images, labels).draw(9, np.random.default_rng(0), 100.0, 4.0)
    for ink in (shape, redrawn):
        assert ink.shape[0] - 4 == pytest.approx(100.0, abs=3)

    def loop_filled(ink: np.ndarray) -> float:
        """Inked share of the middle of the loop (a disc a third of the loop's width)."""
        scale = (ink.shape[0] - 4) / 21  # the 9 is 21 px tall in MNIST pixels
        y, x = np.ogrid[:ink.shape[0], :ink.shape[1]]
        cy, cx = 2 + 5 * scale, ink.shape[1] / 2 - scale
        return float(ink[(y - cy) ** 2 + (x - cx) ** 2 <= (1.6 * scale) ** 2].mean())

    assert loop_filled(shape) > 0.95
    assert loop_filled(redrawn) < 0.5, "the centre-line source loses the blob: the reason mnist-shape exists"


@pytest.mark.parametrize("pen", [3.0, 8.0, 14.0])
def test_mnist_shapes_move_the_outline_to_the_pen_width_asked_for(pen: float) -> None:
    ring = np.zeros((28, 28), np.uint8)
    cv2.ellipse(ring, (14, 14), (6, 9), 0, 0, 360, 255, 2)  # a 0 with MNIST's stroke of about 2 px
    ink = MnistShapes(ring[None], np.array([0])).draw(0, np.random.default_rng(1), 120.0, pen)
    assert ink.sum() / thin(ink > 0.5).sum() == pytest.approx(pen, rel=0.3)
    assert ink.shape[0] - 4 == pytest.approx(120.0, abs=3)
    count, _ = cv2.connectedComponents((ink > 0.5).astype(np.uint8))
    assert count - 1 == 1, "one stroke, whole"


def test_clip_frames_sway_slightly_within_a_scene() -> None:
    shots = list(frames(2, StrokeGlyphs(), (320, 240), count=6, fps=2.0, hold=2.0))
    assert len(shots) == 6
    scene = shots[:4]
    assert len({s.text for s in scene}) == 1
    assert not np.array_equal(scene[0].image, scene[1].image)
    assert scene[0].boxes, "this seed's first scene is a sheet with digits"
    moves = [np.abs(np.asarray(a.boxes) - np.asarray(b.boxes))[:, :2].max() for a, b in zip(scene, scene[1:])]
    assert all(m < 20 for m in moves), "a sway, not a jump"
    assert max(moves) > 0, "the camera does move"


def test_cli_writes_images_and_truth_and_is_prefix_stable(tmp_path: Path) -> None:
    args = ["--count", "3", "--source", "strokes", "--size", "320x240", "--seed", "9", "--kind", "all"]
    assert cli.main(["--out", str(tmp_path / "a"), *args]) == 0
    truth = json.loads((tmp_path / "a" / "truth.json").read_text())
    assert sorted(truth) == ["0000.jpg", "0001.jpg", "0002.jpg"]
    for name, entry in truth.items():
        image = cv2.imread(str(tmp_path / "a" / name))
        assert image.shape == (240, 320, 3)
        assert len(entry["boxes"]) == len(entry["text"].replace("\n", ""))
    short = ["--count", "2", *args[2:]]
    assert cli.main(["--out", str(tmp_path / "b"), *short]) == 0
    for name in ("0000.jpg", "0001.jpg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_digit_height_puts_the_digits_in_the_range_asked(tmp_path: Path) -> None:
    """--digit-height says how tall the digits come out in the image (a camera far from the writing); without
    it the digits are never as small as that."""
    def heights(extra: list[str], out: Path) -> list[float]:
        assert cli.main(["--out", str(out), "--count", "6", "--source", "strokes", "--kind", "sheets",
                         "--size", "640x480", "--seed", "3", *extra]) == 0
        truth = json.loads((out / "truth.json").read_text())
        return [float(np.median([b[3] for b in entry["boxes"]])) / 480 for entry in truth.values()]
    small = heights(["--digit-height", "0.025-0.04"], tmp_path / "small")
    assert all(0.02 <= h <= 0.05 for h in small), small
    assert min(heights([], tmp_path / "auto")) > 0.045


def test_cli_png_and_clip_video(tmp_path: Path) -> None:
    assert cli.main(["--out", str(tmp_path), "--count", "3", "--source", "strokes", "--kind", "clip",
                     "--size", "160x120", "--format", "png", "--fps", "5"]) == 0
    assert cv2.imread(str(tmp_path / "0002.png")).shape == (120, 160, 3)
    video = cv2.VideoCapture(str(tmp_path / "clip.mp4"))
    count = 0
    while video.read()[0]:
        count += 1
    assert count == 3
    assert not list(tmp_path.glob(".*tmp*")), "no temp files left behind"


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--out", str(tmp_path), "--count", "0"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        cli.main(["--out", str(tmp_path), "--size", "big"])
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
    for bad in ("small", "0.05-0.02", "0-0.5"):
        with pytest.raises(SystemExit):
            cli.main(["--out", str(tmp_path), "--digit-height", bad])
        assert "--digit-height" in capsys.readouterr().err
    monkeypatch.delenv("DIGITCAM_MNIST", raising=False)
    assert cli.main(["--out", str(tmp_path), "--count", "1", "--source", "mnist"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DIGITCAM_MNIST" in err and "Traceback" not in err
    assert cli.main(["--out", str(tmp_path), "--count", "1", "--source", "mnist", "--data", str(tmp_path / "x")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "truth.json").exists()


# ---- scoring ---------------------------------------------------------------------------------------------------

def _truth(*texts: str) -> dict:
    return {f"{i}.jpg": {"text": t, "boxes": []} for i, t in enumerate(texts)}


def _read(*texts: str | None) -> dict:
    return {f"{i}.jpg": ({"text": t, "digits": [], "ms": float(i)} if t is not None else {"error": "unreadable"})
            for i, t in enumerate(texts)}


@pytest.mark.parametrize("a,b,d", [("", "", 0), ("123", "123", 0), ("123", "124", 1), ("123", "13", 1),
                                   ("12", "132", 1), ("1234", "4321", 4), ("", "55", 2), ("7?", "77", 1)])
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert evaluate.edit_distance(a, b) == d
    assert evaluate.edit_distance(b, a) == d


def test_perfect_readings_score_perfectly() -> None:
    result = evaluate.score(_truth("12\n345", "7"), _read("12\n345", "7"))
    assert result["digit_accuracy"] == 1.0 and result["exact_rate"] == 1.0
    assert result["sheets"] == 2 and result["digits"] == 6 and result["failed"] == []


def test_question_mark_counts_as_wrong() -> None:
    result = evaluate.score(_truth("1234"), _read("12?4"))
    assert result["digit_errors"] == 1 and result["digit_accuracy"] == 0.75 and result["exact_rate"] == 0.0


def test_missing_and_extra_digits_cost_one_each() -> None:
    result = evaluate.score(_truth("12345", "678"), _read("1245", "6788"))
    assert result["digit_errors"] == 2
    assert result["digit_accuracy"] == pytest.approx(1 - 2 / 8)
    assert result["exact_sheets"] == 0


def test_row_breaks_matter_for_exact_sheets_only() -> None:
    result = evaluate.score(_truth("12\n345", "12\n345"), _read("12345", "12\n345\n"))
    assert result["digit_accuracy"] == 1.0
    assert result["exact_sheets"] == 1, "a trailing newline is not a row; a missing break is an error"
    assert [w["file"] for w in result["worst"] if not w["exact"]] == ["0.jpg"]


def test_failed_files_lose_all_their_digits() -> None:
    truth = _truth("123", "45")
    result = evaluate.score(truth, {**_read("123", None)})
    assert result["digit_errors"] == 2 and [f["file"] for f in result["failed"]] == ["1.jpg"]
    result = evaluate.score(truth, _read("123"))
    assert result["failed"] == [{"file": "1.jpg", "error": "no reading"}]


def test_digits_on_empty_images_are_false_digits() -> None:
    truth = {**_truth("12"), "b.jpg": {"text": "", "boxes": [], "kind": "blank"},
             "n.jpg": {"text": "", "boxes": [], "kind": "noise"}}
    readings = {**_read("12"), "b.jpg": {"text": "", "digits": []}, "n.jpg": {"text": "1?\n7", "digits": []}}
    result = evaluate.score(truth, readings)
    assert result["empty_images"] == 2 and result["false_digits"] == 3 and result["empty_with_digits"] == 1
    assert result["sheets"] == 1 and result["digit_accuracy"] == 1.0


def test_median_ms_located_digits_and_conditions() -> None:
    truth = {
        "a.jpg": {"text": "12", "boxes": [[0, 0, 10, 20], [20, 0, 10, 20]], "conditions": {"pen": "marker"}},
        "b.jpg": {"text": "3", "boxes": [[5, 5, 10, 20]], "conditions": {"pen": "pencil"}},
    }
    readings = {
        "a.jpg": {"text": "12", "ms": 2.0, "digits": [{"digit": 1, "confidence": 1.0, "box": [1, 1, 9, 18]},
                                                      {"digit": 2, "confidence": 1.0, "box": [60, 0, 10, 20]}]},
        "b.jpg": {"text": "8", "ms": 6.0, "digits": [{"digit": 8, "confidence": 0.6, "box": [4, 6, 12, 19]}]},
    }
    result = evaluate.score(truth, readings)
    assert result["median_ms"] == 4.0
    assert result["located_rate"] == pytest.approx(2 / 3)
    assert result["by_condition"]["pen"]["marker"]["digit_accuracy"] == 1.0
    assert result["by_condition"]["pen"]["pencil"]["digit_accuracy"] == 0.0


def test_evaluate_cli_scores_saved_readings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "truth.json").write_text(json.dumps(_truth("12", "")))
    lines = [json.dumps({"file": str(tmp_path / "0.jpg"), "text": "12", "digits": [], "ms": 3.0}),
             json.dumps({"file": "1.jpg", "text": "", "digits": [], "ms": 3.5}), "not json"]
    (tmp_path / "read.jsonl").write_text("\n".join(lines) + "\n")
    report = tmp_path / "report.json"
    code = evaluate.main([str(tmp_path), "--readings", str(tmp_path / "read.jsonl"), "--report", str(report),
                          "--check"])
    out = capsys.readouterr().out
    assert code == 0 and "digit accuracy    100.00%" in out and "not a reading" in out
    saved = json.loads(report.read_text())
    assert saved["exact_rate"] == 1.0 and saved["false_digits"] == 0 and len(saved["protocol_problems"]) == 1
    (tmp_path / "read.jsonl").write_text(lines[0].replace('"12"', '"1"') + "\n")
    assert evaluate.main([str(tmp_path), "--readings", str(tmp_path / "read.jsonl"), "--check"]) == 1


def test_a_set_of_only_empty_images_is_judged_on_false_digits_alone(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "truth.json").write_text(json.dumps({"t.jpg": {"text": "", "boxes": [], "kind": "texture"}}))
    saved = tmp_path / "read.jsonl"
    saved.write_text(json.dumps({"file": "t.jpg", "text": "", "digits": [], "ms": 3.0}) + "\n")
    assert evaluate.main([str(tmp_path), "--readings", str(saved), "--check"]) == 0
    out = capsys.readouterr().out
    assert "MISSED" not in out and out.count("no sheets") == 2
    saved.write_text(json.dumps({"file": "t.jpg", "text": "7", "digits": [], "ms": 3.0}) + "\n")
    assert evaluate.main([str(tmp_path), "--readings", str(saved), "--check"]) == 1
    assert "false digits on 1 of them (target 0: MISSED)" in capsys.readouterr().out


def test_evaluate_without_truth_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "truth.json" in err


@pytest.mark.skipif(not (ROOT / "edge" / "__main__.py").exists(), reason="edge's CLI is not written yet")
def test_evaluate_runs_edge_on_generated_photos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not (ROOT / "models" / "digits_int8.tflite").exists():
        pytest.skip("no shipped model to read with")
    assert cli.main(["--out", str(tmp_path), "--count", "4", "--source", "strokes", "--kind", "all",
                     "--size", "640x480", "--seed", "2"]) == 0
    report = tmp_path / "report.json"
    assert evaluate.main([str(tmp_path), "--report", str(report)]) == 0
    result = json.loads(report.read_text())
    assert result["failed"] == [] and result["protocol_problems"] == []
    assert result["median_ms"] is not None and result["median_ms"] > 0
    assert result["sheets"] + result["empty_images"] == 4
