"""`python -m edge COMMAND`: the device's commands, with one-line errors and meaningful exit codes."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edge.classify import DEFAULT_MODEL, ModelError
from edge.runtime import RuntimeMissing


def _confidence(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edge", description="digitcam on the device.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    read = commands.add_parser(
        "read", help="read the digits on photos or scans",
        description="Read the handwritten digits on each image: one line per image (FILE: TEXT), or JSON.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    read.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="image files")
    read.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="TFLite model (a .json sidecar is read)")
    read.add_argument("--json", action="store_true", help="one JSON object per image")
    read.add_argument("--min-confidence", type=_confidence, default=0.5,
                      help="below this a digit reads as '?'")
    read.add_argument("--debug-dir", type=Path, default=None,
                      help="write each image's threshold mask, boxes and 28x28 crops here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "read":
            from edge import read

            if args.debug_dir is not None:
                args.debug_dir.mkdir(parents=True, exist_ok=True)
            return read.run(args.images, args.model, args.json, args.min_confidence, args.debug_dir)
    except (ModelError, RuntimeMissing) as exc:
        print(f"edge: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"edge: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 2
