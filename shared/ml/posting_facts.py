"""Indicator features of a posting's extracted facts: pay and experience bands, seniority,
employment and workplace type, country, company, location and skills."""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from shared.ml.frame import column_lists

# Pay (k per year) and experience (years) bins: taste is rarely linear in either.
PAY_EDGES = (80.0, 120.0, 160.0, 200.0, 250.0)
YEARS_EDGES = (3.0, 6.0, 10.0)


ROW_FIELDS = (
    "title",
    "company",
    "location",
    "country",
    "seniority",
    "employment_type",
    "workplace_type",
    "annual_min",
    "annual_max",
    "skills",
    "years_experience",
)
Row = namedtuple("Row", ROW_FIELDS)  # type: ignore[misc]


def frame_rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as light tuples; far cheaper than DataFrame.itertuples for one posting."""
    return [Row(*values) for values in zip(*column_lists(frame, ROW_FIELDS), strict=True)]


def _bin(value: float, edges: tuple[float, ...], unit: str) -> str:
    if math.isnan(value):
        return "missing"
    bounds = (0.0, *edges, math.inf)
    for low, high in zip(bounds, bounds[1:], strict=False):
        if value < high:
            return f"{low:g}+{unit}" if math.isinf(high) else f"{low:g}-{high:g}{unit}"
    return "missing"


def _lower(value: Any) -> str:
    return str(value).strip().lower()


def _pay_k(row: Any) -> tuple[float, float]:
    low, high = float(row.annual_min), float(row.annual_max)
    low = high if math.isnan(low) else low
    high = low if math.isnan(high) else high
    return low / 1000.0, high / 1000.0


def row_tokens(kind: str, row: Any) -> list[str]:
    """The named indicator features of one posting for a token block."""
    if kind == "skills":
        return sorted({f"skill: {_lower(s)}" for s in row.skills if _lower(s)})
    if kind == "company":
        tokens = [f"company: {_lower(row.company)}"] if _lower(row.company) else []
        parts = [p.strip() for p in _lower(row.location).split(",") if p.strip()]
        return tokens + [f"location: {p}" for p in parts]
    low, high = _pay_k(row)
    tokens = [f"pay: {_bin((low + high) / 2, PAY_EDGES, 'k')}"]
    tokens.append(f"experience: {_bin(float(row.years_experience), YEARS_EDGES, ' yrs')}")
    for label, column in (
        ("seniority", "seniority"),
        ("employment", "employment_type"),
        ("workplace", "workplace_type"),
        ("country", "country"),
    ):
        value = _lower(getattr(row, column))
        tokens.append(f"{label}: {value or 'unknown'}")
    return tokens


def row_numbers(row: Any) -> list[float]:
    low, high = _pay_k(row)
    return [math.log1p(low), math.log1p(high), float(row.years_experience)]


NUMBER_NAMES = ("pay (min, log)", "pay (max, log)", "years of experience")


class TokenBlock:
    """Indicator features (and, for the profile, standardised numbers)."""

    def __init__(self, name: str, kind: str, *, numeric: bool = False) -> None:
        self.name = name
        self.kind = kind
        self.numeric = numeric

    def prepare(self, frame: pd.DataFrame) -> tuple[list[list[str]], np.ndarray]:
        rows = frame_rows(frame)
        tokens = [row_tokens(self.kind, row) for row in rows]
        numbers = np.array([row_numbers(row) for row in rows], dtype=float).reshape(len(rows), -1)
        return tokens, numbers if self.numeric else numbers[:, :0]

    def fit(self, prepared: tuple[list[list[str]], np.ndarray], rows: np.ndarray) -> TokenBlock:
        tokens, numbers = prepared
        seen = sorted({t for i in rows for t in tokens[i]})
        self.vocabulary_ = {t: j for j, t in enumerate(seen)}
        train = numbers[rows]
        # All-missing columns (e.g. no posting states experience) standardise to zeros.
        present = np.isfinite(train)
        count = present.sum(axis=0)
        total = np.where(present, train, 0.0).sum(axis=0)
        self.mean_ = np.where(count > 0, total / np.maximum(count, 1), 0.0)
        spread = np.where(present, (train - self.mean_) ** 2, 0.0).sum(axis=0)
        std = np.sqrt(spread / np.maximum(count, 1))
        self.std_ = np.where(std > 0, std, 1.0)
        return self

    def _matrix(self, tokens: list[list[str]], numbers: np.ndarray) -> sp.csr_matrix:
        indices: list[int] = []
        indptr = [0]
        for row in tokens:
            indices.extend(self.vocabulary_[t] for t in row if t in self.vocabulary_)
            indptr.append(len(indices))
        onehot = sp.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(len(tokens), len(self.vocabulary_))
        )
        if not self.numeric:
            return onehot
        # Missing numbers sit at the mean (0); the "missing" bin token carries the signal.
        scaled = np.nan_to_num((numbers - self.mean_) / self.std_)
        return sp.csr_matrix(sp.hstack([onehot, sp.csr_matrix(scaled)]))

    def transform_prepared(
        self, prepared: tuple[list[list[str]], np.ndarray], rows: np.ndarray
    ) -> sp.csr_matrix:
        tokens, numbers = prepared
        return self._matrix([tokens[i] for i in rows], numbers[rows])

    def transform(self, frame: pd.DataFrame) -> sp.csr_matrix:
        return self._matrix(*self.prepare(frame))

    def feature_names(self) -> list[str]:
        names = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return names + (list(NUMBER_NAMES) if self.numeric else [])
