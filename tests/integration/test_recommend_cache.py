"""`GET /recommendations` is served from a cache, and each kind of write it depends on shows
in the very next GET (no TTL to wait out). Each test warms the cache, makes one change
through the gateway (or as a worker writes it), and reads again: without the matching
change counter the second read would serve the stale list."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, event, update

from tests.conftest import cancel_user_jobs, signup

JOB_ID_BASE = 4_700_000_000


@pytest.fixture
def board(api: Any) -> Iterator[dict[str, Any]]:
    """A user and three planted postings that only this test's seniority filter lists
    (postings are global: other modules' would crowd the list otherwise)."""
    from shared.db.models import Posting
    from shared.db.session import session_scope

    tag = f"Cachetest {uuid.uuid4().hex[:8]}"
    headers = signup(api)
    user_id = api.get("/api/v1/me", headers=headers).json()["user"]["id"]
    first = JOB_ID_BASE + uuid.uuid4().int % 10_000_000 * 10
    ids: list[int] = []
    with session_scope() as session:
        for i in range(3):
            posting = _posting(first + i, tag, f"Company {tag} {i}")
            session.add(posting)
            session.flush()
            ids.append(posting.id)
    yield {
        "headers": headers,
        "user_id": user_id,
        "ids": ids,
        "tag": tag,
        "first_job_id": first,
        "url": f"/api/v1/recommendations?limit=50&seniority={tag}",
    }
    cancel_user_jobs(user_id)
    with session_scope() as session:  # their predictions go with them (ON DELETE CASCADE)
        session.execute(delete(Posting).where(Posting.seniority == tag))


def _posting(job_id: int, tag: str, company: str) -> Any:
    from shared.db.base import utcnow
    from shared.db.models import Posting

    return Posting(
        job_id=str(job_id),
        url=f"https://www.linkedin.com/jobs/view/{job_id}/",
        status="fetched",
        title=f"Data Engineer {job_id}",
        company=company,
        location="Remote",
        seniority=tag,
        workplace_type="remote",
        description_text="Python, SQL and Airflow pipelines.",
        skills=["Python", "SQL"],
        salary_currency="USD",
        annual_min=100_000.0,
        annual_max=150_000.0,
        extracted_at=utcnow(),
        extraction_source="rules",
        fetched_at=utcnow(),
        created_at=utcnow(),
        updated_at=utcnow(),
    )


def listed(api: Any, board: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    res = api.get(url or board["url"], headers=board["headers"])
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def ids(body: dict[str, Any]) -> set[int]:
    return {it["posting"]["id"] for it in body["items"]}


def test_an_unchanged_list_is_served_with_one_statement(api: Any, board: dict[str, Any]) -> None:
    from shared.db.session import get_engine

    first = api.get(board["url"], headers=board["headers"])
    assert ids(first.json()) == set(board["ids"])
    statements: list[str] = []

    def count(_conn: Any, _cur: Any, sql: str, *_: Any) -> None:
        statements.append(sql)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        again = api.get(board["url"], headers=board["headers"])
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
    assert again.content == first.content
    assert again.headers["content-type"] == "application/json"
    # The change counters' read; the list itself (a dozen statements) is not rebuilt.
    assert [s for s in statements if "change_versions" in s] == statements[-1:], statements
    assert len(statements) <= 2, statements


def test_rating_a_listed_posting_takes_it_off(api: Any, board: dict[str, Any]) -> None:
    assert ids(listed(api, board)) == set(board["ids"])
    url = f"https://www.linkedin.com/jobs/view/{board['first_job_id']}/"
    res = api.post("/api/v1/ratings", json={"url": url, "rating": 3}, headers=board["headers"])
    assert res.status_code == 202, res.text
    assert ids(listed(api, board)) == set(board["ids"][1:])


def test_hiding_takes_it_off(api: Any, board: dict[str, Any]) -> None:
    assert ids(listed(api, board)) == set(board["ids"])
    hid = api.post(f"/api/v1/postings/{board['ids'][1]}/hide", headers=board["headers"])
    assert hid.status_code == 204, hid.text
    assert ids(listed(api, board)) == {board["ids"][0], board["ids"][2]}


def test_blocking_a_company_and_unblocking_it(api: Any, board: dict[str, Any]) -> None:
    assert ids(listed(api, board)) == set(board["ids"])
    rule = api.post(
        "/api/v1/blocklist",
        json={"kind": "company", "pattern": f"Company {board['tag']} 2"},
        headers=board["headers"],
    )
    assert rule.status_code == 201, rule.text
    assert ids(listed(api, board)) == set(board["ids"][:2])
    gone = api.delete(f"/api/v1/blocklist/{rule.json()['id']}", headers=board["headers"])
    assert gone.status_code == 204
    assert ids(listed(api, board)) == set(board["ids"])


def test_saving_to_the_tracker_takes_it_off(api: Any, board: dict[str, Any]) -> None:
    assert ids(listed(api, board)) == set(board["ids"])
    saved = api.put(
        f"/api/v1/applications/{board['ids'][0]}",
        json={"status": "saved"},
        headers=board["headers"],
    )
    assert saved.status_code == 201, saved.text
    assert ids(listed(api, board)) == set(board["ids"][1:])
    with_tracked = board["url"] + "&include_tracked=true"
    assert ids(listed(api, board, with_tracked)) == set(board["ids"])
    dropped = api.delete(f"/api/v1/applications/{board['ids'][0]}", headers=board["headers"])
    assert dropped.status_code == 204
    assert ids(listed(api, board)) == set(board["ids"])


def test_a_newly_extracted_posting_appears(api: Any, board: dict[str, Any]) -> None:
    from shared.db.session import session_scope

    assert ids(listed(api, board)) == set(board["ids"])
    with session_scope() as session:  # as the extract worker stores it
        posting = _posting(board["first_job_id"] + 5, board["tag"], "Newco")
        session.add(posting)
        session.flush()
        new_id = posting.id
    assert ids(listed(api, board)) == {*board["ids"], new_id}


def test_a_reextracted_posting_shows_its_new_pay(api: Any, board: dict[str, Any]) -> None:
    from shared.db.models import Posting
    from shared.db.session import session_scope

    before = {it["posting"]["id"]: it for it in listed(api, board)["items"]}
    assert before[board["ids"][0]]["posting"]["annual_max"] == 150_000.0
    with session_scope() as session:  # a bulk UPDATE, as re-extraction or repost linking writes
        session.execute(
            update(Posting).where(Posting.id == board["ids"][0]).values(annual_max=180_000.0)
        )
    after = {it["posting"]["id"]: it for it in listed(api, board)["items"]}
    assert after[board["ids"][0]]["posting"]["annual_max"] == 180_000.0


def test_stated_preferences_rescore_the_list(api: Any, board: dict[str, Any]) -> None:
    before = {it["posting"]["id"]: it["expected_score"] for it in listed(api, board)["items"]}
    prefs = api.put(
        "/api/v1/preferences",
        json={"avoid_keywords": ["data engineer"]},
        headers=board["headers"],
    )
    assert prefs.status_code == 200, prefs.text
    after = {it["posting"]["id"]: it["expected_score"] for it in listed(api, board)["items"]}
    assert after.keys() == before.keys()
    assert all(after[k] < before[k] for k in before), (before, after)


def test_a_profile_gives_the_cards_their_match(api: Any, board: dict[str, Any]) -> None:
    assert all(it["match"] is None for it in listed(api, board)["items"])
    put = api.put(
        "/api/v1/profile",
        json={"skills": ["Python"], "years_experience": 5},
        headers=board["headers"],
    )
    assert put.status_code == 200, put.text
    items = listed(api, board)["items"]
    assert items and all(it["match"] is not None for it in items), items
    assert all("SQL" in it["missing_skills"] for it in items), items


def test_new_predictions_show_at_once(api: Any, board: dict[str, Any]) -> None:
    """What a new model version writes (every prediction replaced): the new order shows."""
    from shared.db.models import Prediction
    from shared.db.session import session_scope

    listed(api, board)
    last = board["ids"][2]
    with session_scope() as session:
        session.execute(
            update(Prediction)
            .where(Prediction.user_id == board["user_id"], Prediction.posting_id == last)
            .values(expected_score=2.99, predicted=3, probabilities=[0.0, 0.0, 0.01, 0.99])
        )
    top = listed(api, board)["items"][0]
    assert (top["posting"]["id"], top["expected_score"]) == (last, 2.99)


def test_a_posted_within_window_moves_past_a_listed_posting(
    api: Any, board: dict[str, Any]
) -> None:
    """The one dependency no write marks: the clock. The list expires when its first
    listed posting leaves the window."""
    import time
    from datetime import timedelta

    from shared.db.base import utcnow
    from shared.db.models import Posting
    from shared.db.session import session_scope

    week = timedelta(days=7)
    with session_scope() as session:
        for i, pid in enumerate(board["ids"]):  # the first leaves the 7-day window in ~2 s
            at = utcnow() - week + timedelta(seconds=2) if i == 0 else utcnow()
            session.execute(update(Posting).where(Posting.id == pid).values(posted_at=at))
    url = board["url"] + "&posted_within=7"
    assert ids(listed(api, board, url)) == set(board["ids"])
    time.sleep(2.5)
    assert ids(listed(api, board, url)) == set(board["ids"][1:])
