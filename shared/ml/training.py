"""train_model: leaderboard by cross-validation, choice by MAE then accuracy, refit on all."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from shared.ml.baselines import baseline_metrics, confusion_note, verdict
from shared.ml.candidates import CANDIDATES, CandidateSpec
from shared.ml.evaluation import Progress, cross_validate, fit_candidate, gram
from shared.ml.explanation import remember
from shared.ml.featurizer import Featurizer, PreparedData, prepare
from shared.ml.folds import Split, duplicate_groups, grouped, stratified, time_order
from shared.ml.model import PostingModel
from shared.ml.types import TrainedModel


def cv_repeats(n: int) -> int:
    """More repeats where they are cheap and the estimate noisy."""
    return 3 if n < 150 else 1


def outer_splits(y: np.ndarray, seed: int, repeats: int) -> list[Split]:
    """Repeat r uses seed + r, so repeat 0 is plain 5-fold stratified with `seed`."""
    return [split for r in range(repeats) for split in stratified(y, seed + r)]


def _sort_key(row: dict[str, Any]) -> tuple[float, float]:
    mae, accuracy = row.get("cv_mae"), row.get("cv_accuracy")
    return (
        mae if mae is not None else np.inf,
        -accuracy if accuracy is not None else np.inf,
    )


def refit(
    prepared: PreparedData, spec: CandidateSpec, y: np.ndarray, order: np.ndarray
) -> PostingModel:
    rows = np.arange(len(y))
    fitted = prepared.fit_blocks(rows)
    matrices = prepared.matrices(fitted, rows)
    grams = [gram(m, m) for m in matrices]
    scorer = fit_candidate(spec, grams, [b.name for b in fitted], y, order)
    keep = [b for b, s in enumerate(scorer.scales) if s > 0]
    # Primal weights per feature: score(x) = sum_b s_b x_b . (s_b M_b^T a) + intercept.
    coef = [scorer.scales[b] * np.asarray(matrices[b].T @ scorer.dual).ravel() for b in keep]
    featurizer = Featurizer([fitted[b] for b in keep], scorer.scales[keep])
    model = PostingModel(
        featurizer=featurizer,
        coef=np.concatenate(coef) if coef else np.zeros(0),
        intercept=scorer.intercept,
        calibrator=scorer.calibrator,
        algorithm=spec.name,
        hyperparams=scorer.hyperparams,
    )
    remember(model, prepared.frame)
    return model


def train_model(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    seed: int = 42,
    progress: Progress | None = None,
    candidates: tuple[CandidateSpec, ...] = CANDIDATES,
    repeats: int | None = None,
) -> TrainedModel:
    """Cross-validate every candidate on the user's ratings, pick one, refit it on all of them."""
    # Many small (n x n) BLAS calls: extra BLAS threads only contend, and badly on a busy worker.
    with threadpool_limits(limits=1):
        return _train(frame, y, seed, progress, candidates, repeats)


def _train(
    frame: pd.DataFrame,
    y: np.ndarray,
    seed: int,
    progress: Progress | None,
    candidates: tuple[CandidateSpec, ...],
    repeats: int | None,
) -> TrainedModel:
    started = time.perf_counter()
    y = np.asarray(y, dtype=int)
    if len(y) != len(frame) or len(y) == 0:
        raise ValueError(f"need one rating per posting, got {len(y)} for {len(frame)}")
    if y.min() < 0 or y.max() > 3:
        raise ValueError("ratings must be 0-3")
    frame = frame.reset_index(drop=True)
    if progress is not None:
        progress(0.0, "preparing features")
    prepared = prepare(frame)
    order = time_order(frame)
    repeats = repeats or cv_repeats(len(y))
    splits = outer_splits(y, seed, repeats)
    results = cross_validate(prepared, y, order, candidates, splits, progress, (0.0, 0.8))
    leaderboard = sorted(
        ({"algorithm": s.name, **results[s.name].summary()} for s in candidates), key=_sort_key
    )
    chosen = next(s for s in candidates if s.name == leaderboard[0]["algorithm"])
    group_splits = grouped(y, duplicate_groups(frame), seed)
    grouped_result = cross_validate(
        prepared, y, order, (chosen,), group_splits, progress, (0.8, 0.95)
    )[chosen.name].summary()
    estimator = refit(prepared, chosen, y, order)
    if progress is not None:
        progress(1.0, "fitted")
    metrics = {
        **{k: v for k, v in leaderboard[0].items() if k != "algorithm"},
        "grouped_cv_accuracy": grouped_result.get("cv_accuracy"),
        "n_ratings": len(y),
        "n_folds": len(splits),
        "baselines": baseline_metrics(frame, y, splits),
        "confusion_counts": confusion_note(len(y), len(splits), repeats if splits else 0),
    }
    metrics["verdict"] = verdict(metrics)
    return TrainedModel(
        estimator=estimator,
        algorithm=chosen.name,
        hyperparams=estimator.hyperparams,
        feature_version=estimator.feature_version,
        metrics=metrics,
        leaderboard=leaderboard,
        fit_seconds=round(time.perf_counter() - started, 4),
    )
