"""Held-out metrics of 0-3 predictions and of the ranking they induce."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import spearmanr

from shared.ml.decision import N_CLASSES


def top_decile_precision(expected: np.ndarray, y: np.ndarray) -> float:
    """Share of 3-rated postings among the top 10% by expected score."""
    k = max(1, math.ceil(0.1 * len(y)))
    top = np.argsort(-expected, kind="stable")[:k]
    return float(np.mean(y[top] == N_CLASSES - 1))


def spearman(expected: np.ndarray, y: np.ndarray) -> float:
    if len(y) < 3 or np.ptp(y) == 0 or np.ptp(expected) == 0:
        return math.nan
    return float(spearmanr(expected, y).statistic)


def fold_metrics(
    predicted: np.ndarray, proba: np.ndarray | None, expected: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    error = predicted - y
    # Mean negative log-probability of the true rating: how honest the odds are.
    log_loss = (
        float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-9, None))))
        if proba is not None
        else math.nan
    )
    return {
        "cv_log_loss": log_loss,
        "cv_accuracy": float(np.mean(error == 0)),
        "cv_mae": float(np.mean(np.abs(error))),
        "cv_mse": float(np.mean(error**2)),
        "spearman": spearman(expected, y),
        "top_decile_precision": top_decile_precision(expected, y),
    }


def confusion(predicted: np.ndarray, y: np.ndarray) -> list[list[int]]:
    """Rows are true ratings, columns predicted ones."""
    matrix = np.zeros((N_CLASSES, N_CLASSES), dtype=int)
    np.add.at(matrix, (y, predicted), 1)
    return matrix.tolist()


FOLD_METRICS = (
    "cv_accuracy",
    "cv_mae",
    "cv_mse",
    "cv_log_loss",
    "spearman",
    "top_decile_precision",
)


def average(folds: list[dict[str, float]]) -> dict[str, float | None]:
    """Mean over folds; None when there were no folds (too few ratings to cross-validate)."""
    out: dict[str, float | None] = {}
    for key in FOLD_METRICS:
        values = [f[key] for f in folds if not math.isnan(f[key])]
        out[key] = round(float(np.mean(values)), 4) if values else None
    return out
