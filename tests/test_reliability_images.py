"""Bad and odd images through `edge read` and the still-image sources: no crash, a sensible line for each,
bounded memory (measured on the real process), huge pictures scaled down, decompression bombs refused."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge import images
from edge.classify import DEFAULT_MODEL
from edge.sources import SourceEnded
from edge.sources.files import MAX_SIDE, FolderSource, ImageSource

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model"), pytest.mark.timeout(120)]


def sheet(height: int = 480, width: int = 640, text: str = "73") -> np.ndarray:
    """Dark digits on light paper, BGR."""
    image = np.full((height, width, 3), 225, np.uint8)
    scale = height / 70
    cv2.putText(image, text, (width // 4, height * 2 // 3), cv2.FONT_HERSHEY_SIMPLEX, scale, (35, 35, 35),
                max(2, round(scale * 3)))
    return image


def png_claiming(width: int, height: int, rows: int) -> bytes:
    """A valid grey PNG header for width x height and `rows` rows of zeros: a few KB that claim a huge picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(bytes(width + 1)) for _ in range(rows)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def odd_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("odd")
    colour = sheet()
    jpeg = cv2.imencode(".jpg", colour)[1].tobytes()
    png = cv2.imencode(".png", colour)[1].tobytes()
    rng = np.random.default_rng(0)
    idat = png.index(b"IDAT") - 4
    raw: dict[str, bytes] = {
        "idat_claims_3GB.png": png[:idat] + (3_187_671_491).to_bytes(4, "big") + png[idat + 4:],  # one flipped byte
        "empty.png": b"",
        "text.jpg": b"Dear reader, this is not a picture.\n" * 20,
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "truncated.png": png[: len(png) // 2],
        "header_only.png": png[:40],
        "claims_40000x40000.png": png_claiming(40000, 40000, 1),
        "bomb_12000x12000.png": png_claiming(12000, 12000, 12000),  # 140 KB that would decode to 144 MB
    }
    for name, content in raw.items():
        (folder / name).write_bytes(content)
    pictures: dict[str, np.ndarray] = {
        "colour.png": colour,
        "grey.png": cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY),
        "16bit.png": colour.astype(np.uint16) * 257,
        "rgba.png": np.dstack([colour, np.full(colour.shape[:2], 255, np.uint8)]),
        "transparent.png": np.zeros((480, 640, 4), np.uint8),
        "one_pixel.png": np.zeros((1, 1), np.uint8),
        "one_colour_pixel.jpg": np.full((1, 1, 3), 255, np.uint8),
        "thread.png": np.full((5000, 3), 200, np.uint8),
        "black.png": np.zeros((480, 640), np.uint8),
        "white.png": np.full((480, 640, 3), 255, np.uint8),
        "noise.png": rng.integers(0, 256, (480, 640, 3), dtype=np.uint8),
        "float.tiff": rng.random((100, 100)).astype(np.float32),
    }
    for name, picture in pictures.items():
        assert cv2.imwrite(str(folder / name), picture), name
    big = sheet(10000, 10000, "42")  # a 300 MB colour scan as decoded; a 2 MB JPEG on disk
    assert cv2.imwrite(str(folder / "scan_10000x10000.jpg"), big, [cv2.IMWRITE_JPEG_QUALITY, 80])
    del big
    (folder / "a_folder.png").mkdir()
    return {p.name: p for p in folder.iterdir()}


# `python -m edge`, reporting its peak RSS on the way out. Not getrusage: Linux folds the memory of the process that
# forked the child (this test run, hundreds of MB) into the child's ru_maxrss at exec; /proc's VmHWM is its own.
LAUNCH = """
import atexit, runpy, sys
def peak():
    with open("/proc/self/status") as f:
        print(next(line for line in f if line.startswith("VmHWM:")).strip(), file=sys.stderr)
atexit.register(peak)
sys.argv[0] = "edge"
runpy.run_module("edge", run_name="__main__", alter_sys=True)
"""


