"""Predictions from a fitted model: the calibrated odds, and the rating and expected score
that the one decision rule takes from them."""

from __future__ import annotations

import pandas as pd
import scipy.sparse as sp

from shared.ml.decision import PredictionOut, predictions
from shared.ml.model import PostingModel


def predict(
    estimator: PostingModel, frame: pd.DataFrame, features: sp.csr_matrix | None = None
) -> list[PredictionOut]:
    """`features`: the rows' feature matrix, when the caller also wants to explain them."""
    if frame.empty:
        return []
    return predictions(estimator.predict_proba(frame, features))
