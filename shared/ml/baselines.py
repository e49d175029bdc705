"""What a model must beat, scored on the same folds: always answering the user's most
common rating, and the pay-and-seniority heuristic. And the verdict, in plain words."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from shared.ml.decision import N_CLASSES, decide
from shared.ml.folds import Split
from shared.ml.heuristic import heuristic_proba_of
from shared.ml.metrics import average, fold_metrics


def most_common(y: np.ndarray) -> int:
    return int(np.bincount(np.asarray(y, int), minlength=N_CLASSES).argmax())


def majority_fold(y_train: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Always the training fold's most common rating; its odds are the training shares."""
    counts = np.bincount(y_train, minlength=N_CLASSES) + 0.5
    proba = np.tile(counts / counts.sum(), (len(y_test), 1))
    predicted = np.full(len(y_test), most_common(y_train))
    return fold_metrics(predicted, proba, proba @ np.arange(N_CLASSES), y_test)


def heuristic_fold(frame: pd.DataFrame, y_test: np.ndarray) -> dict[str, float]:
    proba, predicted, expected = decide(heuristic_proba_of(frame))
    return fold_metrics(predicted, proba, expected, y_test)


def baseline_metrics(frame: pd.DataFrame, y: np.ndarray, splits: list[Split]) -> dict[str, Any]:
    """Both baselines' cross-validated metrics on `splits` (the model's own folds)."""
    majority = [majority_fold(y[train], y[test]) for train, test in splits]
    heuristic = [heuristic_fold(frame.iloc[test], y[test]) for _, test in splits]
    return {
        "majority": {**average(majority), "rating": most_common(y) if len(y) else None},
        "heuristic": average(heuristic),
    }


def beats_majority(metrics: dict[str, Any]) -> bool:
    """A version is used only when its cross-validated MAE is below always-the-usual-rating."""
    mae = metrics.get("cv_mae")
    baseline = (metrics.get("baselines") or {}).get("majority", {}).get("cv_mae")
    return mae is not None and baseline is not None and mae < baseline - 1e-9


def _pct(value: float) -> str:
    return f"{round(100 * value)} %"


def verdict(metrics: dict[str, Any]) -> str:
    """'Right 71 % of the time (off by 0.33 on average); always guessing 3 would be right
    47 % (off by 0.81), the pay-and-seniority rule 30 % (off by 1.1).'"""
    accuracy, mae = metrics.get("cv_accuracy"), metrics.get("cv_mae")
    baselines = metrics.get("baselines")
    if accuracy is None or mae is None:
        # beats_majority() is then False: say so, as for a version that lost.
        return (
            "Not cross-validated (too few or too uniform ratings), so nothing shows it beats "
            "always guessing your usual rating; this version is not used."
        )
    text = f"Right {_pct(accuracy)} of the time (off by {mae:.2f} on average)"
    if not baselines:
        return text + "; trained before baselines were measured."
    majority, heuristic = baselines["majority"], baselines["heuristic"]
    guess = majority.get("rating")
    text += (
        f"; always guessing {guess} would be right {_pct(majority['cv_accuracy'])}"
        f" (off by {majority['cv_mae']:.2f})"
    )
    if heuristic.get("cv_accuracy") is not None:
        text += (
            f", the pay-and-seniority rule {_pct(heuristic['cv_accuracy'])}"
            f" (off by {heuristic['cv_mae']:.2f})"
        )
    if beats_majority(metrics):
        return text + "."
    return text + f". No better than always guessing {guess}, so this version is not used."


def confusion_note(n_ratings: int, n_folds: int, repeats: int) -> str:
    """What the confusion matrix counts."""
    if not n_folds:
        return "No cross-validation was possible, so the matrix is empty."
    per = n_folds // max(repeats, 1)
    if repeats > 1:
        return (
            f"Held-out predictions from {repeats} repeats of {per}-fold cross-validation: "
            f"each of your {n_ratings} ratings is counted {repeats} times "
            f"({repeats * n_ratings} in all)."
        )
    return (
        f"Held-out predictions from {per}-fold cross-validation: "
        f"one prediction per rating ({n_ratings} in all)."
    )
