"""`python -m edge COMMAND`: the device's commands, with one-line errors and meaningful exit codes."""
from __future__ import annotations

import argparse
from collections.abc import Callable
import sys
from pathlib import Path
from typing import Any

from edge.classify import DEFAULT_MODEL, ModelError
from edge.config import DISPLAYS, Config, ConfigError, resolve
from edge.runtime import RuntimeMissing
from edge.displays import DisplayError
from edge.sources import DEMO_CLIP, SourceError

DEFAULTS = Config()


def _bounded(kind: type, low: float, high: float, inclusive_low: bool = True) -> Callable[[str], Any]:
    """An argparse `type=` that parses `kind` and refuses values outside [low, high] (or (low, high])."""
    def parse(text: str) -> Any:
        value = kind(text)
        if not (low <= value if inclusive_low else low < value) or not value <= high:
            opening = "[" if inclusive_low else "("
            raise argparse.ArgumentTypeError(f"must be in {opening}{low}, {high}], got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its 'invalid int value' message
    return parse


_confidence = _bounded(float, 0.0, 1.0)
_positive = _bounded(int, 1, 10**12)
_positive_float = _bounded(float, 0.0, 1e12, inclusive_low=False)
_count = _bounded(int, 0, 10**12)
_rate = _bounded(float, 0.0, 1000.0)


def _live_flags(p: argparse.ArgumentParser) -> None:
    """Flags shared by run and bench; None means 'not given', so the TOML file or the default applies."""
    p.add_argument("--source", type=str, default=None,
                   help=f"auto, picamera, a webcam index or /dev/videoN, a video, an image or folder, a URL "
                        f"(default: {DEFAULTS.source})")
    p.add_argument("--model", type=Path, default=None, help=f"TFLite model (default: {DEFAULTS.model})")
    p.add_argument("--threads", type=_positive, default=None,
                   help=f"interpreter threads (default: {DEFAULTS.threads})")
    p.add_argument("--min-confidence", type=_confidence, default=None,
                   help=f"below this a digit reads as '?' (default: {DEFAULTS.min_confidence})")
    p.add_argument("--config", type=Path, default=None, help="TOML settings file; flags win over it")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edge", description="digitcam on the device.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    read = commands.add_parser(
        "read", help="read the digits on photos or scans", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Read the handwritten digits on each image: one line per image (FILE: TEXT), or JSON.",
    )
    read.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="image files")
    read.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="TFLite model (a .json sidecar is read)")
    read.add_argument("--json", action="store_true", help="one JSON object per image")
    read.add_argument("--min-confidence", type=_confidence, default=DEFAULTS.min_confidence,
                      help="below this a digit reads as '?'")
    read.add_argument("--debug-dir", type=Path, default=None,
                      help="write each image's threshold mask, boxes and 28x28 crops here")

    run = commands.add_parser("run", help="the live recognizer",
                              description="Read digits live from a camera, video or images, with an overlay.")
    _live_flags(run)
    run.add_argument("--display", choices=DISPLAYS, default=None,
                     help=f"auto: a window on a desktop, else http (default: {DEFAULTS.display})")
    run.add_argument("--http", type=str, default=None, help=f"HOST:PORT of the HTTP view (default: {DEFAULTS.http})")
    run.add_argument("--max-frames", type=int, default=None, help="stop after N frames (default: no limit)")
    run.add_argument("--record", type=Path, default=None, help="save the annotated stream as a video file")
    run.add_argument("--debug-inset", action="store_const", const=True, default=None,
                     help="show the 28x28 crops the model sees (key d toggles it)")
    run.add_argument("--check-config", action="store_true", help="validate the settings and the model, then exit")

    bench = commands.add_parser("bench", help="measure the live loop",
                                description="Per-stage median and p95 ms, fps, peak RSS and start-up time.")
    _live_flags(bench)
    bench.add_argument("--frames", type=_positive, default=300, help="frames to measure (default: 300)")
    bench.add_argument("--display", choices=DISPLAYS, default="none", help="display during the run (default: none)")
    bench.add_argument("--json", action="store_true", help="print one JSON object")

    soak = commands.add_parser(
        "soak", help="run the loop long, or under HTTP load, and check its limits",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="N frames through the whole loop (overlay, HTTP view with a viewer): RSS growth after the "
                    "warm-up and errors, exit 1 past the limits. With --http-clients: the frame rate alone and "
                    "with that many viewers streaming plus one that never reads.")
    soak.add_argument("--source", type=str, default=str(DEMO_CLIP), help="a video, image, folder or camera")
    soak.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="TFLite model")
    soak.add_argument("--threads", type=_positive, default=DEFAULTS.threads, help="interpreter threads")
    soak.add_argument("--frames", type=_positive, default=50_000, help="frames measured after the warm-up")
    soak.add_argument("--warmup", type=_positive, default=1000, help="frames before the first RSS reading")
    soak.add_argument("--max-growth-mb", type=_positive_float, default=5.0, help="most RSS growth allowed")
    soak.add_argument("--http-clients", type=_count, default=0, help="instead of the long run: this many viewers")
    soak.add_argument("--seconds", type=_positive_float, default=60.0, help="with --http-clients: seconds under load")
    soak.add_argument("--baseline-seconds", type=_positive_float, default=10.0,
                      help="with --http-clients: seconds measured without viewers first")
    soak.add_argument("--fps", type=_rate, default=30.0,
                      help="with --http-clients: play the source at a camera's rate (0: as fast as it decodes)")
    soak.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _config(args: argparse.Namespace) -> Config:
    names = ("source", "model", "threads", "min_confidence", "display", "http", "max_frames", "record", "debug_inset")
    flags: dict[str, Any] = {name: getattr(args, name, None) for name in names}
    return resolve(args.config, flags)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "read":
            from edge import read

            if args.debug_dir is not None:
                args.debug_dir.mkdir(parents=True, exist_ok=True)
            return read.run(args.images, args.model, args.json, args.min_confidence, args.debug_dir)
        if args.command == "soak":
            from edge import soak

            config = resolve(None, {"source": args.source, "model": args.model, "threads": args.threads})
            return soak.run(config, args.frames, args.warmup, args.max_growth_mb, args.http_clients, args.seconds,
                            args.baseline_seconds, args.fps, args.json)
        config = _config(args)
        if args.command == "bench":
            from edge import bench

            return bench.run(config, args.frames, args.json)
        from edge import live

        if args.check_config:
            return live.check(config)
        return live.run(config)
    except (ConfigError, ModelError, RuntimeMissing, SourceError, DisplayError) as exc:
        print(f"edge: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"edge: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
