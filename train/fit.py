"""Fit a recipe, pick the epoch that did best on validation, evaluate once on the test set, save everything."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow import keras

from edge import atomic
from train import report
from train.augment import augment, redraw
from train.strokes import centre_lines
from train.variants import add_variants
from train.data import Mnist
from train.models import NONE, RECIPES, Recipe
from train.touching import touching


TOUCHING_TEST = 2000  # touching marks of test digits, for the report


class KeepBest(keras.callbacks.Callback):
    """Remember the weights of the epoch with the best validation accuracy and restore them at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.best_accuracy = -1.0
        self.best_epoch = 0
        self._weights: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        accuracy = float((logs or {}).get("val_accuracy", -1.0))
        if accuracy > self.best_accuracy:
            self.best_accuracy, self.best_epoch = accuracy, epoch + 1
            self._weights = self.model.get_weights()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._weights is not None:
            self.model.set_weights(self._weights)


def _dataset(digits: np.ndarray, y: np.ndarray, batch: int, recipe: Recipe, seed: int) -> tf.data.Dataset:
    """Shuffled batches of `recipe.prepare(digits)` (uint8 (N, 28, 28)), distorted when the recipe says so."""
    labels = y.astype("int32")
    redrawn = recipe.augment and recipe.redraw > 0
    if redrawn:
        print(f"finding the centre lines of {len(digits)} digits to redraw them with a pen", file=sys.stderr)
        columns: tuple[np.ndarray, ...] = (recipe.prepare(digits), centre_lines(digits), labels)
    else:
        columns = (recipe.prepare(digits), labels)
    ds = tf.data.Dataset.from_tensor_slices(columns)
    ds = ds.shuffle(len(digits), seed=seed, reshuffle_each_iteration=True).batch(batch)
    if redrawn:
        ds = ds.map(lambda x, lines, y: augment(redraw(x, lines, recipe.redraw), y),
                    num_parallel_calls=tf.data.AUTOTUNE)
    elif recipe.augment:
        ds = ds.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _compile(model: keras.Model, recipe: Recipe, steps: int) -> None:
    if recipe.learning_rate is None:
        optimizer: keras.optimizers.Optimizer | str = "adam"
    else:
        warmup = max(1, steps // 20)
        schedule = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=recipe.learning_rate / 10, decay_steps=max(1, steps - warmup),
            warmup_target=recipe.learning_rate, warmup_steps=warmup, alpha=0.01,
        )
        optimizer = keras.optimizers.Adam(learning_rate=schedule)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _touching_figures(model: keras.Model, recipe: Recipe, mnist: Mnist, probs: np.ndarray,
                      seed: int) -> dict[str, float | int]:
    """How well the none output tells touching test digits from single ones (it should be high for the
    first and low for the second)."""
    marks = touching(mnist.x_test, TOUCHING_TEST, np.random.default_rng(seed))
    read = model.predict(recipe.prepare(marks), batch_size=512, verbose=0)
    return {"share": recipe.touching, "test_marks": TOUCHING_TEST,
            "test_marks_read_as_none": round(float(np.mean(read.argmax(axis=1) == NONE)), 6),
            "test_digits_read_as_none": int(np.sum(probs.argmax(axis=1) == NONE))}


def _paths(out: Path) -> dict[str, Path]:
    stem = out.with_suffix("")
    return {
        "report": stem.with_name(stem.name + ".report.json"),
        "curves": stem.with_name(stem.name + ".curves.png"),
        "confusion": stem.with_name(stem.name + ".confusion.png"),
        "misread": stem.with_name(stem.name + ".misread.png"),
    }


