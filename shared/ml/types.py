"""What the ml package hands back to the worker and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from shared.ml.model import PostingModel


class PredictionOut(BaseModel):
    predicted: int = Field(ge=0, le=3)
    # P(rating = 0..3); sums to 1.
    probabilities: list[float]
    # Probability-weighted rating, 0..3: what recommendations are ranked by.
    expected_score: float


@dataclass
class TrainedModel:
    estimator: PostingModel
    algorithm: str
    hyperparams: dict[str, Any]
    feature_version: str
    metrics: dict[str, Any]
    leaderboard: list[dict[str, Any]] = field(default_factory=list)
    fit_seconds: float = 0.0
