"""Stated preferences, the prior scorer and rate-next through the real API on PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from shared.db.models import HiddenPosting, Posting, Rating, StatedPreferences, User
from shared.learning.prior import prior_proba
from shared.learning.schemas import Preferences
from shared.ml import posting_frame
from shared.ml.scoring import BLEND_POWER, BLEND_STRENGTH, model_weight
from shared.training import posting_record
from tests.career_data import Made, make_posting
from tests.conftest import Worker, signup, wait_for, wait_job

PREFS = {
    "want_keywords": ["Machine Learning", "software engineer"],
    "avoid_keywords": ["barista"],
    "min_pay": 150000,
    "currency": "usd",
    "workplace_types": ["remote"],
    "seniorities": ["mid-senior"],
    "skills": ["Python"],
}


def user_id(api: Any, headers: dict[str, str]) -> int:
    return int(api.get("/api/v1/me", headers=headers).json()["user"]["id"])


def hide_all(db: Any, uid: int) -> None:
    """Other modules' postings share this database: the user hides those made before."""
    for pid in db.scalars(select(Posting.id)):
        db.add(HiddenPosting(user_id=uid, posting_id=pid))
    db.commit()


def test_preferences_round_trip_validation_privacy_export_delete(api: Any, db: Any) -> None:
    alice, bob = signup(api), signup(api)
    assert api.get("/api/v1/preferences", headers=alice).json()["want_keywords"] == []
    res = api.put("/api/v1/preferences", json=PREFS, headers=alice)
    assert res.status_code == 200, res.text
    body = api.get("/api/v1/preferences", headers=alice).json()
    assert body["want_keywords"] == ["machine learning", "software engineer"]
    assert body["currency"] == "USD" and body["min_pay"] == 150000
    assert api.get("/api/v1/preferences", headers=bob).json()["min_pay"] is None
    for bad, word in (
        ({"min_pay": 100000}, "currency"),
        ({"min_pay": 1, "currency": "XYZ"}, "unknown currency"),
        ({"workplace_types": ["moon"]}, "workplace_types"),
        ({"colour": "blue"}, "colour"),
        ({"seniorities": ["wizard"]}, "seniorities"),
    ):
        res = api.put("/api/v1/preferences", json=bad, headers=alice)
        assert res.status_code == 422 and word in res.text, (bad, res.text)
    # A refused update keeps what was stored.
    assert api.get("/api/v1/preferences", headers=alice).json()["min_pay"] == 150000
    with zipfile.ZipFile(
        io.BytesIO(api.get("/api/v1/exports/all.zip", headers=alice).content)
    ) as zf:
        assert json.loads(zf.read("preferences.json"))["avoid_keywords"] == ["barista"]
    with zipfile.ZipFile(io.BytesIO(api.get("/api/v1/exports/all.zip", headers=bob).content)) as zf:
        assert "preferences.json" not in zf.namelist()
    uid = user_id(api, alice)
    db.delete(db.get(User, uid))
    db.commit()
    assert db.get(StatedPreferences, uid) is None


def test_prior_ranks_by_stated_preferences_at_zero_ratings(api: Any, db: Any) -> None:
    headers = signup(api)
    hide_all(db, user_id(api, headers))
    ml = make_posting(
        db, "Machine Learning Engineer", "Remote. Python. $180,000 - $220,000 a year."
    )
    cafe = make_posting(
        db, "Barista", "Serve coffee in our cafe. $15 an hour.", seniority="Entry level"
    )
    db.commit()
    before = api.get("/api/v1/recommendations", headers=headers).json()["items"]
    assert len(before) == 2
    api.put("/api/v1/preferences", json=PREFS, headers=headers)
    items = api.get("/api/v1/recommendations", headers=headers).json()["items"]
    by_id = {i["posting"]["id"]: i for i in items}
    assert [i["posting"]["id"] for i in items] == [ml.id, cafe.id]
    assert by_id[ml.id]["expected_score"] - by_id[cafe.id]["expected_score"] > 1.5
    for entry in items:
        proba = entry["probabilities"]
        assert abs(sum(proba) - 1) < 1e-3
        assert abs(entry["expected_score"] - sum(k * p for k, p in enumerate(proba))) < 1e-3
        cumulative = [sum(proba[: k + 1]) for k in range(4)]
        assert entry["predicted"] == next(k for k, c in enumerate(cumulative) if c >= 0.5 - 1e-4)
    # Without preferences the bare heuristic scored the barista higher than the prior does.
    old = {i["posting"]["id"]: i for i in before}
    assert by_id[cafe.id]["expected_score"] < old[cafe.id]["expected_score"]


