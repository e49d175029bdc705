"""A transparent pay-and-seniority score for users with too few ratings to learn from."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shared.ml.ordinal import N_CLASSES
from shared.ml.types import PredictionOut

HEURISTIC_EXPLANATION = (
    "Not enough ratings to learn your taste yet, so postings are ranked by a fixed rule: "
    "higher advertised pay scores higher (about +1 point from $60k to $200k a year, "
    "postings without pay sit in the middle), and mid-senior or director roles score a "
    "little above entry-level ones and internships. Rate more postings to get a personal model."
)

# Below this many ratings (or with a single rating value) serve the heuristic instead.
MIN_TRAINING_RATINGS = 10


def use_heuristic(ratings: list[int]) -> bool:
    return len(ratings) < MIN_TRAINING_RATINGS or len(set(ratings)) < 2


SENIORITY_POINTS = {
    "internship": -0.5,
    "entry": -0.25,
    "associate": 0.0,
    "mid-senior": 0.25,
    "director": 0.25,
    "executive": 0.0,
}
PAY_LOW_K, PAY_HIGH_K = 60.0, 200.0


def _pay_points(low: float, high: float) -> float:
    values = [v for v in (low, high) if not math.isnan(v)]
    if not values:
        return 0.0
    pay_k = float(np.mean(values)) / 1000.0
    return float(np.clip((pay_k - PAY_LOW_K) / (PAY_HIGH_K - PAY_LOW_K), 0.0, 1.0)) - 0.5


def _seniority_points(value: str) -> float:
    key = value.strip().lower().replace(" level", "").replace(" ", "-")
    return SENIORITY_POINTS.get(key, 0.0)


def heuristic_scores(frame: pd.DataFrame) -> list[PredictionOut]:
    out = []
    classes = np.arange(N_CLASSES)
    for row in frame.itertuples(index=False):
        score = 1.5 + _pay_points(float(row.annual_min), float(row.annual_max))
        score = float(np.clip(score + _seniority_points(str(row.seniority)), 0.0, 3.0))
        # A soft spread around the score, so the odds look as uncertain as they are.
        weights = np.exp(-((classes - score) ** 2))
        proba = weights / weights.sum()
        out.append(
            PredictionOut(
                predicted=int(np.argmax(proba)),
                probabilities=[round(float(p), 6) for p in proba],
                expected_score=round(score, 6),
            )
        )
    return out
