"""What a training run leaves beside its model: a JSON report and three plots people would rather look at."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: a workstation over SSH has no display
import matplotlib.pyplot as plt
import numpy as np

from edge import atomic


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> np.ndarray:
    """Rows: true digit, columns: predicted digit."""
    m = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(m, (y_true.astype(int), y_pred.astype(int)), 1)
    return m


def per_class_accuracy(matrix: np.ndarray) -> list[float]:
    totals = matrix.sum(axis=1)
    return [float(matrix[i, i] / totals[i]) if totals[i] else 0.0 for i in range(len(matrix))]


def write_json(path: Path, report: dict[str, Any]) -> None:
    atomic.write_text(path, json.dumps(report, indent=2) + "\n")


def _save(fig: plt.Figure, path: Path) -> None:
    with atomic.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)


def plot_curves(history: dict[str, list[float]], path: Path, title: str) -> None:
    """Loss and accuracy per epoch, training against validation."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = np.arange(1, len(history.get("loss", [])) + 1)
    for key, ax in (("loss", ax_loss), ("accuracy", ax_acc)):
        ax.plot(epochs, history.get(key, []), "o-", label="train (augmented)" if "aug" in title else "train")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], "o-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    _save(fig, path)


def plot_confusion(matrix: np.ndarray, path: Path, title: str) -> None:
    """Counts with the diagonal dimmed, so the few confusions stand out."""
    fig, ax = plt.subplots(figsize=(6, 5.5))
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, 0)
    ax.imshow(off, cmap="Reds")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color="grey" if i == j else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    _save(fig, path)


def plot_misread(images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, confidence: np.ndarray,
                 path: Path, limit: int = 64) -> None:
    """The misread test digits, each titled true->predicted (confidence)."""
    wrong = np.flatnonzero(y_true != y_pred)[:limit]
    cols = 8
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.3, rows * 1.5), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(images[i], cmap="gray", vmin=0, vmax=255)
        ax.set_title(f"{y_true[i]}->{y_pred[i]} ({confidence[i]:.2f})", fontsize=7)
    fig.suptitle(f"misread test digits ({int((y_true != y_pred).sum())} in all, first {len(wrong)} shown)")
    _save(fig, path)


def summary_table(rows: list[tuple[str, str]]) -> str:
    """A two-column table for the terminal."""
    width = max(len(k) for k, _ in rows)
    line = "+" + "-" * (width + 2) + "+" + "-" * (max(len(v) for _, v in rows) + 2) + "+"
    body = [f"| {k:<{width}} | {v:<{len(line) - width - 7}} |" for k, v in rows]
    return "\n".join([line, *body, line])