def test_rate_next_covers_the_space_and_skips_rated_hidden_and_imported(api: Any, db: Any) -> None:
    headers, other = signup(api), signup(api)
    hide_all(db, user_id(api, headers))
    made = []
    for title in ("Data Scientist", "Nurse", "Backend Engineer", "Accountant"):
        for k in range(3):
            made.append(make_posting(db, f"{title} {['I', 'II', 'III'][k]}", f"{title} work."))
    private = make_posting(db, "Data Scientist Private", "Someone's imported text.")
    db.get(Posting, private.id).source = "imported"
    db.commit()
    rated = made[0]
    res = api.post("/api/v1/ratings", json={"url": rated.url, "rating": 3}, headers=headers)
    assert res.status_code in (200, 201, 202), res.text
    body = api.get("/api/v1/rate-next?limit=4", headers=headers).json()
    ids = [i["posting"]["id"] for i in body["items"]]
    assert len(ids) == 4 and rated.id not in ids and private.id not in ids
    assert body["candidates"] == len(made) - 1
    # Before a model, four picks are four different kinds of job.
    kinds = {i["posting"]["title"].rsplit(" ", 1)[0] for i in body["items"]}
    assert len(kinds) == 4, kinds
    assert body["rated"] == 1 and body["model_ready_at"] >= 1 and body["model_version"] is None
    assert all(0 <= i["uncertainty"] <= 1.3863 for i in body["items"])
    assert api.get("/api/v1/rate-next?limit=0", headers=headers).status_code == 422
    assert api.get("/api/v1/rate-next", headers={}).status_code == 401
    assert api.get("/api/v1/rate-next", headers=other).status_code == 200


# (title, description, rating): wanted ML roles, a middling analyst, unwanted service jobs.
KINDS = (
    ("Machine Learning Engineer", "Python and PyTorch, remote. $190,000 - $230,000 a year.", 3),
    ("Data Analyst", "SQL dashboards, hybrid. $90,000 - $110,000 a year.", 2),
    ("Office Accountant", "Ledgers and invoices, on-site. $60,000 a year.", 1),
    ("Barista", "Serve coffee in our cafe. $15 an hour.", 0),
)


def odds_by_posting(api: Any, headers: dict[str, str]) -> dict[int, list[float]]:
    items = api.get("/api/v1/recommendations?limit=500", headers=headers).json()["items"]
    return {i["posting"]["id"]: i["probabilities"] for i in items}


def idle(api: Any, headers: dict[str, str]) -> bool:
    jobs = api.get("/api/v1/jobs?limit=200", headers=headers).json()["items"]
    return all(j["status"] not in ("queued", "running") for j in jobs)


def train(api: Any, headers: dict[str, str]) -> dict[str, Any]:
    """A fresh version on every rating so far, once the ratings' (no-op) scrapes are done."""
    wait_for(lambda: idle(api, headers), timeout=300, every=0.5)
    job = api.post("/api/v1/models/train", headers=headers).json()["job"]
    done = wait_job(api, headers, job["id"], timeout=300)
    assert done["status"] == "succeeded", done
    model = api.get("/api/v1/models/active", headers=headers).json()
    assert model["is_active"], model
    return dict(model)


