"""The fitted per-user model: features -> linear score -> calibrated probabilities of 0-3."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from shared.ml.decision import CLASSES, decide
from shared.ml.featurizer import Featurizer
from shared.ml.ordinal import OrdinalCalibrator


class PostingModel:
    """Score = features @ coef + intercept; the calibrator turns a score into the odds of
    each rating, and the rating and expected score both come from those odds."""

    def __init__(
        self,
        featurizer: Featurizer,
        coef: np.ndarray,
        intercept: float,
        calibrator: OrdinalCalibrator,
        algorithm: str,
        hyperparams: dict[str, Any],
    ) -> None:
        self.featurizer = featurizer
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)
        self.calibrator = calibrator
        self.algorithm = algorithm
        self.hyperparams = hyperparams
        # What a typical one of the user's rated postings looks like (set by `remember`):
        # explanations are measured from it.
        self.reference_: dict[str, float] = {}
        self.pay_quartiles_: list[float] = []

    @property
    def feature_version(self) -> str:
        return self.featurizer.feature_version

    def features(self, frame: pd.DataFrame) -> sp.csr_matrix:
        return self.featurizer.transform(frame)

    def predict_proba(
        self, frame: pd.DataFrame, features: sp.csr_matrix | None = None
    ) -> np.ndarray:
        if features is None:
            features = self.features(frame)
        scores = np.asarray(features @ self.coef).ravel() + self.intercept
        return self.calibrator.predict_proba(scores)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return decide(self.predict_proba(frame))[1]

    def expected_scores(self, frame: pd.DataFrame) -> np.ndarray:
        return decide(self.predict_proba(frame))[2]

    def expected_of_scores(self, scores: np.ndarray) -> np.ndarray:
        """Mean rating of the calibrated distribution at raw scores (unrounded)."""
        return self.calibrator.predict_proba(np.asarray(scores, float)) @ CLASSES
