"""Reposts and closed postings through the real API on Postgres, a worker whose beat
re-checks old postings every 2 s, and the LinkedIn stand-in's repost and closed knobs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.sandbox.generator import search_ids
from tests.conftest import Worker, signup, wait_for

URL = "https://www.linkedin.com/jobs/view/{}/"
A, B, C, D = "3400990001", "3400990002", "3400990003", "3400990004"
RECS = "/api/v1/recommendations?limit=500&workplace=remote&seniority=Associate"


@pytest.fixture(scope="module")
def stack(database: str, redis_broker: str, linkedin: Any, api: Any) -> Iterator[Any]:
    linkedin.configure(reposts={B: A, C: A})
    worker = Worker(
        "fresh",
        env={"LIR_POSTING_MAX_AGE_HOURS": "0.002", "LIR_POSTING_RECHECK_INTERVAL_SECONDS": "2"},
    )
    yield api
    worker.stop()
    linkedin.configure(reposts={}, closed_ids=[])


def idle(api: Any, headers: dict[str, str]) -> bool:
    jobs = api.get("/api/v1/jobs?limit=200", headers=headers).json()["items"]
    # Every state short of finished counts as busy (queued, running, waiting, deferred...).
    return all(j["status"] in ("succeeded", "failed", "cancelled") for j in jobs)


def test_reposts_fold_into_one_card_and_offer_the_rating(stack: Any, linkedin: Any) -> None:
    api, headers = stack, signup(stack)
    rated = api.post("/api/v1/ratings", json={"url": URL.format(A), "rating": 3}, headers=headers)
    a_id = rated.json()["posting"]["id"]
    wait_for(lambda: idle(api, headers), timeout=300, every=0.5)
    for job_id in (B, C):
        res = api.post("/api/v1/predictions", json={"url": URL.format(job_id)}, headers=headers)
        assert res.status_code == 202, res.text
    wait_for(lambda: idle(api, headers), timeout=300, every=0.5)

    def group_card() -> list[Any]:
        # Postings are global: the whole suite's are ranked too, many above this job. The
        # filters keep the list to postings like A (the stand-in's remote Associate one).
        items = api.get(RECS, headers=headers).json()["items"]
        return items if any(i["group_id"] == a_id for i in items) else []

    # B and C are scored once their extraction has grouped them; on a busy machine that
    # lands a moment after their jobs finish.
    recs = wait_for(group_card, timeout=120, every=0.5)
    group = api.get(f"/api/v1/postings/{a_id}/reposts", headers=headers).json()
    assert group["group_id"] == a_id
    members = {m["job_id"]: m for m in group["members"]}
    assert set(members) == {A, B, C}
    assert members[A]["your_rating"] == 3 and members[B]["your_rating"] is None
    cards = [i for i in recs if i["group_id"] == a_id]
    assert len(cards) == 1  # B and C: one card
    # The job's other postings: A (rated, so not listed) and the other of B and C.
    assert cards[0]["posting"]["job_id"] in (B, C) and cards[0]["also_posted"] == 2
    assert cards[0]["rating_offer"] == {"posting_id": a_id, "rating": 3}
    # Offered, not copied: the user rated A only.
    rated_ids = {
        r["posting_id"] for r in api.get("/api/v1/ratings", headers=headers).json()["items"]
    }
    assert rated_ids == {a_id}
    # Other jobs' cards: no offer (this user rated A only), and "also posted" only where that
    # job really has other postings (earlier tests in this database made repost groups too).
    for card in [i for i in recs if i["group_id"] != a_id][:20]:
        assert card["rating_offer"] is None, card
        pid = card["posting"]["id"]
        group = api.get(f"/api/v1/postings/{pid}/reposts", headers=headers).json()
        assert card["also_posted"] == len(group["members"]) - 1, (card, group)


def test_a_tracked_posting_that_closes_is_flagged_and_leaves_recommendations(
    stack: Any, linkedin: Any
) -> None:
    api, headers, gave_up = stack, signup(stack), signup(stack)
    res = api.post(
        "/api/v1/applications", json={"url": URL.format(D), "status": "applied"}, headers=headers
    )
    assert res.status_code == 201, res.text
    pid = res.json()["posting_id"]
    withdrawn = {"url": URL.format(D), "status": "withdrawn"}
    assert api.post("/api/v1/applications", json=withdrawn, headers=gave_up).status_code == 201
    wait_for(lambda: idle(api, headers), timeout=300, every=0.5)
    assert api.get("/api/v1/notifications", headers=headers).json()["items"] == []
    card = api.get("/api/v1/applications", headers=headers).json()[0]
    assert card["posting"]["title"] and card["closed"] is False
    shown = api.get("/api/v1/recommendations?limit=500&include_tracked=true", headers=headers)
    assert pid in {i["posting"]["id"] for i in shown.json()["items"]}

    linkedin.configure(closed_ids=[D])  # LinkedIn now says: no longer accepting applications

    def flagged() -> Any:
        cards = api.get("/api/v1/applications", headers=headers).json()
        return cards[0] if cards[0]["closed"] else None

    assert wait_for(flagged, timeout=120, every=1)["posting"]["is_closed"] is True
    after = api.get("/api/v1/recommendations?limit=500&include_tracked=true", headers=headers)
    assert pid not in {i["posting"]["id"] for i in after.json()["items"]}
    # The one still pursuing it is told, once; the one who withdrew is not.
    notes = api.get("/api/v1/notifications", headers=headers).json()
    assert [(n["kind"], n["posting_id"]) for n in notes["items"]] == [("closed", pid)]
    assert notes["items"][0]["title"].startswith("No longer accepting applications: ")
    assert notes["unread"] == 1
    assert api.get("/api/v1/notifications", headers=gave_up).json()["items"] == []


def test_a_saved_searchs_matches_fold_reposts(stack: Any, linkedin: Any) -> None:
    api, headers = stack, signup(stack)
    keywords, location = "repost checker", "Oslo"
    first, second = (str(i) for i in search_ids(keywords, location, [], 0, 2))
    linkedin.configure(reposts={B: A, C: A, second: first})  # two results: one job
    try:
        body = {"keywords": keywords, "location": location, "limit": 5, "alert_min_score": 0}
        sid = api.post("/api/v1/saved-searches", json=body, headers=headers).json()["id"]

        def ran() -> Any:
            job = api.get(f"/api/v1/saved-searches/{sid}", headers=headers).json()["last_job"]
            return job if job and job["status"] in ("succeeded", "failed") else None

        assert wait_for(ran, timeout=300, every=0.5)["status"] == "succeeded"  # by beat
        wait_for(lambda: idle(api, headers), timeout=300, every=0.5)  # grouped at extraction
        matches = api.get(f"/api/v1/saved-searches/{sid}/matches", headers=headers).json()
    finally:
        linkedin.configure(reposts={B: A, C: A})
    assert len(matches) == 4  # five found, two of them the same job
    [card] = [m for m in matches if m["posting"]["job_id"] in (first, second)]
    assert card["also_posted"] == 1 and card["rating_offer"] is None
    assert all(m["also_posted"] == 0 for m in matches if m is not card)
    # Seen: the card stood for both; alerted once per job.
    assert api.get(f"/api/v1/saved-searches/{sid}", headers=headers).json()["new_matches"] == 0
    group = api.get(f"/api/v1/postings/{card['posting']['id']}/reposts", headers=headers).json()
    both = {m["posting_id"] for m in group["members"]}
    assert len(both) == 2
    notes = api.get("/api/v1/notifications", headers=headers).json()["items"]
    alerted = {n["posting_id"] for n in notes}
    assert len(notes) == 4 and len(alerted & both) == 1  # either post may stand for the job
    assert alerted - both == {m["posting"]["id"] for m in matches} - both


def test_a_repost_of_a_job_alerted_in_an_earlier_run_is_not_alerted_again(db: Any) -> None:
    from datetime import UTC, datetime

    from shared.alerts.service import alert_new_matches
    from shared.db.models import Notification, Posting, SavedSearch, User

    user = User(email=f"alerts-{id(db)}@example.com", password_hash="x")
    db.add(user)
    db.flush()
    first, repost, other = (Posting(title=t, company="Acme") for t in ("ML", "ML", "Data"))
    db.add_all([first, repost, other])
    db.flush()
    repost.repost_of_id = first.id
    saved = SavedSearch(
        user_id=user.id,
        name="ml",
        params={"keywords": "ml"},
        every_hours=24,
        alert_min_score=2.0,
        next_run_at=datetime.now(UTC),
    )
    db.add(saved)
    db.flush()

    def item(p: Posting) -> dict[str, Any]:
        return {
            "posting": {"id": p.id, "title": p.title, "company": p.company},
            "expected_score": 2.5,
        }

    assert alert_new_matches(db, saved, [item(first)])["notified"] == 1  # an earlier run
    assert alert_new_matches(db, saved, [item(repost), item(other)])["notified"] == 1
    notes = db.query(Notification).filter(Notification.user_id == user.id).all()
    assert sorted(n.posting_id for n in notes) == sorted([first.id, other.id])