def fit_and_report(args: argparse.Namespace, mnist: Mnist, x_fit: np.ndarray, y_fit: np.ndarray,
                   x_val: np.ndarray, y_val: np.ndarray, started: float) -> None:
    """Train `args.arch`, then write the model, report and plots beside `args.out` (each atomically)."""
    keras.utils.set_random_seed(args.seed)
    recipe = RECIPES[args.arch]
    epochs = args.epochs or recipe.epochs
    batch = args.batch_size or recipe.batch_size
    rng = np.random.default_rng(args.seed)
    if recipe.variants:
        x_fit = add_variants(x_fit, y_fit, rng, recipe.variants, recipe.variants)
    if recipe.touching:
        pairs = touching(x_fit, round(recipe.touching * len(x_fit)), rng)
        x_fit, y_fit = np.concatenate([x_fit, pairs]), np.concatenate([y_fit, np.full(len(pairs), NONE, y_fit.dtype)])
    model = recipe.build()
    steps = epochs * int(np.ceil(len(x_fit) / batch))
    _compile(model, recipe, steps)
    print(f"training {args.arch}: {model.count_params():,} parameters, {len(x_fit)} images "
          f"({len(x_val)} held out for validation), {epochs} epochs of batch {batch}"
          f"{', augmented' if recipe.augment else ''}; data {mnist.source}", file=sys.stderr)

    keep = KeepBest()
    history = model.fit(
        _dataset(x_fit, y_fit, batch, recipe, args.seed),
        validation_data=(recipe.prepare(x_val), y_val.astype("int32")),
        epochs=epochs, callbacks=[keep], shuffle=False, verbose=1 if sys.stderr.isatty() else 2,
    ).history
    seconds = time.perf_counter() - started

    x_test = recipe.prepare(mnist.x_test)
    test_loss, _ = model.evaluate(x_test, mnist.y_test.astype("int32"), batch_size=512, verbose=0)
    probs = model.predict(x_test, batch_size=512, verbose=0)
    y_pred = probs[:, :NONE].argmax(axis=1)  # the digit edge reads: its none output only makes it doubt
    test_accuracy = float(np.mean(y_pred == mnist.y_test))
    matrix = report.confusion_matrix(mnist.y_test, y_pred)

    paths = _paths(args.out)
    with atomic.atomic_path(args.out) as tmp:
        model.save(tmp)
    result = {
        "arch": args.arch,
        "parameters": int(model.count_params()),
        "epochs": epochs,
        "best_epoch": keep.best_epoch,
        "batch_size": batch,
        "augmented": recipe.augment,
        "variants": {"flagged_ones": recipe.variants, "crossed_sevens": recipe.variants},
        "redrawn": recipe.redraw,
        **({"touching": _touching_figures(model, recipe, mnist, probs, args.seed)} if recipe.touching else {}),
        "seconds": round(seconds, 1),
        "seed": args.seed,
        "data": {"source": mnist.source, "sha256": mnist.sha256, "train": int(len(x_fit)),
                 "validation": int(len(x_val)), "test": int(len(mnist.x_test))},
        "input": {"shape": [None, *model.input_shape[1:]],
                  "contract": "tutorial: keras.utils.normalize(x, axis=1) of raw 0..255" if args.arch == "seed"
                  else "float32 in [0, 1], ink bright on dark"},
        "validation_accuracy": round(keep.best_accuracy, 6),
        "test_accuracy": round(float(test_accuracy), 6),
        "test_loss": round(float(test_loss), 6),
        "per_class_accuracy": [round(a, 6) for a in report.per_class_accuracy(matrix)],
        "confusion_matrix": matrix.tolist(),
        "history": {k: [round(float(v), 6) for v in vs] for k, vs in history.items()},
        "model_file": args.out.name,
        "plots": {k: p.name for k, p in paths.items() if k != "report"},
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    title = f"{args.arch}{' (augmented training)' if recipe.augment else ''}"
    report.plot_curves(history, paths["curves"], title)
    report.plot_confusion(matrix, paths["confusion"], f"{args.arch}: test accuracy {test_accuracy:.2%}")
    report.plot_misread(mnist.x_test, mnist.y_test, y_pred, probs[:, :NONE].max(axis=1), paths["misread"])
    report.write_json(paths["report"], result)

    print(report.summary_table([
        ("arch", args.arch),
        ("parameters", f"{model.count_params():,}"),
        ("epochs (best)", f"{epochs} ({keep.best_epoch})"),
        ("time", f"{seconds / 60:.1f} min"),
        ("validation accuracy", f"{keep.best_accuracy:.2%}"),
        ("test accuracy", f"{test_accuracy:.2%}"),
        ("test loss", f"{test_loss:.4f}"),
        ("misread", f"{int((y_pred != mnist.y_test).sum())} of {len(y_pred)}"),
        ("model", str(args.out)),
        ("report", str(paths["report"])),
    ]))
