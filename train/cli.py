"""`python -m train`: fit one of the networks on MNIST and leave the model, its report and plots."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from train import data

DEFAULT_OUT = Path("models/digits.keras")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m train",
        description="Train a digit network on MNIST; write the model, a JSON report and PNG plots beside it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--arch", choices=["cnn", "mlp", "seed"], default="cnn",
                   help="cnn: the product's network; mlp: the tutorial's layers on our input; seed: the tutorial")
    p.add_argument("--epochs", type=int, default=None, help="epochs (default: the architecture's recipe)")
    p.add_argument("--batch-size", type=int, default=None, help="batch size (default: the recipe's)")
    p.add_argument("--data", type=str, default=None,
                   help=f"mnist.npz or a folder of IDX files (default: ${data.ENV_VAR}, else Keras download)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model file (.keras); the report goes beside it")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images (quick runs)")
    p.add_argument("--val-fraction", type=float, default=1 / 12, help="share of training images held out")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size", "limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 < args.val_fraction < 0.5:
        p.error("--val-fraction must be between 0 and 0.5")
    if args.out.suffix != ".keras":
        p.error(f"--out must end in .keras, got {args.out}")
    return args


def split(x: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, ...]:
    """Shuffle once with `seed`, then hold out `fraction` for validation (at least one image)."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(len(x) * fraction)))
    val, fit = order[:n_val], order[n_val:]
    return x[fit], y[fit], x[val], y[val]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        mnist = data.load(args.data)
    except data.DataError as exc:
        print(f"train: error: {exc}", file=sys.stderr)
        return 2
    from train.fit import fit_and_report  # TensorFlow loads only once the arguments and data are good

    x_train, y_train = mnist.x_train, mnist.y_train
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    x_fit, y_fit, x_val, y_val = split(x_train, y_train, args.val_fraction, args.seed)
    started = time.perf_counter()
    try:
        fit_and_report(args, mnist, x_fit, y_fit, x_val, y_val, started)
    except OSError as exc:
        print(f"train: error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
