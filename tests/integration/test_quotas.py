"""Quotas through the real gateway on Postgres: every refusal a 429 or 413 naming the limit.
No worker consumes here, so queued jobs stay queued."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, update

from tests.conftest import signup

URL = "https://www.linkedin.com/jobs/view/{}/"


@pytest.fixture
def limits(api: Any) -> Iterator[Any]:
    from shared.db.models import Job
    from shared.db.session import session_scope
    from shared.jobs import ACTIVE
    from shared.settings import get_settings

    settings = get_settings()
    saved = settings.model_dump()
    yield settings
    for name in ("max_queued_jobs_per_user", "max_searches_per_hour", "max_import_rows"):
        setattr(settings, name, saved[name])
    settings.max_blocklist_rules = saved["max_blocklist_rules"]
    with session_scope() as session:  # leave nothing for a later module's worker
        session.execute(update(Job).where(Job.status.in_(ACTIVE)).values(status="cancelled"))


def _csv(first: int, rows: int) -> str:
    return "url,rating\n" + "".join(URL.format(first + i) + ",2\n" for i in range(rows))


def test_queued_jobs_per_user(api: Any, limits: Any) -> None:
    limits.max_queued_jobs_per_user = 3
    headers, other = signup(api), signup(api)
    for i in range(3):
        res = api.post(
            "/api/v1/ratings",
            json={"url": URL.format(4500000000 + i), "rating": 1},
            headers=headers,
        )
        assert res.status_code == 202, res.text
    refused = api.post(
        "/api/v1/ratings", json={"url": URL.format(4500000009), "rating": 1}, headers=headers
    )
    assert refused.status_code == 429
    assert "limit is 3" in refused.json()["detail"]
    assert "LIR_MAX_QUEUED_JOBS_PER_USER" in refused.json()["detail"]
    search = api.post("/api/v1/searches", json={"keywords": "x"}, headers=headers)
    assert search.status_code == 429
    imported = api.post(
        "/api/v1/imports",
        files={"file": ("r.csv", _csv(4500000100, 2), "text/csv")},
        headers=headers,
    )
    assert imported.status_code == 429 and "queued jobs" in imported.json()["detail"]
    # The refused rating was not stored; another user is not affected.
    assert api.get("/api/v1/ratings", headers=headers).json()["total"] == 3
    ok = api.post(
        "/api/v1/ratings", json={"url": URL.format(4500000009), "rating": 1}, headers=other
    )
    assert ok.status_code == 202
    assert api.post("/api/v1/jobs/cancel", json={}, headers=headers).json()["cancelled"] == 3
    again = api.post(
        "/api/v1/ratings", json={"url": URL.format(4500000009), "rating": 1}, headers=headers
    )
    assert again.status_code == 202


def test_searches_per_hour(api: Any, limits: Any) -> None:
    limits.max_searches_per_hour = 2
    headers = signup(api)
    for _ in range(2):
        assert (
            api.post("/api/v1/searches", json={"keywords": "data"}, headers=headers).status_code
            == 202
        )
    refused = api.post("/api/v1/searches", json={"keywords": "data"}, headers=headers)
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert "limit is 2 per user per hour" in detail and "LIR_MAX_SEARCHES_PER_HOUR" in detail
    assert 1 <= int(refused.headers["Retry-After"]) <= 3601
    # Cancelling does not give searches back: the hour counts what was started.
    api.post("/api/v1/jobs/cancel", json={"kind": "search"}, headers=headers)
    assert (
        api.post("/api/v1/searches", json={"keywords": "data"}, headers=headers).status_code == 429
    )


def test_import_rows_per_file(api: Any, limits: Any) -> None:
    limits.max_import_rows = 5
    headers = signup(api)
    too_many = api.post(
        "/api/v1/imports",
        files={"file": ("r.csv", _csv(4500001000, 6), "text/csv")},
        headers=headers,
    )
    assert too_many.status_code == 413
    assert "more than 5 rows" in too_many.json()["detail"]
    assert "LIR_MAX_IMPORT_ROWS" in too_many.json()["detail"]
    assert api.get("/api/v1/jobs", headers=headers).json()["total"] == 0
    at_limit = api.post(
        "/api/v1/imports",
        files={"file": ("r.csv", _csv(4500001000, 5), "text/csv")},
        headers=headers,
    )
    assert at_limit.status_code == 202, at_limit.text


@pytest.fixture
def planted() -> Iterator[list[int]]:
    """Ids of postings a test writes straight to the table, deleted afterwards: postings are
    global, so left behind they would be every later module's users' recommendations."""
    from shared.db.models import Posting
    from shared.db.session import session_scope

    ids: list[int] = []
    yield ids
    with session_scope() as session:  # their predictions go with them (ON DELETE CASCADE)
        session.execute(delete(Posting).where(Posting.id.in_(ids)))


def test_blocklist_rules_per_user_and_the_query_at_the_cap(
    api: Any, limits: Any, planted: list[int]
) -> None:
    from shared.db.base import utcnow
    from shared.db.models import BlockRule, Posting, Prediction
    from shared.db.session import session_scope

    headers = signup(api)
    user_id = api.get("/api/v1/me", headers=headers).json()["user"]["id"]
    cap = limits.max_blocklist_rules
    n_postings = 3000
    with session_scope() as session:
        session.add_all(
            BlockRule(
                user_id=user_id,
                kind="company" if i % 2 else "title",
                pattern=f"Blocked {i:04d}",
                created_at=utcnow(),
            )
            for i in range(cap - 1)
        )
        postings = [
            Posting(
                job_id=f"46{i:08d}",
                status="fetched",
                title=f"Engineer {i}",
                company=f"Company {i}" if i % 10 else f"blocked {(i // 10) % 249 * 2 + 1:04d}",
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            for i in range(n_postings)
        ]
        session.add_all(postings)
        session.flush()
        planted.extend(p.id for p in postings)
        session.add_all(
            Prediction(
                user_id=user_id,
                posting_id=p.id,
                predicted=2,
                probabilities=[0.1, 0.2, 0.3, 0.4],
                expected_score=2.0 + i / n_postings,
                created_at=utcnow(),
            )
            for i, p in enumerate(postings)
        )
    last = api.post(
        "/api/v1/blocklist", json={"kind": "title", "pattern": "Engineer 2999"}, headers=headers
    )
    assert last.status_code == 201, last.text
    refused = api.post(
        "/api/v1/blocklist", json={"kind": "title", "pattern": "one more"}, headers=headers
    )
    assert refused.status_code == 429
    assert f"limit is {cap}" in refused.json()["detail"]
    assert "LIR_MAX_BLOCKLIST_RULES" in refused.json()["detail"]
    api.get("/api/v1/recommendations?limit=10", headers=headers)  # warm: scored, cached
    started = time.perf_counter()
    res = api.get("/api/v1/recommendations?limit=500", headers=headers)
    elapsed = time.perf_counter() - started
    assert res.status_code == 200, res.text
    items = res.json()["items"]
    companies = {i["posting"]["company"] for i in items}
    titles = {i["posting"]["title"] for i in items}
    # Every tenth posting's company is blocked (case-insensitively), and the top one by title.
    assert len(items) == 500 and not any(c.lower().startswith("blocked") for c in companies)
    assert "Engineer 2999" not in titles and "Engineer 2998" in titles
    with session_scope() as session:  # the same request without any rule, for comparison
        session.execute(delete(BlockRule).where(BlockRule.user_id == user_id))
    started = time.perf_counter()
    assert len(api.get("/api/v1/recommendations?limit=500", headers=headers).json()["items"]) == 500
    bare = time.perf_counter() - started
    print(
        f"recommendations over {n_postings} postings: {elapsed * 1000:.0f} ms with {cap} "
        f"blocklist rules, {bare * 1000:.0f} ms without"
    )
