"""posting_frame normalisation, the cold-start heuristic and the reference pipeline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shared.ml import (
    HEURISTIC_EXPLANATION,
    embeddings,
    heuristic_scores,
    posting_frame,
    use_heuristic,
)
from shared.ml.embeddings import WINDOW_WORDS, embedding_text
from shared.ml.frame import FRAME_COLUMNS
from shared.ml.reference import ReferenceModel


def test_posting_frame_fills_missing_fields() -> None:
    frame = posting_frame(
        [
            {"title": "Data Engineer", "annual_min": "120000", "skills": ["SQL", " "]},
            {"title": None, "annual_max": float("nan"), "embedding": [0.5, 0.5]},
        ]
    )
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert frame["title"].tolist() == ["Data Engineer", ""]
    assert frame["annual_min"].iloc[0] == 120000.0
    assert math.isnan(frame["annual_max"].iloc[1])
    assert frame["skills"].tolist() == [["SQL"], []]
    assert frame["embedding"].iloc[0] is None
    assert frame["embedding"].iloc[1].dtype == np.float32
    assert frame["rated_at"].isna().all()


def test_heuristic_ranks_by_pay_and_seniority() -> None:
    frame = posting_frame(
        [
            {"annual_min": 60_000, "annual_max": 70_000, "seniority": "entry"},
            {"annual_min": 150_000, "annual_max": 170_000, "seniority": "mid-senior"},
            {"annual_min": 150_000, "annual_max": 170_000, "seniority": "internship"},
            {},
        ]
    )
    out = heuristic_scores(frame)
    scores = [p.expected_score for p in out]
    assert scores[1] > scores[3] > scores[2] > scores[0]
    assert scores[3] == 1.5
    assert [p.predicted for p in out] == [1, 2, 1, 1]
    for p in out:
        assert sum(p.probabilities) == pytest.approx(1.0, abs=1e-5)
        assert abs(p.predicted - p.expected_score) <= 0.5
    assert "pay" in HEURISTIC_EXPLANATION


def test_reference_pipeline_fits_and_predicts() -> None:
    texts = ["python data engineer", "sales manager role", "data pipelines python"] * 4
    y = np.array([3, 0, 3] * 4)
    salaries = np.tile([[120.0, 150.0]], (12, 1))
    model = ReferenceModel(seed=1).fit(texts, salaries, y)
    assert model.predict(texts[:3], salaries[:3]).tolist() == [3, 0, 3]


def test_use_heuristic_until_enough_varied_ratings() -> None:
    assert use_heuristic([3] * 30)
    assert use_heuristic([0, 1, 2, 3] * 2)
    assert not use_heuristic([0, 1, 2, 3] * 3)


def test_embedding_text_skips_the_opening_of_long_descriptions() -> None:
    long_body = " ".join(f"w{i}" for i in range(600))
    text = embedding_text("Data Engineer", long_body)
    assert text.startswith("Data Engineer. w200 w201")
    assert len(text.split()) == 2 + WINDOW_WORDS
    assert embedding_text("Data Engineer", "short body") == "Data Engineer. short body"


def test_embed_texts_is_none_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_model", lambda: None)
    assert embeddings.embed_texts(["anything"]) is None
