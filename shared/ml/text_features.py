"""Sublinear TF-IDF blocks of the posting's text (title words, title characters, description)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer


def unit_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale each row of a CSR matrix to unit L2 norm, in place (zero rows stay zero)."""
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=matrix.data**2, minlength=matrix.shape[0]))
    matrix.data /= np.where(norms > 0, norms, 1.0)[row_of]
    return matrix


class TextBlock:
    """Sublinear TF-IDF of one text column; vocabulary and IDF from training rows."""

    def __init__(
        self,
        name: str,
        column: str,
        label: str,
        *,
        analyzer: str = "word",
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int = 1,
        stop_words: str | None = None,
    ) -> None:
        self.name = name
        self.column = column
        self.label = label
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.stop_words = stop_words

    def _vectorizer(self, vocabulary: list[str] | None = None) -> CountVectorizer:
        return CountVectorizer(
            analyzer=self.analyzer,
            ngram_range=self.ngram_range,
            stop_words=self.stop_words,
            vocabulary=vocabulary,
            dtype=np.float64,
        )

    def prepare(self, frame: pd.DataFrame) -> tuple[sp.csr_matrix, np.ndarray]:
        vectorizer = self._vectorizer()
        texts = frame[self.column].tolist()
        try:
            counts = vectorizer.fit_transform(texts)
        except ValueError:  # every text empty: no vocabulary at all
            return sp.csr_matrix((len(texts), 0)), np.array([], dtype=object)
        return sp.csr_matrix(counts), vectorizer.get_feature_names_out().astype(object)

    def fit(self, prepared: tuple[sp.csr_matrix, np.ndarray], rows: np.ndarray) -> TextBlock:
        counts, terms = prepared
        df = np.asarray((counts[rows] > 0).sum(axis=0)).ravel()
        self.columns_ = np.flatnonzero(df >= max(1, min(self.min_df, len(rows) // 4)))
        n = len(rows)
        self.idf_ = np.log((1.0 + n) / (1.0 + df[self.columns_])) + 1.0
        self.terms_ = terms[self.columns_]
        self.vectorizer_: CountVectorizer | None = None
        return self

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear tf x idf, rows scaled to unit length (done by hand: this is the hot path)."""
        counts = sp.csr_matrix(counts, dtype=np.float64, copy=True)
        counts.data = (1.0 + np.log(counts.data)) * self.idf_[counts.indices]
        return unit_rows(counts)

    def transform_prepared(
        self, prepared: tuple[sp.csr_matrix, np.ndarray], rows: np.ndarray
    ) -> sp.csr_matrix:
        return self._weigh(prepared[0][rows][:, self.columns_])

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        if not len(self.terms_):
            return sp.csr_matrix((len(frame), 0))
        if self.vectorizer_ is None:  # built on first use: CV folds never need it
            self.vectorizer_ = self._vectorizer([str(t) for t in self.terms_])
        return self._weigh(self.vectorizer_.transform(frame[self.column].tolist()))

    def feature_names(self) -> list[str]:
        return [f"{self.label}: {term}" for term in self.terms_]

    # Artifacts store the vocabulary as one string: tens of thousands of list items would
    # make the skops file ~50x larger and slower to load. Fold-only state is dropped.
    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("vectorizer_", "columns_")}
        if "terms_" in state:
            state["terms_"] = "\n".join(str(t) for t in self.terms_)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "terms_" in state:
            terms = state["terms_"]
            state["terms_"] = np.array(terms.split("\n") if terms else [], dtype=object)
            state["vectorizer_"] = None
        self.__dict__.update(state)
