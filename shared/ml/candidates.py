"""Candidate models. All score postings linearly from block Gram matrices.

A candidate picks its hyperparameters by leave-one-out / inner CV on the
training rows it is given, then turns the held-out scores into calibrated
probabilities (the rating is their median, see decision.py). Nothing here sees
the outer test fold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shared.ml.all_threshold import KernelAllThreshold, ordinal_log_loss
from shared.ml.decision import decide
from shared.ml.folds import stratified
from shared.ml.kernel_ridge import KernelRidge
from shared.ml.ordinal import OrdinalCalibrator

ALPHA_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
# Posting facts (pay, seniority, ... and skills) start at half the weight of a text block:
# they are few, dense columns that otherwise dominate the kernel.
DEFAULT_SCALES = {"profile": 0.5, "skills": 0.5}
# Relative penalties of the all-threshold model, large to small (fits warm-start along it).
AT_ALPHAS = (0.3, 0.1, 0.03)
# The calibrator fits its thresholds (how often each rating is given) on the latest
# CALIBRATION_WINDOW ratings at full weight and older ones halving every
# CALIBRATION_HALFLIFE ratings: a rater's standards drift (the real rater of README
# "Learning from few ratings" gave far fewer 3s later on), and a small user's ratings all
# count fully. Chosen on that rater's pool only (a prequential walk over his ratings
# 150-250; several settings tie there, ahead of equal weights), never on his test rows.
CALIBRATION_WINDOW, CALIBRATION_HALFLIFE = 100.0, 50.0


@dataclass(frozen=True)
class CandidateSpec:
    name: str
    model: str = "ridge"
    # Half-life of rating weights, as a share of the training ratings; None = equal weights.
    recency_halflife: float | None = None


@dataclass
class FittedScorer:
    scales: np.ndarray
    dual: np.ndarray
    intercept: float
    calibrator: OrdinalCalibrator
    hyperparams: dict[str, Any] = field(default_factory=dict)

    def scores(self, cross: list[np.ndarray]) -> np.ndarray:
        gram = combine(cross, self.scales)
        return gram @ self.dual + self.intercept

    def predict(self, cross: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(probabilities, median rating, expected rating) of the test rows."""
        return decide(self.calibrator.predict_proba(self.scores(cross)))


def combine(grams: list[np.ndarray], scales: np.ndarray) -> np.ndarray:
    total = np.zeros_like(grams[0])
    for gram, scale in zip(grams, scales, strict=True):
        if scale:
            total += (scale * scale) * gram
    return total


def recency_weights(order: np.ndarray, halflife: float | None) -> np.ndarray:
    """order: time rank of each training rating (larger = later)."""
    if halflife is None or len(order) == 0:
        return np.ones(len(order))
    age = (order.max() - order) / max(len(order), 1)
    return np.power(0.5, age / halflife)


def calibration_weights(order: np.ndarray) -> np.ndarray:
    """Weight of each rating in the calibrator: 1 for the latest CALIBRATION_WINDOW, then
    halving every CALIBRATION_HALFLIFE ratings further back."""
    if len(order) == 0:
        return np.ones(0)
    age = order.max() - order
    return np.power(0.5, np.maximum(age - CALIBRATION_WINDOW, 0.0) / CALIBRATION_HALFLIFE)


def _loo_error(ridge: KernelRidge, weights: np.ndarray) -> tuple[float, float]:
    best = (np.inf, 0.0)
    for alpha in ridge.penalties(ALPHA_GRID):
        error = float(np.average((ridge.loo_predictions(alpha) - ridge.y) ** 2, weights=weights))
        best = min(best, (error, float(alpha)))
    return best


def _calibrator(held_out: np.ndarray, y: np.ndarray, order: np.ndarray) -> dict[str, Any]:
    """Calibrated probabilities from held-out scores only, recent ratings weighing more and
    each rating as often as in the latest CALIBRATION_WINDOW (unchanged for a user with no
    more ratings than that)."""
    weights = calibration_weights(order)
    recent = order.max() - order < CALIBRATION_WINDOW if len(order) else None
    return {"calibrator": OrdinalCalibrator().fit(held_out, y, weights, recent)}


def default_scales(names: list[str]) -> np.ndarray:
    return np.array([DEFAULT_SCALES.get(name, 1.0) for name in names])


def _setup(
    spec: CandidateSpec, grams: list[np.ndarray], names: list[str], order: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample weights, block scales and the combined similarity matrix of one fit."""
    scales = default_scales(names)
    return recency_weights(order, spec.recency_halflife), scales, combine(grams, scales)


def fit_ridge(
    spec: CandidateSpec,
    grams: list[np.ndarray],
    names: list[str],
    y: np.ndarray,
    order: np.ndarray,
) -> FittedScorer:
    """Kernel ridge regression on the ratings; penalty by exact leave-one-out."""
    weights, scales, gram = _setup(spec, grams, names, order)
    ridge = KernelRidge(gram, y, weights)
    _, alpha = _loo_error(ridge, weights)
    held_out = ridge.loo_predictions(alpha)
    dual, intercept = ridge.dual(alpha, gram)
    return FittedScorer(
        scales=scales,
        dual=dual,
        intercept=intercept,
        **_calibrator(held_out, y, order),
        hyperparams={
            "alpha": alpha,
            "block_scales": [float(s) for s in scales],
            "recency_halflife": spec.recency_halflife,
        },
    )


def fit_all_threshold(
    spec: CandidateSpec,
    grams: list[np.ndarray],
    names: list[str],
    y: np.ndarray,
    order: np.ndarray,
) -> FittedScorer:
    """All-threshold ordinal logistic; penalty by inner 3-fold ordinal log-loss."""
    weights, scales, gram = _setup(spec, grams, names, order)
    losses = np.zeros(len(AT_ALPHAS))
    held_out = np.zeros((len(AT_ALPHAS), len(y)))
    inner = stratified(y, seed=len(y), wanted=3)
    for train, test in inner:
        model = KernelAllThreshold(gram[np.ix_(train, train)], y[train], weights[train])
        for j, alpha in enumerate(AT_ALPHAS):
            model.fit(alpha)
            scores = gram[np.ix_(test, train)] @ model.dual()
            losses[j] += len(test) * ordinal_log_loss(scores, y[test], model.thresholds)
            # Centre on the thresholds so scores from different inner models line up.
            held_out[j, test] = scores - model.thresholds.mean()
    best = int(np.argmin(losses)) if inner else 0
    full = KernelAllThreshold(gram, y, weights)
    for alpha in AT_ALPHAS[: best + 1]:
        full.fit(alpha)
    oof = held_out[best] if inner else gram @ full.dual() - full.thresholds.mean()
    return FittedScorer(
        scales=scales,
        dual=full.dual(),
        intercept=-float(full.thresholds.mean()),
        **_calibrator(oof, y, order),
        hyperparams={"alpha": AT_ALPHAS[best], "recency_halflife": spec.recency_halflife},
    )


FITTERS = {"ridge": fit_ridge, "all_threshold": fit_all_threshold}

CANDIDATES = (
    CandidateSpec("ridge_ordinal"),
    CandidateSpec("ridge_ordinal_recency", recency_halflife=0.5),
    CandidateSpec("all_threshold_logistic", model="all_threshold"),
)
