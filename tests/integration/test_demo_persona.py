"""The demo's seeding through the real stack: every posting read before the one training,
a persona the model clearly learns (beats always guessing the usual rating), a search run."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Worker


# Seeding reads 36 postings and trains: 1-2 minutes on a busy 2-core machine.
@pytest.mark.timeout(1200)
def test_demo_seed_trains_once_on_all_ratings_and_beats_the_majority(
    worker: Worker, linkedin: Any, api: Any
) -> None:
    from fastapi.testclient import TestClient

    from services.demo import N_RATINGS, seed
    from services.gateway.app import create_app

    with TestClient(create_app()) as client:
        job = seed(client, email=f"demo-{uuid.uuid4().hex[:8]}@example.com")
        assert job["status"] == "succeeded", job
        result = job["result"]
        assert result["n_ratings"] == N_RATINGS and result["in_use"] is True, result
        assert job["message"] == f"finished: model v{result['model_version']} is now in use"
        jobs = client.get("/api/v1/jobs?limit=200").json()["items"]
        assert [j["kind"] for j in jobs].count("train") == 1  # trained once, on all 36

        model = client.get("/api/v1/models/active").json()
        metrics, majority = model["metrics"], model["metrics"]["baselines"]["majority"]
        # A clear margin over always guessing the usual rating, on the same folds.
        assert metrics["cv_mae"] <= majority["cv_mae"] - 0.3, (metrics, majority)
        assert metrics["cv_accuracy"] >= majority["cv_accuracy"] + 0.15, (metrics, majority)
        assert model["verdict"].startswith("Right ")
        assert "so this version is not used" not in model["verdict"]

        recs = client.get("/api/v1/recommendations?limit=50").json()
        assert recs["heuristic"] is False and len(recs["items"]) >= 10

        # Insights name what the persona cares about, in rating points, pay in US$ terms.
        facts = client.get("/api/v1/insights").json()["facts"]
        shown = [d["feature"] for side in ("raise", "lower") for d in facts[side]]
        assert any(f.startswith("pay $") and "/yr (" in f for f in shown), shown
        assert any(f.startswith("seniority: ") for f in shown), shown
