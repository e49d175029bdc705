"""The prototype's pipeline, kept only as the benchmark's yardstick.

Dense TF-IDF (1-3 grams) of the raw posting text plus min/max salary into a
random forest, exactly as the prototype did it (including the `.toarray()`).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer


class ReferenceModel:
    """TF-IDF + salary -> RandomForest, fitted on raw prototype text."""

    def __init__(self, seed: int = 42) -> None:
        self.seed = seed
        self.vectorizer = TfidfVectorizer(
            max_features=15000, ngram_range=(1, 3), stop_words="english"
        )
        self.forest = RandomForestClassifier(
            n_estimators=300, bootstrap=False, criterion="entropy", random_state=seed
        )

    def _matrix(self, texts: list[str], salaries: np.ndarray, *, fit: bool) -> np.ndarray:
        tfidf = self.vectorizer.fit_transform(texts) if fit else self.vectorizer.transform(texts)
        # The prototype densified the matrix; keep that so timings stay comparable.
        return np.hstack([tfidf.toarray(), salaries])

    def fit(self, texts: list[str], salaries: np.ndarray, y: np.ndarray) -> ReferenceModel:
        self.forest.fit(self._matrix(texts, salaries, fit=True), y)
        return self

    def predict(self, texts: list[str], salaries: np.ndarray) -> np.ndarray:
        return np.asarray(self.forest.predict(self._matrix(texts, salaries, fit=False)))
