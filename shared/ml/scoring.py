"""Predictions, per-posting explanations and per-user drivers from a fitted model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from shared.ml.blocks import EmbeddingBlock, TextBlock, TokenBlock
from shared.ml.model import PostingModel
from shared.ml.ordinal import N_CLASSES
from shared.ml.types import PredictionOut

CHAR_FEATURE = "title wording (character patterns)"


def predict(estimator: PostingModel, frame: pd.DataFrame) -> list[PredictionOut]:
    if frame.empty:
        return []
    scores = estimator.scores(frame)
    predicted = np.searchsorted(estimator.cutpoints, scores, side="right")
    proba = estimator.calibrator.predict_proba(scores)
    expected = proba @ np.arange(N_CLASSES)
    return [
        PredictionOut(
            predicted=int(c),
            probabilities=[round(float(p), 6) for p in row],
            expected_score=round(float(e), 6),
        )
        for c, row, e in zip(predicted, proba, expected, strict=True)
    ]


def _display_names(estimator: PostingModel) -> list[str]:
    """Feature names, with unreadable ones (char n-grams, embedding dims) collapsed."""
    names: list[str] = []
    for block, _ in estimator.featurizer.block_slices():
        if isinstance(block, EmbeddingBlock):
            names += [EmbeddingBlock.label] * block.width_
        elif isinstance(block, TextBlock) and block.analyzer != "word":
            names += [CHAR_FEATURE] * len(block.terms_)
        else:
            names += block.feature_names()
    return names


def rating_slope(estimator: PostingModel, score: float) -> float:
    """d expected rating / d score at `score`: turns score units into rating points."""
    step = 1e-3 * estimator.calibrator.scale_
    grid = np.array([score - step, score + step])
    low, high = estimator.calibrator.predict_proba(grid) @ np.arange(N_CLASSES)
    return float((high - low) / (2 * step))


def explain(estimator: PostingModel, frame: pd.DataFrame, top: int = 8) -> list[dict[str, Any]]:
    """What pushed this posting's expected rating up or down most (first row only).

    Each feature's share of the linear score, in rating points at a typical posting
    (scaled by the calibrator's slope at the mean training score, as `drivers` is).
    """
    slope = rating_slope(estimator, estimator.calibrator.center_)
    row = estimator.features(frame.iloc[:1]).tocoo()
    names = _display_names(estimator)
    effects: dict[str, float] = {}
    for j, value in zip(row.col, row.data, strict=True):
        effect = float(value * estimator.coef[j]) * slope
        if effect:
            effects[names[j]] = effects.get(names[j], 0.0) + effect
    ranked = sorted(effects.items(), key=lambda kv: -abs(kv[1]))[:top]
    return [{"feature": name, "effect": round(effect, 4)} for name, effect in ranked]


def _ranked(items: list[tuple[str, float]], top: int) -> dict[str, list[dict[str, Any]]]:
    ordered = sorted(items, key=lambda kv: kv[1])
    return {
        "raise": [
            {"feature": n, "weight": round(float(w), 4)} for n, w in ordered[::-1][:top] if w > 0
        ],
        "lower": [{"feature": n, "weight": round(float(w), 4)} for n, w in ordered[:top] if w < 0],
    }


def drivers(estimator: PostingModel, top: int = 15) -> dict[str, Any]:
    """Words, skills and posting facts whose presence most raises or lowers this user's ratings.

    Weights are in rating points at a typical posting (the slope at the mean training score).
    """
    slope = rating_slope(estimator, estimator.calibrator.center_)
    terms: list[tuple[str, float]] = []
    skills: list[tuple[str, float]] = []
    facts: list[tuple[str, float]] = []
    for block, span in estimator.featurizer.block_slices():
        weights = estimator.coef[span] * slope
        if isinstance(block, TextBlock) and block.analyzer == "word":
            # Scale by the block's weight so title words and description words compare.
            terms += zip(
                block.feature_names(), weights * np.asarray(block.idf_).mean(), strict=True
            )
        elif isinstance(block, TokenBlock):
            target = skills if block.kind == "skills" else facts
            target += zip(block.feature_names(), weights, strict=True)
    return {
        "terms": _ranked(terms, top),
        "skills": _ranked(skills, top),
        "facts": _ranked(facts, top),
        "algorithm": estimator.algorithm,
    }
