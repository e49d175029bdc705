"""The training/prediction input: one row per posting, built from plain dicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

TEXT_COLUMNS = (
    "title",
    "company",
    "location",
    "country",
    "description_text",
    "seniority",
    "employment_type",
    "workplace_type",
    # Optional, for display only: the currency pay was advertised in.
    "salary_currency",
)
NUMBER_COLUMNS = ("annual_min", "annual_max", "years_experience", "pay_local")
FRAME_COLUMNS = (
    *TEXT_COLUMNS,
    "annual_min",
    "annual_max",
    # Optional, for display only: mid-point of the advertised annual pay, in its own currency.
    "pay_local",
    "skills",
    "years_experience",
    "rated_at",
    "embedding",
)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _skills(value: Any) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(s).strip() for s in value if str(s).strip()]


def _embedding(value: Any) -> np.ndarray | None:
    if value is None or isinstance(value, float):
        return None
    vector = np.asarray(value, dtype=np.float32).ravel()
    return vector if vector.size else None


def posting_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Normalise records (missing keys allowed) into the frame every ml function takes."""
    columns: dict[str, list[Any]] = {name: [] for name in FRAME_COLUMNS}
    for record in records:
        for name in TEXT_COLUMNS:
            columns[name].append(_text(record.get(name)))
        for name in NUMBER_COLUMNS:
            columns[name].append(_number(record.get(name)))
        columns["skills"].append(_skills(record.get("skills")))
        columns["rated_at"].append(record.get("rated_at"))
        columns["embedding"].append(_embedding(record.get("embedding")))
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    )
    for name in TEXT_COLUMNS:
        frame[name] = frame[name].astype(object)
    for name in NUMBER_COLUMNS:
        frame[name] = frame[name].astype(float)
    frame["rated_at"] = pd.to_datetime(frame["rated_at"], utc=True, errors="coerce")
    return frame


def column_lists(frame: pd.DataFrame, names: Sequence[str]) -> list[list[Any]]:
    """Columns as plain lists without building a Series for each: `frame[name]` costs ~25 µs
    a column, most of the time to explain one posting. `_get_column_array` is pandas' own
    fast path (private, but there since pandas 1.3)."""
    return [frame._get_column_array(frame.columns.get_loc(n)).tolist() for n in names]
