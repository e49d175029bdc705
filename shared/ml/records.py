"""A `posting_frame` record from extraction output (used by the benchmark and wiring)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np

from shared.extraction.currency import to_usd
from shared.extraction.models import Extraction, PostingText


def _usd(amount: float | None, currency: str) -> float:
    usd = to_usd(amount, currency) if amount else None
    return math.nan if usd is None else usd


def posting_record(
    doc: PostingText,
    extraction: Extraction,
    *,
    rated_at: datetime | None = None,
    embedding: np.ndarray | None = None,
) -> dict[str, Any]:
    salary = extraction.salary
    return {
        "title": doc.title,
        "company": doc.company,
        "location": doc.location,
        "country": extraction.country,
        "description_text": doc.description_text,
        # Normalised labels when the rules found one, else the page's own wording.
        "seniority": extraction.seniority or doc.seniority,
        "employment_type": extraction.employment_type or doc.employment_type,
        "workplace_type": extraction.workplace_type or doc.workplace_type,
        # Pay in rough US dollars, so postings in different currencies compare.
        "annual_min": _usd(salary.annual_min, salary.currency) if salary else math.nan,
        "annual_max": _usd(salary.annual_max, salary.currency) if salary else math.nan,
        "skills": list(extraction.skills),
        "years_experience": extraction.years_experience,
        "rated_at": rated_at,
        "embedding": embedding,
    }
