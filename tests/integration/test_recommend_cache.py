"""`GET /recommendations` is served from a cache, and each kind of write it depends on shows
in the very next GET (no TTL to wait out). Each test warms the cache, makes one change
through the gateway (or as a worker writes it), and reads again: without the matching
change counter the second read would serve the stale list. Every test runs twice: with the
counters' copy and the shared lists in Redis (as `make run` deploys), and with the database
alone (the embedded default has no Redis)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, event, update

from tests.conftest import cancel_user_jobs, signup
from tests.integration.planted import planted_posting

JOB_ID_BASE = 4_700_000_000


@pytest.fixture(params=["redis", "database"])
def mode(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    from shared import change_mirror

    if request.param == "database":  # as if no Redis were configured
        monkeypatch.setattr(change_mirror, "_down_until", float("inf"))
    return str(request.param)


@pytest.fixture
def board(api: Any, mode: str) -> Iterator[dict[str, Any]]:
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
            posting = planted_posting(first + i, tag, f"Company {tag} {i}")
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
        "mode": mode,
    }
    cancel_user_jobs(user_id)
    with session_scope() as session:  # their predictions go with them (ON DELETE CASCADE)
        session.execute(delete(Posting).where(Posting.seniority == tag))


def listed(api: Any, board: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    res = api.get(url or board["url"], headers=board["headers"])
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def warm(api: Any, board: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    """Read twice: the second read is served from the cache (and, with Redis, has brought
    the counters' copy level with the database), so the change that follows must be seen
    through them."""
    first = listed(api, board, url)
    assert listed(api, board, url) == first
    return first


def ids(body: dict[str, Any]) -> set[int]:
    return {it["posting"]["id"] for it in body["items"]}


def statements_of(api: Any, board: dict[str, Any]) -> tuple[bytes, list[str]]:
    from shared.db.session import get_engine

    statements: list[str] = []

    def count(_conn: Any, _cur: Any, sql: str, *_: Any) -> None:
        statements.append(sql)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        res = api.get(board["url"], headers=board["headers"])
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
    assert res.status_code == 200 and res.headers["content-type"] == "application/json"
    return res.content, statements


def test_an_unchanged_list_is_served_without_building_it(api: Any, board: dict[str, Any]) -> None:
    first, built = statements_of(api, board)
    assert {it["posting"]["id"] for it in json.loads(first)["items"]} == set(board["ids"])
    assert len(built) > 5
    again, statements = statements_of(api, board)
    assert again == first
    if board["mode"] == "redis":
        assert statements == []  # the counters' copy in Redis: no database round trip
    else:
        assert len(statements) == 1 and "change_versions" in statements[0], statements


def test_a_list_another_process_built_is_taken_from_redis(api: Any, board: dict[str, Any]) -> None:
    from shared import recommendation_cache

    first, built = statements_of(api, board)
    assert len(built) > 5
    recommendation_cache._lists.clear()  # as a process that never built it
    again, statements = statements_of(api, board)
    assert again == first
    if board["mode"] == "redis":  # the counters read, the list not built
        assert len(statements) == 1 and "change_versions" in statements[0], statements
    else:
        assert len(statements) > 5
    # Changed, it is built again, not taken from Redis under its old counters.
    hid = api.post(f"/api/v1/postings/{board['ids'][0]}/hide", headers=board["headers"])
    assert hid.status_code == 204
    recommendation_cache._lists.clear()
    body, statements = statements_of(api, board)
    assert {it["posting"]["id"] for it in json.loads(body)["items"]} == set(board["ids"][1:])
    assert len(statements) > 5


@pytest.mark.parametrize("mode", ["redis"], indirect=True)  # the copy is Redis's
def test_a_lost_copy_is_read_again_from_the_database(
    api: Any, board: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared import change_mirror, recommendation_cache

    first, _ = statements_of(api, board)
    # A change whose copy never reached Redis (the writer's Redis was down at its commit).
    monkeypatch.setattr(change_mirror, "_down_until", float("inf"))
    hid = api.post(f"/api/v1/postings/{board['ids'][0]}/hide", headers=board["headers"])
    assert hid.status_code == 204
    monkeypatch.setattr(change_mirror, "_down_until", 0.0)
    # Each list is checked against the database at least every RECHECK_SECONDS.
    monkeypatch.setattr(recommendation_cache, "RECHECK_SECONDS", 0.0)
    body, statements = statements_of(api, board)
    assert {it["posting"]["id"] for it in json.loads(body)["items"]} == set(board["ids"][1:])
    monkeypatch.setattr(recommendation_cache, "RECHECK_SECONDS", 30.0)
    again, statements = statements_of(api, board)  # the copy was repaired by that read
    assert again == body and statements == []


def test_rating_a_listed_posting_takes_it_off(api: Any, board: dict[str, Any]) -> None:
    assert ids(warm(api, board)) == set(board["ids"])
    url = f"https://www.linkedin.com/jobs/view/{board['first_job_id']}/"
    res = api.post("/api/v1/ratings", json={"url": url, "rating": 3}, headers=board["headers"])
    assert res.status_code == 202, res.text
    assert res.json()["job"] is None  # stored fresh: the one-statement rating, which bumps
    assert ids(listed(api, board)) == set(board["ids"][1:])


def test_hiding_takes_it_off(api: Any, board: dict[str, Any]) -> None:
    assert ids(warm(api, board)) == set(board["ids"])
    hid = api.post(f"/api/v1/postings/{board['ids'][1]}/hide", headers=board["headers"])
    assert hid.status_code == 204, hid.text
    assert ids(listed(api, board)) == {board["ids"][0], board["ids"][2]}


def test_blocking_a_company_and_unblocking_it(api: Any, board: dict[str, Any]) -> None:
    assert ids(warm(api, board)) == set(board["ids"])
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
    assert ids(warm(api, board)) == set(board["ids"])
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

    assert ids(warm(api, board)) == set(board["ids"])
    with session_scope() as session:  # as the extract worker stores it
        posting = planted_posting(board["first_job_id"] + 5, board["tag"], "Newco")
        session.add(posting)
        session.flush()
        new_id = posting.id
    assert ids(listed(api, board)) == {*board["ids"], new_id}


def test_a_reextracted_posting_shows_its_new_pay(api: Any, board: dict[str, Any]) -> None:
    from shared.db.models import Posting
    from shared.db.session import session_scope

    before = {it["posting"]["id"]: it for it in warm(api, board)["items"]}
    assert before[board["ids"][0]]["posting"]["annual_max"] == 150_000.0
    with session_scope() as session:  # a bulk UPDATE, as re-extraction or repost linking writes
        session.execute(
            update(Posting).where(Posting.id == board["ids"][0]).values(annual_max=180_000.0)
        )
    after = {it["posting"]["id"]: it for it in listed(api, board)["items"]}
    assert after[board["ids"][0]]["posting"]["annual_max"] == 180_000.0


def test_stated_preferences_rescore_the_list(api: Any, board: dict[str, Any]) -> None:
    before = {it["posting"]["id"]: it["expected_score"] for it in warm(api, board)["items"]}
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
    assert all(it["match"] is None for it in warm(api, board)["items"])
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

    warm(api, board)
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
    assert ids(warm(api, board, url)) == set(board["ids"])
    time.sleep(2.5)
    assert ids(listed(api, board, url)) == set(board["ids"][1:])
