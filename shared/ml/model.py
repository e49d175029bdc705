"""The fitted per-user model: features -> linear score -> 0-3 rating and probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from shared.ml.featurizer import Featurizer
from shared.ml.ordinal import N_CLASSES, OrdinalCalibrator, apply_cutpoints


class PostingModel:
    """Score = features @ coef + intercept; cut-points give the rating, the calibrator the odds."""

    def __init__(
        self,
        featurizer: Featurizer,
        coef: np.ndarray,
        intercept: float,
        cutpoints: np.ndarray,
        calibrator: OrdinalCalibrator,
        algorithm: str,
        hyperparams: dict[str, Any],
    ) -> None:
        self.featurizer = featurizer
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)
        self.cutpoints = np.asarray(cutpoints, dtype=float)
        self.calibrator = calibrator
        self.algorithm = algorithm
        self.hyperparams = hyperparams

    @property
    def feature_version(self) -> str:
        return self.featurizer.feature_version

    def features(self, frame: pd.DataFrame) -> sp.csr_matrix:
        return self.featurizer.transform(frame)

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.features(frame) @ self.coef).ravel() + self.intercept

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return apply_cutpoints(self.scores(frame), self.cutpoints)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.calibrator.predict_proba(self.scores(frame))

    def expected_scores(self, frame: pd.DataFrame) -> np.ndarray:
        return self.predict_proba(frame) @ np.arange(N_CLASSES)