def run_measured(args: list[str]) -> tuple[int, str, str, float]:
    """Run `python -m edge ARGS`; exit code, stdout, stderr and the process's own peak RSS in MB."""
    result = subprocess.run([sys.executable, "-c", LAUNCH, *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=100)
    *err, peak = result.stderr.splitlines()
    assert peak.startswith("VmHWM:") and peak.endswith(" kB"), result.stderr
    return result.returncode, result.stdout, "\n".join(err), int(peak.split()[1]) / 1024


ERRORS = {
    "idat_claims_3GB.png": "truncated or corrupt PNG (its 'IDAT' chunk claims 3,187,671,491 bytes",
    "empty.png": "empty file",
    "text.jpg": "not an image OpenCV can decode",
    "truncated.jpg": "not an image OpenCV can decode",
    "truncated.png": "truncated or corrupt PNG",
    "header_only.png": "truncated PNG",
    "claims_40000x40000.png": "declares more than 120,000,000 pixels",
    "bomb_12000x12000.png": "declares more than 120,000,000 pixels",
    "a_folder.png": "Is a directory",
}
BLANK = ["transparent.png", "one_pixel.png", "one_colour_pixel.jpg", "thread.png", "black.png", "white.png",
         "noise.png", "float.tiff"]
SAME_AS_COLOUR = ["grey.png", "16bit.png", "rgba.png"]


def test_every_odd_image_gets_one_sensible_line_in_bounded_memory(odd_files: dict[str, Path]) -> None:
    names = list(ERRORS) + BLANK + ["colour.png"] + SAME_AS_COLOUR + ["scan_10000x10000.jpg"]
    code, out, err, peak_mb = run_measured(["read", "--json", *[str(odd_files[n]) for n in names]])
    assert code == 1  # some files failed; every other one was still read
    assert "Traceback" not in err and "WARN" not in err, err  # OpenCV's own complaints are not passed on
    lines = {Path(line["file"]).name: line for line in map(json.loads, out.splitlines())}
    assert list(lines) == names  # one line per file, in order
    for name, words in ERRORS.items():
        assert words in lines[name]["error"], (name, lines[name])
    for name in BLANK:
        assert lines[name]["text"] == "" and lines[name]["digits"] == [], (name, lines[name])
    colour = lines["colour.png"]
    assert len(colour["digits"]) == 2
    for name in SAME_AS_COLOUR:
        assert [d["digit"] for d in lines[name]["digits"]] == [d["digit"] for d in colour["digits"]], name
        assert [d["box"] for d in lines[name]["digits"]] == [d["box"] for d in colour["digits"]], name
    scan = lines["scan_10000x10000.jpg"]
    assert len(scan["digits"]) == 2 and all(d["box"][3] > 2000 for d in scan["digits"])  # boxes in the scan's pixels
    # Decoded straight to grey, a 10000x10000 colour scan costs 100 MB, not 300 MB and its grey copy on top
    # (~690 MB in all before); the 144-megapixel bomb is refused from its header, before anything is allocated.
    assert peak_mb < 400, peak_mb


@pytest.mark.parametrize("name", ["bomb_12000x12000.png", "idat_claims_3GB.png"])
def test_a_bomb_alone_costs_no_memory(odd_files: dict[str, Path], name: str) -> None:
    """A small file that claims a huge picture, or a huge chunk (OpenCV alone: 144 MB; 3.2 GB and 9 s)."""
    code, out, _, bomb_mb = run_measured(["read", "--json", str(odd_files[name])])
    _, _, _, blank_mb = run_measured(["read", "--json", str(odd_files["one_pixel.png"])])
    assert code == 1 and ERRORS[name] in json.loads(out)["error"]
    assert bomb_mb < blank_mb + 30, (bomb_mb, blank_mb)


def test_the_pixel_limit_opencv_is_given_is_the_one_edge_states() -> None:
    code = "import os, edge.images; print(os.environ['OPENCV_IO_MAX_IMAGE_PIXELS'], edge.images.MAX_PIXELS)"
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_IO_MAX_IMAGE_PIXELS"}
    given_to_opencv, stated = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                                             text=True, check=True).stdout.split()
    assert int(given_to_opencv) == int(stated)


