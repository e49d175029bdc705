"""train_model / predict / explain / drivers / artifacts on small synthetic users."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

from shared.ml import (
    ModelIntegrityError,
    PostingModel,
    TrainedModel,
    UntrustedModelError,
    beats_majority,
    drivers,
    dump_model,
    explain,
    load_model,
    model_sha256,
    posting_frame,
    predict,
    train_model,
)
from shared.ml.explanation import significant

# Title -> the rating this synthetic user gives it.
TASTE = {
    "Data Engineer": 3,
    "Senior Data Engineer": 3,
    "Machine Learning Engineer": 2,
    "Backend Developer": 2,
    "QA Tester": 1,
    "Sales Manager": 0,
}
METRIC_KEYS = {
    "cv_accuracy",
    "cv_mae",
    "cv_mse",
    "cv_log_loss",
    "grouped_cv_accuracy",
    "spearman",
    "top_decile_precision",
    "confusion_matrix",
    "n_ratings",
    "n_folds",
    "baselines",
    "confusion_counts",
    "verdict",
}


def synthetic_user(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    titles = list(TASTE)
    records: list[dict[str, Any]] = []
    ratings = []
    for i in range(n):
        title = titles[i % len(titles)]
        rating = TASTE[title]
        records.append(
            {
                "title": title,
                "company": f"Company {rng.integers(8)}",
                "location": "Austin, Texas, United States",
                "country": "United States",
                "description_text": f"We hire a {title} to work with {rng.choice(['sql', 'go'])}.",
                "seniority": "mid-senior" if rating >= 2 else "entry",
                "employment_type": "full-time",
                "workplace_type": "remote",
                "annual_min": 90_000 + 30_000 * rating if i % 4 else None,
                "annual_max": None,
                "skills": ["Python", "SQL"] if rating >= 2 else ["Excel"],
                "years_experience": float(rng.integers(1, 8)),
                "rated_at": pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(days=i),
                "embedding": None,
            }
        )
        ratings.append(rating)
    return posting_frame(records), np.array(ratings)


@pytest.fixture(scope="module")
def trained() -> tuple[TrainedModel, pd.DataFrame, np.ndarray]:
    frame, y = synthetic_user(48)
    return train_model(frame, y, seed=7), frame, y


def test_train_model_reports_leaderboard_and_metrics(trained: Any) -> None:
    model, _, _ = trained
    assert isinstance(model.estimator, PostingModel)
    assert set(model.metrics) == METRIC_KEYS
    assert model.metrics["n_ratings"] == 48
    assert model.metrics["cv_accuracy"] == 1.0
    assert model.metrics["cv_mae"] == 0.0
    assert np.asarray(model.metrics["confusion_matrix"]).shape == (4, 4)
    assert {row["algorithm"] for row in model.leaderboard} == {
        "ridge_ordinal",
        "ridge_ordinal_recency",
        "all_threshold_logistic",
    }
    assert model.algorithm == model.leaderboard[0]["algorithm"]
    assert model.feature_version == model.estimator.feature_version
    assert model.fit_seconds > 0
    # Stored as JSON by the worker.
    json.dumps([model.metrics, model.leaderboard, model.hyperparams])


def test_predict_returns_ratings_probabilities_and_ranking_score(trained: Any) -> None:
    model, frame, y = trained
    out = predict(model.estimator, frame)
    assert [p.predicted for p in out] == y.tolist()
    for p in out:
        assert len(p.probabilities) == 4
        assert sum(p.probabilities) == pytest.approx(1.0, abs=1e-5)
        # The rating shown is the median of the odds shown.
        assert p.predicted == int(np.sum(np.cumsum(p.probabilities) < 0.5))
    by_rating = {
        r: np.mean([p.expected_score for p, t in zip(out, y, strict=True) if t == r])
        for r in TASTE.values()
    }
    assert by_rating[0] < by_rating[1] < by_rating[2] < by_rating[3]


def test_explanation_adds_up_and_names_title_words(trained: Any) -> None:
    model, frame, _ = trained
    out = predict(model.estimator, frame)
    whys = explain(model.estimator, frame, np.array([o.expected_score for o in out]))
    for o, why in zip(out, whys, strict=True):
        total = why["baseline"] + sum(c["effect"] for c in why["contributions"])
        assert total == pytest.approx(o.expected_score, abs=1e-5)
        assert why["expected_score"] == o.expected_score
    # The first posting is a "Data Engineer", rated 3: its title raises the score.
    title = next(c for c in whys[0]["contributions"] if c["group"] == "title")
    assert title["effect"] > 0 and title["label"].startswith("title mentions '")
    assert "data" in title["label"] or "engineer" in title["label"]
    found = drivers(model.estimator, frame, top=3)
    raise_names = [d["feature"] for d in found["terms"]["raise"]]
    lower_names = [d["feature"] for d in found["terms"]["lower"]]
    assert any("data" in name for name in raise_names)
    assert any("sales" in name or "manager" in name for name in lower_names)
    assert all(name.startswith(("title mentions", "description mentions")) for name in raise_names)


def test_fact_drivers_name_pay_bands_in_dollars_with_the_advertised_currencies(
    trained: Any,
) -> None:
    model, frame, _ = trained

    def pay_bands(currencies: list[str]) -> list[str]:
        shown = frame.copy()  # pay is already in US$ equivalents; the currency is for display
        shown["salary_currency"] = currencies
        facts = drivers(model.estimator, shown, top=15)["facts"]
        for d in (d for side in facts.values() for d in side):  # two significant digits
            assert d["shown"][0] in "+-" and d["shown"] == significant(d["effect"]), d
        features = [d["feature"] for side in facts.values() for d in side]
        return [f for f in features if f.startswith("pay $")]

    assert pay_bands(["USD"] * len(frame))
    assert all(f.endswith("/yr (US$)") for f in pay_bands(["USD"] * len(frame)))
    assert all(f.endswith("/yr (≈US$ from EUR)") for f in pay_bands(["EUR"] * len(frame)))
    mixed = pay_bands(["EUR" if i % 2 else "USD" for i in range(len(frame))])
    assert any("from EUR, USD" in f or "from USD, EUR" in f for f in mixed), mixed


def test_baselines_are_scored_on_the_same_folds_and_the_verdict_says_so(trained: Any) -> None:
    model, _, y = trained
    majority = model.metrics["baselines"]["majority"]
    assert majority["rating"] == int(np.bincount(y).argmax())
    # 48 ratings in a 2:2:1:1 cycle: the usual rating (3 or 2) is right a third of the time.
    assert majority["cv_accuracy"] == pytest.approx(1 / 3, abs=0.05)
    assert model.metrics["baselines"]["heuristic"]["cv_mae"] is not None
    assert beats_majority(model.metrics)
    words = model.metrics["verdict"]
    assert words.startswith("Right 100 % of the time")
    assert f"always guessing {majority['rating']} would be right 3" in words
    assert "3 repeats of 5-fold" in model.metrics["confusion_counts"]
    assert sum(map(sum, model.metrics["confusion_matrix"])) == 3 * 48


def test_signal_free_ratings_lose_to_the_majority_baseline() -> None:
    # Ratings drawn at random, whatever the posting (mostly 3s, so the mode is the median).
    frame, _ = synthetic_user(40, seed=6)
    y = np.random.default_rng(6).choice([0, 1, 2, 3], p=[0.1, 0.15, 0.15, 0.6], size=40)
    model = train_model(frame, y, seed=1)
    assert not beats_majority(model.metrics)
    assert (
        "No better than always guessing 3, so this version is not used" in model.metrics["verdict"]
    )


def test_small_user_with_two_classes_trains(trained: Any) -> None:
    frame, y = synthetic_user(12)
    two = np.where(y >= 2, 3, 0)
    model = train_model(frame, two)
    assert model.metrics["n_folds"] > 0
    assert {p.predicted for p in predict(model.estimator, frame)} <= {0, 3}


def test_user_with_one_class_or_three_ratings_does_not_crash() -> None:
    frame, _ = synthetic_user(5)
    model = train_model(frame, np.full(5, 2))
    assert model.metrics["n_folds"] == 0
    assert model.metrics["cv_accuracy"] is None
    assert [p.predicted for p in predict(model.estimator, frame)] == [2] * 5
    tiny = train_model(frame.iloc[:3], np.array([0, 3, 3]))
    assert len(predict(tiny.estimator, frame)) == 5


def test_progress_is_reported_up_to_one() -> None:
    frame, y = synthetic_user(24)
    seen: list[float] = []
    train_model(frame, y, progress=lambda fraction, message: seen.append(fraction))
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_rejects_ratings_out_of_range() -> None:
    frame, _ = synthetic_user(6)
    with pytest.raises(ValueError, match="0-3"):
        train_model(frame, np.array([0, 1, 2, 3, 4, 1]))


def test_artifact_round_trip_and_integrity(trained: Any) -> None:
    model, frame, _ = trained
    blob = dump_model(model.estimator)
    loaded = load_model(blob, model_sha256(blob))
    assert loaded.predict(frame).tolist() == model.estimator.predict(frame).tolist()
    with pytest.raises(ModelIntegrityError):
        load_model(blob + b"x", model_sha256(blob))


def test_artifact_with_foreign_types_is_refused() -> None:
    blob = sio.dumps({"payload": os.system})
    with pytest.raises(UntrustedModelError, match="untrusted"):
        load_model(blob, model_sha256(blob))


def test_embedding_block_is_used_and_explained_as_one_feature() -> None:
    frame, y = synthetic_user(30, seed=3)
    rng = np.random.default_rng(3)
    base = rng.normal(size=(4, 16))
    frame["embedding"] = [(base[r] + rng.normal(scale=0.1, size=16)).astype(np.float32) for r in y]
    model = train_model(frame, y)
    names = [block.name for block in model.estimator.featurizer.blocks]
    assert "embedding" in names
    groups = [c["group"] for c in explain(model.estimator, frame.iloc[[0]])[0]["contributions"]]
    assert groups.count("meaning") == 1
    # A posting stored before embeddings existed still scores (as an average embedding).
    without = frame.iloc[[0]].copy()
    without["embedding"] = [None]
    assert predict(model.estimator, without)[0].predicted == y[0]
    assert predict(model.estimator, frame.iloc[:0]) == []


def test_recent_ratings_weigh_more_through_real_training() -> None:
    """A rater who grew harsher: the same postings and ratings, only the time order differs.
    The model whose harsh ratings are the recent ones expects less of every posting that
    was rated lower (all but the 0s, which could not go lower)."""
    # Past the calibrator's window of full weight (CALIBRATION_WINDOW = 100 ratings).
    frame, y = synthetic_user(180)
    harsher = y.copy()
    harsher[120:] = np.maximum(y[120:] - 1, 0)  # the last third, one point lower
    later = train_model(frame, harsher, seed=7).estimator
    earlier_frame = frame.copy()
    earlier_frame["rated_at"] = frame["rated_at"].iloc[::-1].to_numpy()  # harsh ones oldest
    earlier = train_model(earlier_frame, harsher, seed=7).estimator
    probe = frame.iloc[:5]  # the titles rated 3, 3, 2, 2, 1; the sixth is rated 0
    recent_harsh = np.array([o.expected_score for o in predict(later, probe)])
    old_harsh = np.array([o.expected_score for o in predict(earlier, probe)])
    assert np.all(recent_harsh < old_harsh)
    assert recent_harsh.mean() < old_harsh.mean() - 0.1


def test_odds_follow_how_often_each_rating_was_given_lately_through_real_training() -> None:
    """Past the calibrator's window the odds give each rating as often as the latest
    CALIBRATION_WINDOW ratings did: a rater who now rates every title one point lower gets
    his new ratings predicted, not the old 3s (the decayed weights alone still said 3)."""
    frame, y = synthetic_user(240)
    harsher = y.copy()
    harsher[140:] = np.maximum(y[140:] - 1, 0)  # the latest 100, one point lower
    model = train_model(frame, harsher, seed=7).estimator
    out = predict(model, frame.iloc[-6:])  # one posting of each title
    assert [o.predicted for o in out] == harsher[-6:].tolist()
    assert np.mean([o.expected_score for o in out]) < harsher[-6:].mean() + 0.2
