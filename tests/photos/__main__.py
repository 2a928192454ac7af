"""`python -m tests.photos`: write synthetic camera photos of handwritten digits and their truth.

DIR/NNNN.jpg (or .png) and DIR/truth.json: {"NNNN.jpg": {"text": "12\\n345", "boxes": [[x, y, w, h], ...],
"kind": ..., "conditions": {...}}}, digits in reading order, rows joined by "\\n", boxes in image pixels.
Image i depends only on --seed and i, so a longer run extends a shorter one.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from edge import atomic
from tests.photos.clip import frames
from tests.photos.generate import KINDS, Photo, make_photo
from tests.photos.handwriting import SOURCES, SourceError, StrokeGlyphs, open_source

MIXTURE = {"sheets": 0.8, "blank": 0.08, "texture": 0.06, "noise": 0.06}  # --kind all


def parse_size(text: str) -> tuple[int, int] | None:
    """'640x480' -> (640, 480); 'random' -> None."""
    if text == "random":
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT or random, got {text!r}") from None
    if not (64 <= w <= 8192 and 64 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is outside 64..8192 pixels")
    return w, h


def parse_digit_height(text: str) -> tuple[float, float] | None:
    """'0.025-0.05' -> (0.025, 0.05), shares of the image height; 'auto' -> None."""
    if text == "auto":
        return None
    try:
        least, most = (float(v) for v in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected LEAST-MOST (shares of the image height) or auto, got {text!r}") from None
    if not 0.01 <= least <= most <= 0.8:
        raise argparse.ArgumentTypeError(f"digit height {text} must satisfy 0.01 <= LEAST <= MOST <= 0.8")
    return least, most


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.photos",
        description="Write synthetic phone/webcam photos of handwritten digits on paper, with ground truth.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("out/photos"), help="folder for the images and truth.json")
    p.add_argument("--count", type=int, default=50, help="number of images (frames for --kind clip)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same images")
    p.add_argument("--data", type=str, default=None, help="mnist.npz or IDX folder (default: $DIGITCAM_MNIST)")
    p.add_argument("--source", choices=SOURCES, default="mixed",
                   help="handwriting: MNIST test digits redrawn along their centre line or in their own shape, "
                        "hand-designed pen strokes, or MNIST and strokes mixed")
    p.add_argument("--kind", choices=[*KINDS, "all", "clip"], default="sheets",
                   help="digits on paper, blank paper, bare desk, pure noise, a mixture of them, or video frames")
    p.add_argument("--size", type=parse_size, default="random",
                   help="image size WIDTHxHEIGHT, or random (640x480 to 1280x960); clips default to 640x480")
    p.add_argument("--digit-height", type=parse_digit_height, default="auto",
                   help="sheets' digit height LEAST-MOST as shares of the image height (e.g. 0.025-0.05: a camera "
                        "far from the writing), or auto (at least 22 px a 640 px width, at most 0.45)")
    p.add_argument("--touching", action="store_true", help="let neighbouring digits touch and overlap")
    p.add_argument("--format", choices=["jpg", "png"], default="jpg",
                   help="file type; png keeps the JPEG artefacts but adds no new ones")
    p.add_argument("--fps", type=float, default=10.0, help="--kind clip: frames per second")
    p.add_argument("--hold", type=float, default=3.0, help="--kind clip: seconds before the paper changes")
    args = p.parse_args(argv)
    if not 1 <= args.count <= 100_000:
        p.error("--count must be between 1 and 100000")
    if args.fps <= 0 or args.hold <= 0:
        p.error("--fps and --hold must be positive")
    if args.out.exists() and not args.out.is_dir():
        p.error(f"--out {args.out} exists and is not a folder")
    return args


def photos(args: argparse.Namespace) -> Iterator[Photo]:
    """The photos the arguments ask for, in file order."""
    needs_digits = args.kind in ("sheets", "all", "clip")
    source = open_source(args.source, args.data) if needs_digits else StrokeGlyphs()
    if args.kind == "clip":
        yield from frames(args.seed, source, args.size or (640, 480), args.count, args.fps, args.hold, args.touching)
        return
    kinds, weights = list(MIXTURE), np.array(list(MIXTURE.values()))
    for i in range(args.count):
        rng = np.random.default_rng([args.seed, i])
        kind = kinds[rng.choice(len(kinds), p=weights)] if args.kind == "all" else args.kind
        yield make_photo(rng, kind, source, args.size, args.touching, args.digit_height)


def encode(photo: Photo, fmt: str) -> bytes:
    if fmt == "jpg":
        return photo.jpeg
    ok, data = cv2.imencode(".png", photo.image)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def write_all(args: argparse.Namespace) -> int:
    """Write every image, the video for a clip, and truth.json last; return how many images."""
    width = max(4, len(str(args.count - 1)))
    truth: dict[str, dict[str, object]] = {}
    with contextlib.ExitStack() as stack:
        video = None
        for i, photo in enumerate(photos(args)):
            name = f"{i:0{width}d}.{args.format}"
            atomic.write_bytes(args.out / name, encode(photo, args.format))
            truth[name] = {"text": photo.text, "boxes": photo.boxes, "kind": photo.kind,
                           "conditions": photo.conditions}
            if args.kind == "clip":
                if video is None:
                    video = open_video(stack, args.out / "clip.mp4", args.fps, photo.image.shape[1::-1])
                video.write(photo.image)
        lines = ",\n".join(f" {json.dumps(name)}: {json.dumps(entry)}" for name, entry in truth.items())
        atomic.write_text(args.out / "truth.json", "{\n" + lines + "\n}\n")  # one image per line
    return len(truth)


def open_video(stack: contextlib.ExitStack, path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """An MP4 writer whose file appears under `path` only when the stack closes without an error."""
    tmp = stack.enter_context(atomic.atomic_path(path))
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    stack.callback(writer.release)  # runs before the rename: the file is complete when it appears
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write MP4 video to {path}")
    return writer


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        count = write_all(args)
    except SourceError as exc:
        print(f"photos: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"photos: error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} images and truth.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