def test_edge_run_refuses_a_bomb_as_its_source_in_one_line(odd_files: dict[str, Path]) -> None:
    code, out, err, _ = run_measured(["run", "--source", str(odd_files["bomb_12000x12000.png"]), "--display", "none"])
    errors = [line for line in err.splitlines() if line.startswith("edge: error: ")]
    assert code == 2 and out == "" and "Traceback" not in err
    assert errors == ["edge: error: image bomb_12000x12000.png: declares more than 120,000,000 pixels"]


def test_a_huge_still_is_scaled_down_once_not_every_frame(odd_files: dict[str, Path]) -> None:
    source = ImageSource(odd_files["scan_10000x10000.jpg"])
    source.start()
    try:
        frames = [source.read(1.0) for _ in range(3)]
    finally:
        source.stop()
    assert all(f is not None and f.image.shape == (MAX_SIDE, MAX_SIDE, 3) for f in frames)


def test_a_folder_of_odd_images_plays_what_decodes_and_skips_the_rest(odd_files: dict[str, Path]) -> None:
    source = FolderSource(next(iter(odd_files.values())).parent)
    source.start()
    shapes = []
    try:
        with pytest.raises(SourceEnded):
            while frame := source.read(1.0):
                shapes.append(frame.image.shape)
    finally:
        source.stop()
    shown = [n for n in BLANK if n != "float.tiff"] + ["colour.png"] + SAME_AS_COLOUR + ["scan_10000x10000.jpg"]
    assert len(shapes) == len(shown)  # the float TIFF is no picture to show: skipped like the broken ones
    assert all(len(s) == 3 and s[2] == 3 and max(s[:2]) <= MAX_SIDE for s in shapes)


SEEDS = {".png": cv2.imencode(".png", sheet(60, 80))[1].tobytes(),
         ".jpg": cv2.imencode(".jpg", sheet(60, 80))[1].tobytes()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_a_damaged_file_is_an_image_error_or_an_image(suffix: str, data: st.DataObject) -> None:
    """Real files with bytes cut off, overwritten or inserted: images.load never raises anything else."""
    content = bytearray(SEEDS[suffix])
    cut = data.draw(st.integers(0, len(content)))
    content = content[:cut] if data.draw(st.booleans()) else content
    for _ in range(data.draw(st.integers(0, 8))):
        if content:
            content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    at = data.draw(st.integers(0, len(content)))
    content[at:at] = data.draw(st.binary(max_size=16))
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(bytes(content))
        f.flush()
        for grey in (False, True):
            try:
                image = images.load(f.name, grey=grey)
            except images.ImageError as exc:
                assert str(exc) and "\n" not in str(exc)
            else:
                assert image.size > 0 and image.dtype in (np.uint8, np.uint16)
                assert image.ndim == 2 or not grey


def with_orientation(jpeg: bytes, orientation: int) -> bytes:
    """`jpeg` with the EXIF segment a phone writes: the picture is stored as the sensor lay, and `orientation`
    (EXIF tag 0x0112) says how to turn it upright."""
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0)  # tag, SHORT, one value, the value, padding
    tiff = b"II" + struct.pack("<HI", 42, 8) + struct.pack("<H", 1) + entry + struct.pack("<I", 0)
    payload = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


@pytest.mark.parametrize("orientation, stored", [(6, cv2.ROTATE_90_COUNTERCLOCKWISE), (8, cv2.ROTATE_90_CLOCKWISE),
                                                 (3, cv2.ROTATE_180)])
def test_a_phone_photo_is_turned_upright_as_its_exif_says(tmp_path: Path, orientation: int, stored: int) -> None:
    upright = sheet(240, 320)
    path = tmp_path / "phone.jpg"
    path.write_bytes(with_orientation(cv2.imencode(".jpg", cv2.rotate(upright, stored))[1].tobytes(), orientation))
    for loaded, expected in ((images.load(path), upright),
                             (images.load(path, grey=True), cv2.cvtColor(upright, cv2.COLOR_BGR2GRAY))):
        assert loaded.shape == expected.shape
        assert float(np.mean(cv2.absdiff(loaded, expected))) < 3.0  # JPEG's loss, not a turned picture's
