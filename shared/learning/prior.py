"""The prior scorer: stated preferences turned into the same calibrated distribution over
ratings 0-3 a model gives, so a user is served something personal at 0 ratings."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from shared.extraction.currency import to_usd
from shared.learning.schemas import Preferences
from shared.ml.decision import CLASSES, PredictionOut, predictions
from shared.ml.heuristic import heuristic_scores

PRIOR_EXPLANATION = (
    "Not enough ratings to learn your taste yet, so postings are scored by your stated "
    "preferences: wanted title words, pay at or above your minimum, your workplace types, "
    "places, seniorities and skills raise a posting; title words you never want lower it."
)

# Points each preference moves the 0-3 score; a wanted title word matters most.
WANT_POINTS, AVOID_POINTS = 0.9, 1.4
PAY_POINTS, FACT_POINTS, SKILL_POINTS = 0.5, 0.2, 0.15
# How spread the distribution is around the score: the prior is a guess, not a model.
SPREAD = 0.9


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9+#]+", text.lower())) + " "


def _has(text: str, phrases: list[str]) -> bool:
    return any(_words(p) in text for p in phrases)


def _seniority(value: str) -> str:
    return value.strip().lower().replace(" level", "").replace(" ", "-")


def distribution(points: np.ndarray, spread: float = SPREAD) -> np.ndarray:
    """A soft distribution over ratings 0-3 centred on each score."""
    score = np.asarray(points, dtype=float).reshape(-1, 1)
    weights = np.exp(-((CLASSES[None, :] - score) ** 2) / (2 * spread**2))
    return np.asarray(weights / weights.sum(axis=1, keepdims=True))


def prior_points(frame: pd.DataFrame, prefs: Preferences) -> np.ndarray:
    """The prior's score on the 0-3 scale for each posting."""
    base = np.array([o.expected_score for o in heuristic_scores(frame)])
    min_usd = to_usd(prefs.min_pay, prefs.currency) if prefs.min_pay else None
    want = [_words(k).strip() for k in prefs.want_keywords]
    avoid = [_words(k).strip() for k in prefs.avoid_keywords]
    places = [p.lower() for p in prefs.locations]
    skills = set(prefs.skills)
    out = []
    for i, row in enumerate(frame.itertuples(index=False)):
        # Without pay preferences the heuristic's pay and seniority rule is the base.
        score = base[i] if min_usd is None and not prefs.seniorities else 1.5
        title = _words(str(row.title))
        if want:
            score += WANT_POINTS if _has(title, want) else -WANT_POINTS / 2
        if avoid and _has(title, avoid):
            score -= AVOID_POINTS
        pay = [v for v in (float(row.annual_min), float(row.annual_max)) if not math.isnan(v)]
        if min_usd is not None and pay:
            score += PAY_POINTS if max(pay) >= min_usd else -PAY_POINTS
        if prefs.workplace_types and str(row.workplace_type).strip():
            hit = str(row.workplace_type).strip().lower() in prefs.workplace_types
            score += FACT_POINTS if hit else -FACT_POINTS
        if places:
            where = f"{row.location} {row.country}".lower()
            score += FACT_POINTS if any(p in where for p in places) else -FACT_POINTS
        if prefs.seniorities and str(row.seniority).strip():
            hit = _seniority(str(row.seniority)) in prefs.seniorities
            score += FACT_POINTS if hit else -FACT_POINTS
        if skills:
            shared = len(skills & {str(s).lower() for s in row.skills})
            score += SKILL_POINTS * min(shared, 4)
        out.append(float(np.clip(score, 0.0, 3.0)))
    return np.array(out)


def prior_proba(frame: pd.DataFrame, prefs: Preferences) -> np.ndarray:
    """The prior's distribution over ratings 0-3 per posting (what a blend shrinks towards)."""
    return distribution(prior_points(frame, prefs))


def prior_scores(frame: pd.DataFrame, prefs: Preferences) -> list[PredictionOut]:
    """Rating and expected score from the prior's odds, by the one decision rule."""
    return predictions(prior_proba(frame, prefs)) if len(frame) else []
