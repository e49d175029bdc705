"""What the ml package hands back to the worker and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.ml.model import PostingModel


@dataclass
class TrainedModel:
    estimator: PostingModel
    algorithm: str
    hyperparams: dict[str, Any]
    feature_version: str
    metrics: dict[str, Any]
    leaderboard: list[dict[str, Any]] = field(default_factory=list)
    fit_seconds: float = 0.0
