"""The optional sentence-embedding block."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp


class EmbeddingBlock:
    """Unit sentence embeddings, centred on the training mean.

    Centring makes a posting without an embedding (a zero row) count as an
    average posting rather than as a strongly atypical one.
    """

    label = "semantic similarity (embedding)"

    def __init__(self, name: str = "embedding") -> None:
        self.name = name

    def prepare(
        self, frame: pd.DataFrame, width: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(unit vectors, has-embedding mask); vectors of another width count as missing."""
        if width is None:
            widths = [len(v) for v in frame["embedding"] if v is not None]
            width = max(set(widths), key=widths.count) if widths else 0
        matrix = np.zeros((len(frame), width), dtype=np.float64)
        present = np.zeros(len(frame), dtype=bool)
        for i, vector in enumerate(frame["embedding"]):
            if vector is not None and len(vector) == width:
                matrix[i], present[i] = vector, True
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))[:, None]
        return matrix / np.where(norms > 0, norms, 1.0), present

    def fit(self, prepared: tuple[np.ndarray, np.ndarray], rows: np.ndarray) -> EmbeddingBlock:
        matrix, present = prepared
        self.width_ = matrix.shape[1]
        train = matrix[rows][present[rows]]
        self.mean_ = train.mean(axis=0) if len(train) else np.zeros(self.width_)
        return self

    def _centred(self, matrix: np.ndarray, present: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix((matrix - self.mean_) * present[:, None])

    def transform_prepared(
        self, prepared: tuple[np.ndarray, np.ndarray], rows: np.ndarray
    ) -> sp.csr_matrix:
        matrix, present = prepared
        return self._centred(matrix[rows], present[rows])

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        return self._centred(*self.prepare(frame, self.width_))

    def feature_names(self) -> list[str]:
        return [f"{self.label} #{j}" for j in range(self.width_)]
