"""Predictions from a fitted model: the calibrated odds, and the rating and expected score
that the one decision rule takes from them.

With stated preferences, the odds are a shrinkage blend: the learned model's distribution
weighs n^p / (n^p + k^p) against the prior's, so the prior fades as ratings accrue instead
of being switched off at a fixed count. The rule is applied to the blended distribution."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from shared.ml.decision import N_CLASSES, PredictionOut, predictions
from shared.ml.model import PostingModel

# The model's share after n ratings is n^p / (n^p + k^p): p = 1 is plain shrinkage; a larger
# p keeps the prior longer and then hands over faster. (k, p) are the pair
# tests/bench/bench_learning.py measures best on real ratings (README, "Learning from few
# ratings"): this rater's models beat his stated preferences on later postings only from
# some hundred ratings on.
BLEND_STRENGTH = 150.0
BLEND_POWER = 3.0


def model_weight(
    n_ratings: int, strength: float = BLEND_STRENGTH, power: float = BLEND_POWER
) -> float:
    """The learned model's share of the blend after `n_ratings` ratings."""
    if strength <= 0:
        return 1.0
    grown = (n_ratings / strength) ** power
    return grown / (1.0 + grown)


@dataclass(frozen=True)
class Blend:
    """The prior's distribution over ratings 0-3 per row, and the learned model's share."""

    prior: np.ndarray
    model_weight: float

    def mix(self, learned: np.ndarray) -> np.ndarray:
        prior = np.asarray(self.prior, dtype=float).reshape(-1, N_CLASSES)
        if prior.shape != learned.shape:
            raise ValueError(f"prior has {len(prior)} rows, the model scored {len(learned)}")
        w = float(np.clip(self.model_weight, 0.0, 1.0))
        return w * learned + (1.0 - w) * prior


def predict(
    estimator: PostingModel,
    frame: pd.DataFrame,
    features: sp.csr_matrix | None = None,
    blend: Blend | None = None,
) -> list[PredictionOut]:
    """`features`: the rows' feature matrix, when the caller also wants to explain them;
    `blend`: the prior to shrink towards, when the user stated preferences."""
    if frame.empty:
        return []
    proba = estimator.predict_proba(frame, features)
    return predictions(blend.mix(proba) if blend is not None else proba)
