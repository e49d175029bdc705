"""Fold plans that adapt to small users and keep duplicate postings together."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

Split = tuple[np.ndarray, np.ndarray]


def n_folds(y: np.ndarray, wanted: int = 5) -> int:
    """0 when there is nothing to cross-validate (too few ratings or one class)."""
    counts = np.bincount(y)
    if len(y) < 6 or np.count_nonzero(counts) < 2:
        return 0
    return int(min(wanted, len(y) // 3, counts.max()))


def stratified(y: np.ndarray, seed: int, wanted: int = 5) -> list[Split]:
    k = n_folds(y, wanted)
    if not k:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # classes smaller than k are fine
        return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(y, y))


def duplicate_groups(frame: pd.DataFrame) -> np.ndarray:
    """Same title, company and description = same posting, whatever its URL."""
    keys = [
        hashlib.sha1(
            "\x1f".join(" ".join(str(v).lower().split()) for v in (t, c, d)).encode()
        ).hexdigest()
        for t, c, d in zip(frame["title"], frame["company"], frame["description_text"], strict=True)
    ]
    return pd.factorize(pd.Series(keys))[0]


def grouped(y: np.ndarray, groups: np.ndarray, seed: int, wanted: int = 5) -> list[Split]:
    k = min(n_folds(y, wanted), len(np.unique(groups)))
    if k < 2:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        splitter = StratifiedGroupKFold(k, shuffle=True, random_state=seed)
        return list(splitter.split(y, y, groups))


def time_order(frame: pd.DataFrame) -> np.ndarray:
    """Rank of each rating in time (row order when undated; undated rows count as oldest)."""
    position = np.arange(len(frame), dtype=float)
    stamps = frame["rated_at"]
    if stamps.notna().sum() < 2:
        return position
    seconds = stamps.map(lambda t: t.timestamp() if pd.notna(t) else np.nan).to_numpy(float)
    filled = np.where(np.isnan(seconds), np.nanmin(seconds), seconds)
    return np.argsort(np.argsort(filled, kind="stable"), kind="stable").astype(float)
