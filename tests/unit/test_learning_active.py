"""Rate-next's selection: the hashed TF-IDF equals scikit-learn's, the odds parse in bulk,
and the greedy picks trade uncertainty against similarity to earlier picks."""

from __future__ import annotations

import json

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from shared.learning.active import (
    entropy,
    parse_odds,
    pick_informative,
    space_text,
    space_vectors,
)

TEXTS = [
    space_text("Senior Data Scientist", "Mid-Senior level", 180_000.0),
    space_text("Data Scientist", "Entry level", 90_000.0),
    space_text("Barista", "Entry level", None),
    space_text("C++ / C# Developer", None, 130_000.0),
    space_text("Senior Barista", "Associate", 30_000.0),
    "",
]


def test_hashed_tfidf_matches_scikit_learn() -> None:
    ours = space_vectors(TEXTS[:-1])
    theirs = TfidfVectorizer(token_pattern=r"[A-Za-z0-9+#]+").fit_transform(TEXTS[:-1])
    assert np.allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray())
    # An empty text is similar to nothing (and not NaN).
    with_empty = space_vectors(TEXTS)
    assert np.all((with_empty @ with_empty.T).toarray()[-1] == 0)


def test_odds_parse_in_bulk_like_json() -> None:
    rng = np.random.default_rng(3)
    odds = rng.dirichlet(np.ones(4), 50).round(4)
    texts = [json.dumps(list(row)) for row in odds]
    texts[0] = texts[0].replace(", ", ",")  # spacing differs between databases
    assert np.array_equal(parse_odds(texts), np.array([json.loads(t) for t in texts]))
    assert parse_odds([]).shape == (0, 4)


def test_picks_prefer_uncertain_and_then_different() -> None:
    sure, unsure = [0.97, 0.01, 0.01, 0.01], [0.25, 0.25, 0.25, 0.25]
    proba = np.array([unsure, unsure, sure, unsure, sure, sure])
    picks = pick_informative(TEXTS, proba, 3)
    assert picks[0] in (0, 1, 3)
    # The second data-science posting is as uncertain, but too like the first pick.
    assert set(picks[:2]) != {0, 1}
    assert len(set(picks)) == 3
    assert entropy(proba)[0] > entropy(proba)[2]
    assert pick_informative([], np.zeros((0, 4)), 3) == []


def test_most_of_a_batch_covers_the_space_whatever_the_model_is_unsure_of() -> None:
    """Uncertainty alone asks about one kind of job (the model's middle rating) again and
    again; the batch's first two thirds go to the kinds not yet covered instead."""
    science = [
        space_text(f"Data Scientist {where}", "Mid-Senior level", 180_000.0)
        for where in ("Remote", "London", "Hybrid", "Berlin")
    ]
    others = [
        space_text("Nurse", "Entry level", 60_000.0),
        space_text("Accountant", "Associate", 90_000.0),
        space_text("Barista", "Entry level", None),
    ]
    sure, unsure = [0.97, 0.01, 0.01, 0.01], [0.25, 0.25, 0.25, 0.25]
    proba = np.array([unsure] * 4 + [sure] * 3)
    # The old rule (no coverage share) spends a batch of three on the data scientists.
    assert pick_informative(science + others, proba, 3, cover_share=0.0) == [0, 1, 2]
    picks = pick_informative(science + others, proba, 6)
    assert set(picks[:4]) == {0, 4, 5, 6}  # four picks, four kinds of job
    assert set(picks[4:]) <= {1, 2, 3}  # then the uncertain ones
    # Deterministic: the same candidates give the same batch.
    assert pick_informative(science + others, proba, 6) == picks
