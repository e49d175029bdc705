"""Outer cross-validation shared by all candidates: features and Gram matrices once per fold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from shared.ml.candidates import FITTERS, CandidateSpec, FittedScorer
from shared.ml.decision import N_CLASSES
from shared.ml.featurizer import PreparedData
from shared.ml.folds import Split
from shared.ml.metrics import average, confusion, fold_metrics

Progress = Callable[[float, str], None]


@dataclass
class FoldGrams:
    names: list[str]
    train: list[np.ndarray]
    cross: list[np.ndarray]


def gram(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """a @ b.T as a dense array; dense-ish blocks (embeddings) are far faster via BLAS."""
    cells = a.shape[0] * a.shape[1] + b.shape[0] * b.shape[1]
    if cells and (a.nnz + b.nnz) > 0.2 * cells:
        return np.asarray(a.toarray() @ b.toarray().T)
    return np.asarray((a @ b.T).toarray())


def fold_grams(prepared: PreparedData, train: np.ndarray, test: np.ndarray) -> FoldGrams:
    """Vocabulary/IDF/scaling learned from `train` rows only, then Gram matrices per block."""
    fitted = prepared.fit_blocks(train)
    train_m = prepared.matrices(fitted, train)
    test_m = prepared.matrices(fitted, test)
    return FoldGrams(
        names=[block.name for block in fitted],
        train=[gram(m, m) for m in train_m],
        cross=[gram(t, m) for t, m in zip(test_m, train_m, strict=True)],
    )


@dataclass
class CVResult:
    folds: list[dict[str, float]] = field(default_factory=list)
    confusion: np.ndarray = field(default_factory=lambda: np.zeros((N_CLASSES, N_CLASSES), int))
    hyperparams: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {**average(self.folds), "confusion_matrix": self.confusion.tolist()}


def fit_candidate(
    spec: CandidateSpec,
    grams: list[np.ndarray],
    names: list[str],
    y: np.ndarray,
    order: np.ndarray,
) -> FittedScorer:
    return FITTERS[spec.model](spec, grams, names, y, order)


def cross_validate(
    prepared: PreparedData,
    y: np.ndarray,
    order: np.ndarray,
    specs: tuple[CandidateSpec, ...],
    splits: list[Split],
    progress: Progress | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> dict[str, CVResult]:
    results = {spec.name: CVResult() for spec in specs}
    for i, (train, test) in enumerate(splits):
        grams = fold_grams(prepared, train, test)
        for spec in specs:
            scorer = fit_candidate(spec, grams.train, grams.names, y[train], order[train])
            proba, predicted, expected = scorer.predict(grams.cross)
            result = results[spec.name]
            result.folds.append(fold_metrics(predicted, proba, expected, y[test]))
            result.confusion += np.asarray(confusion(predicted, y[test]))
            result.hyperparams.append(scorer.hyperparams)
        if progress is not None:
            low, high = span
            progress(low + (high - low) * (i + 1) / len(splits), f"fold {i + 1}/{len(splits)}")
    return results
