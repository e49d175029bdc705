"""A transparent pay-and-seniority score for users with too few ratings to learn from."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shared.ml.decision import CLASSES, PredictionOut, predictions

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
NEUTRAL = 1.5


def _pay_points(low: float, high: float) -> float:
    values = [v for v in (low, high) if not math.isnan(v)]
    if not values:
        return 0.0
    pay_k = float(np.mean(values)) / 1000.0
    return float(np.clip((pay_k - PAY_LOW_K) / (PAY_HIGH_K - PAY_LOW_K), 0.0, 1.0)) - 0.5


def _seniority_points(value: str) -> float:
    key = value.strip().lower().replace(" level", "").replace(" ", "-")
    return SENIORITY_POINTS.get(key, 0.0)


def heuristic_parts(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Points for pay and for seniority of each posting, around the neutral 1.5."""
    pay = [
        _pay_points(float(low), float(high))
        for low, high in zip(frame["annual_min"], frame["annual_max"], strict=True)
    ]
    seniority = [_seniority_points(str(v)) for v in frame["seniority"]]
    return np.array(pay, dtype=float), np.array(seniority, dtype=float)


def heuristic_proba(score: np.ndarray) -> np.ndarray:
    """A soft spread around each score, so the odds look as uncertain as they are."""
    clipped = np.clip(np.asarray(score, float), 0.0, 3.0)
    weights = np.exp(-((CLASSES[None, :] - clipped[:, None]) ** 2))
    return weights / weights.sum(axis=1, keepdims=True)


def heuristic_proba_of(frame: pd.DataFrame) -> np.ndarray:
    pay, seniority = heuristic_parts(frame)
    return heuristic_proba(NEUTRAL + pay + seniority)


def heuristic_scores(frame: pd.DataFrame) -> list[PredictionOut]:
    """The heuristic's odds; rating and expected score come from them like any model's."""
    return predictions(heuristic_proba_of(frame)) if len(frame) else []
