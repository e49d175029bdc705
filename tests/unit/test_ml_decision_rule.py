"""One decision rule: the rating shown is the median of the odds shown, the expected score
their mean, for every model (degenerate ones and the heuristic included)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from shared.learning.prior import prior_proba, prior_scores
from shared.learning.schemas import Preferences
from shared.ml import PredictionOut, heuristic_scores, posting_frame, predict, train_model
from shared.ml.candidates import CANDIDATES
from shared.ml.scoring import Blend, model_weight

WORDS = [
    "data",
    "engineer",
    "sales",
    "python",
    "senior",
    "manager",
    "analyst",
    "cloud",
    "platform",
    "intern",
]


def random_postings(n: int, rng: np.random.Generator) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    for _ in range(n):
        title = " ".join(rng.choice(WORDS, size=3))
        pay = float(rng.integers(40, 300)) * 1000 if rng.random() < 0.7 else None
        records.append(
            {
                "title": title,
                "company": f"Company {rng.integers(6)}",
                "description_text": " ".join(rng.choice(WORDS, size=12)),
                "seniority": str(rng.choice(["entry", "mid-senior", "director", ""])),
                "annual_min": pay,
                "annual_max": pay,
                "skills": list(rng.choice(["Python", "SQL", "Excel", "Go"], size=2)),
                "years_experience": float(rng.integers(0, 10)),
            }
        )
    return posting_frame(records)


def disagreements(out: list[PredictionOut]) -> list[PredictionOut]:
    """Predictions whose rating is not a median, or whose expected score is not the mean."""
    bad = []
    for p in out:
        proba = np.asarray(p.probabilities)
        below, above = proba[: p.predicted + 1].sum(), proba[p.predicted :].sum()
        mean = float(proba @ np.arange(4))
        if below < 0.5 - 1e-6 or above < 0.5 - 1e-6 or abs(mean - p.expected_score) > 1e-6:
            bad.append(p)
    return bad


def users() -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    rng = np.random.default_rng(11)
    out = []
    for seed, n in ((1, 12), (2, 20), (3, 40), (4, 80)):
        frame = random_postings(n, np.random.default_rng(seed))
        out.append((f"signal-free {n}", frame, rng.integers(0, 4, size=n)))
    frame = random_postings(30, np.random.default_rng(5))
    out.append(("all one class", frame, np.full(30, 2)))
    out.append(("all zeros", frame, np.zeros(30, dtype=int)))
    same = posting_frame([frame.iloc[0].to_dict()] * 24)
    out.append(("constant postings", same, rng.integers(0, 4, size=24)))
    out.append(("two classes, 12 ratings", frame.iloc[:12], np.array([0, 3] * 6)))
    learnable = random_postings(60, np.random.default_rng(6))
    y = np.array([3 if "python" in t else 0 if "sales" in t else 1 for t in learnable["title"]])
    out.append(("learnable", learnable, y))
    return out


@pytest.mark.parametrize("name, frame, y", users(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_fitted_model_predicts_the_median_of_its_odds(
    name: str, frame: pd.DataFrame, y: np.ndarray
) -> None:
    candidates = random_postings(300, np.random.default_rng(99))
    for spec in CANDIDATES:
        trained = train_model(frame, y, candidates=(spec,), repeats=1)
        out = predict(trained.estimator, pd.concat([frame, candidates], ignore_index=True))
        assert disagreements(out) == [], f"{name} / {spec.name}"
        # The estimator's own shortcuts use the same rule.
        assert trained.estimator.predict(candidates).tolist() == [
            p.predicted for p in out[len(frame) :]
        ]


def test_the_heuristic_uses_the_same_rule() -> None:
    out = heuristic_scores(random_postings(500, np.random.default_rng(7)))
    assert len(out) == 500
    assert disagreements(out) == []
    # It is not a constant: pay and seniority move the odds.
    assert len({p.predicted for p in out}) >= 2


@pytest.mark.parametrize("n_ratings", [12, 24, 96, 351])
def test_blended_odds_follow_the_same_rule(n_ratings: int) -> None:
    """The prior and the model are blended as distributions, then the rule is applied: the
    rating is the median of the blended odds shown, the expected score their mean."""
    frame = random_postings(40, np.random.default_rng(8))
    y = np.array([3 if "python" in t else 0 if "sales" in t else 1 for t in frame["title"]])
    candidates = random_postings(300, np.random.default_rng(98))
    prefs = Preferences(want_keywords=["data"], avoid_keywords=["sales"], skills=["go"])
    prior = prior_proba(candidates, prefs)
    estimator = train_model(frame, y, repeats=1).estimator
    weight = model_weight(n_ratings)
    blended = predict(estimator, candidates, blend=Blend(prior, weight))
    assert disagreements(blended) == []
    assert disagreements(prior_scores(candidates, prefs)) == []
    # The blend is the weighted mix of the two distributions, to the rounding shown.
    learned = estimator.predict_proba(candidates)
    shown = np.array([p.probabilities for p in blended])
    assert np.abs(shown - (weight * learned + (1 - weight) * prior)).max() < 1e-3
    # More ratings, more model: the blend moves towards the learned distribution.
    assert 0 < model_weight(12) < model_weight(96) < model_weight(351) < 1


def test_a_blend_with_a_prior_of_the_wrong_length_is_refused() -> None:
    frame = random_postings(20, np.random.default_rng(9))
    estimator = train_model(frame, np.array([0, 1, 2, 3] * 5), repeats=1).estimator
    with pytest.raises(ValueError, match="prior has 3 rows"):
        predict(estimator, frame, blend=Blend(np.full((3, 4), 0.25), 0.5))
