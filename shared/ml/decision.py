"""The one decision rule: every number shown about a posting comes from one distribution.

The predicted rating is the median of the class probabilities (the rating that minimises
the expected absolute error) and the expected score is their mean. Probabilities are
rounded first, so the rating always agrees with the probabilities a user is shown.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

N_CLASSES = 4
PROBABILITY_DECIMALS = 4
CLASSES = np.arange(N_CLASSES)


def decide(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rounded probabilities, median rating, mean rating) per row of `proba`."""
    shown = np.round(np.atleast_2d(np.asarray(proba, dtype=float)), PROBABILITY_DECIMALS)
    # Rounding can leave the odds summing to 0.9999; the largest class absorbs the rest.
    largest = np.argmax(shown, axis=1)
    rows = np.arange(len(shown))
    shown[rows, largest] = np.round(
        shown[rows, largest] + 1.0 - shown.sum(axis=1), PROBABILITY_DECIMALS
    )
    cumulative = np.cumsum(shown, axis=1)
    # Smallest rating whose cumulative probability reaches one half (tolerant of rounding).
    median = np.argmax(cumulative >= 0.5 - 1e-9, axis=1).astype(int)
    mean = np.round(shown @ CLASSES, PROBABILITY_DECIMALS)
    return shown, median, mean


class PredictionOut(BaseModel):
    predicted: int = Field(ge=0, le=3)
    # P(rating = 0..3), rounded as shown; `predicted` is their median.
    probabilities: list[float]
    # Their mean, 0..3: what recommendations are ranked by.
    expected_score: float


def predictions(proba: np.ndarray) -> list[PredictionOut]:
    shown, median, mean = decide(proba)
    return [
        PredictionOut(predicted=int(m), probabilities=[float(p) for p in row], expected_score=e)
        for row, m, e in zip(shown, median, mean, strict=True)
    ]