def test_the_model_is_blended_with_the_prior_and_takes_over_as_ratings_accrue(
    worker: Worker, api: Any, db: Any
) -> None:
    """Predictions, recommendations and rate-next all use one blended distribution:
    model_weight(n) of the model's odds plus the rest of the prior's. With 12 ratings the
    prior dominates; with 200 the model does."""
    headers = signup(api)
    uid = user_id(api, headers)
    hide_all(db, uid)
    made: list[tuple[Made, int]] = []
    for k in range(220):
        title, text, rating = KINDS[k % 4]
        # Distinct companies and texts: one company's look-alike postings count as reposts.
        posting = make_posting(db, f"{title} {k}", f"{text} Team {k}.", company=f"Firm {k}")
        made.append((posting, rating))
    db.commit()
    frame = posting_frame([posting_record(db.get(Posting, m.id)) for m, _ in made])
    prior = dict(
        zip((m.id for m, _ in made), prior_proba(frame, Preferences(**PREFS)), strict=True)
    )
    assert api.put("/api/v1/preferences", json=PREFS, headers=headers).status_code == 200

    mine = set(prior)

    def my_odds() -> dict[int, list[float]]:
        # This test's postings only: an earlier module's background job (a saved search's
        # run) may store postings after hide_all, and they change as they are read.
        return {pid: o for pid, o in odds_by_posting(api, headers).items() if pid in mine}

    def check_blend(n_rated: int) -> float:
        """The blend seen through the API equals the mix of the model's own odds (shown with
        the preferences cleared) and the prior's; returns the model's share."""
        model = train(api, headers)
        assert model["n_ratings"] == n_rated
        blended = my_odds()
        assert api.put("/api/v1/preferences", json={}, headers=headers).status_code == 200
        own = my_odds()
        assert api.put("/api/v1/preferences", json=PREFS, headers=headers).status_code == 200
        assert my_odds() == blended
        assert set(blended) == set(own) and len(blended) == len(made) - n_rated
        weight = model_weight(n_rated)
        for pid, odds in blended.items():
            mix = weight * np.array(own[pid]) + (1 - weight) * prior[pid]
            assert np.abs(np.array(odds) - mix).max() < 1e-3, (pid, odds, mix)
        # A stored posting's prediction and the rate-next card show the same odds.
        pid = next(iter(blended))
        url = next(m.url for m, _ in made if m.id == pid)
        one = api.post(
            "/api/v1/predictions?explain=true", json={"url": url}, headers=headers
        ).json()["prediction"]
        assert one["probabilities"] == blended[pid]
        why = one["explanation"]
        assert f"trained on {n_rated} ratings" in why["note"], why
        total = why["baseline"] + sum(c["effect"] for c in why["contributions"])
        assert abs(total - one["expected_score"]) < 1e-3, why
        assert "stated preferences" in {c["group"] for c in why["contributions"]}
        # Without preferences the same posting is explained by the model alone (no stale copy).
        api.put("/api/v1/preferences", json={}, headers=headers)
        alone = api.post(
            "/api/v1/predictions?explain=true", json={"url": url}, headers=headers
        ).json()["prediction"]
        assert alone["probabilities"] == own[pid]
        groups = {c["group"] for c in alone["explanation"]["contributions"]}
        assert "stated preferences" not in groups, alone["explanation"]
        assert api.put("/api/v1/preferences", json=PREFS, headers=headers).status_code == 200
        cards = api.get("/api/v1/rate-next?limit=5", headers=headers).json()["items"]
        cards = [c for c in cards if c["posting"]["id"] in mine]
        assert cards and all(c["probabilities"] == blended[c["posting"]["id"]] for c in cards)
        return weight

    def rate(rows: list[tuple[Made, int]]) -> None:
        for m, rating in rows:
            res = api.post(
                "/api/v1/ratings", json={"url": m.url, "rating": rating}, headers=headers
            )
            assert res.status_code in (200, 201, 202), res.text

    rate(made[:12])
    few = check_blend(12)
    # The rest of the first 200 are stored directly (the API path is the same as above).
    for m, rating in made[12:200]:
        db.add(Rating(user_id=uid, posting_id=m.id, rating=rating))
    db.commit()
    many = check_blend(200)
    # The prior fades with data: 12 ratings lean on it, 200 on the model.
    assert few < 0.5 < many < 1
    assert many == pytest.approx(
        (200 / BLEND_STRENGTH) ** BLEND_POWER / (1 + (200 / BLEND_STRENGTH) ** BLEND_POWER)
    )
