"""`python -m convert`: Keras model -> quantised TFLite model, verified on MNIST before anything is written."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from convert import export, quiet, sidecar, source
from edge import atomic
from train import data

if TYPE_CHECKING:
    from convert.verify import Verification

DEFAULT_MODEL = Path("models/digits.keras")
EXIT_FAILED = 1  # conversion failed or lost too much accuracy: nothing written
EXIT_BAD_INPUT = 2  # bad arguments, model or data, or the output cannot be written


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show defaults, except `None` ones whose help text already says what happens."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return action.help if action.default is None else super()._get_help_string(action)


def default_out(model: Path, quant: str) -> Path:
    """Beside the model, named for the mode: models/digits.keras -> models/digits_int8.tflite."""
    return model.with_name(f"{model.stem}_{quant}.tflite")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m convert",
        description="Convert a Keras digit model to TFLite, verify it on the MNIST test set with the device's "
                    "interpreter, and write it with a JSON sidecar only if it kept its accuracy.",
        formatter_class=_HelpFormatter,
    )
    p.add_argument("model", nargs="?", type=Path, default=DEFAULT_MODEL, metavar="MODEL",
                   help="Keras model (.keras) to convert")
    p.add_argument("--out", type=Path, default=None, metavar="PATH",
                   help="TFLite file to write, sidecar .json beside it "
                        "(default: beside MODEL as STEM_QUANT.tflite, i.e. models/digits_int8.tflite)")
    p.add_argument("--quant", choices=export.QUANT_MODES, default="int8",
                   help="int8: full-integer with int8 input and output (the shipped model); "
                        "float16, dynamic (int8 weights, float math), float32: for comparison")
    p.add_argument("--data", type=str, default=None, metavar="PATH",
                   help=f"mnist.npz or a folder of IDX files (default: ${data.ENV_VAR}, else Keras download)")
    p.add_argument("--samples", type=int, default=500, metavar="N",
                   help="training images used to calibrate int8")
    p.add_argument("--max-drop", type=float, default=0.3, metavar="PP",
                   help="most test accuracy (percentage points) conversion may lose; more writes nothing")
    args = p.parse_args(argv)
    if args.samples < 1:
        p.error("--samples must be at least 1")
    if not args.max_drop >= 0:  # also rejects nan
        p.error("--max-drop must be 0 or more")
    args.out = args.out or default_out(args.model, args.quant)
    if args.out.suffix != ".tflite":
        p.error(f"--out must end in .tflite, got {args.out}")
    return args


def _error(message: str, code: int) -> int:
    print(f"convert: error: {message}", file=sys.stderr)
    return code


def _size(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def _table(args: argparse.Namespace, result: Verification, size: int, passed: bool) -> str:
    from train.report import summary_table

    return summary_table([
        ("model", f"{args.model} ({_size(args.model.stat().st_size)})"),
        ("test images", str(result.samples)),
        ("keras accuracy", f"{result.keras_accuracy:.2%}"),
        (f"tflite {args.quant} accuracy", f"{result.tflite_accuracy:.2%}"),
        ("drop", f"{result.drop_pp:.2f} pp (limit {args.max_drop:.2f})"),
        ("agreement", f"{result.agreement:.2%}"),
        ("tflite size", _size(size)),
        ("ms per image", f"{result.ms_per_image:.3f} (batch 1)"),
        ("verdict", "passed" if passed else "FAILED: drop over the limit"),
    ])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        source.check_file(args.model)
        source_sha256 = sidecar.sha256_hex(args.model.read_bytes())  # hashed before loading: what was converted
        mnist = data.load(args.data)
        if args.quant == "int8" and args.samples > len(mnist.x_train):
            raise data.DataError(f"--samples {args.samples} exceeds the {len(mnist.x_train)} training images")
        with quiet.native_stderr():  # TensorFlow's import and device set-up print C++ notices no log level hides
            import tensorflow as tf

            tf.config.list_physical_devices()  # set devices up now, not noisily in the middle of loading
            from train.models import unit_prepare
        model = source.load(args.model)
    except (source.ModelError, data.DataError) as exc:
        return _error(str(exc), EXIT_BAD_INPUT)
    from convert import verify  # the interpreter and its helpers, once the inputs are known to be good

    print(f"converting {args.model} to {args.quant} TFLite, then verifying on {len(mnist.x_test)} test images",
          file=sys.stderr)
    calibration = None
    if args.quant == "int8":
        calibration = unit_prepare(export.representative_set(mnist.x_train, args.samples))
    try:
        with quiet.native_stderr():  # the converter prints its settings from C++
            content = export.to_tflite(model, args.quant, calibration)
    except Exception as exc:  # the converter raises many types; all mean this model did not convert
        reason = (str(exc).strip().splitlines() or [""])[0][:200]
        return _error(f"cannot convert {args.model} to {args.quant}: {type(exc).__name__}: {reason}", EXIT_FAILED)

    x_test = unit_prepare(mnist.x_test)
    keras_probs = model.predict(x_test, batch_size=512, verbose=0)
    with quiet.native_stderr():  # the interpreter announces its CPU delegate from C++
        interpreter = verify.interpreter_for(content)
    tflite_probs = verify.predict(interpreter, x_test, progress=True)
    result = verify.compare(keras_probs, tflite_probs, mnist.y_test, verify.ms_per_image(content, x_test))
    passed = result.drop_pp <= args.max_drop

    print(_table(args, result, len(content), passed))
    if not passed:
        return _error(f"conversion lost {result.drop_pp:.2f} points of accuracy, more than --max-drop "
                      f"{args.max_drop:.2f}; nothing written", EXIT_FAILED)

    meta = sidecar.build(
        model_file=args.out.name, model_content=content, quant=args.quant,
        input_detail=interpreter.get_input_details()[0], output_detail=interpreter.get_output_details()[0],
        verification=result.as_dict(), source_file=args.model.name,
        source_sha256=source_sha256,
    )
    try:
        atomic.write_bytes(args.out, content)
        atomic.write_text(sidecar.path_for(args.out), json.dumps(meta, indent=2) + "\n")
    except OSError as exc:
        return _error(f"cannot write {args.out}: {exc.strerror or exc}", EXIT_BAD_INPUT)
    print(f"wrote {args.out} and {sidecar.path_for(args.out)}", file=sys.stderr)
    return 0
