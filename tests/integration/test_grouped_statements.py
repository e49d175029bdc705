"""Concurrent calls of one statement share a round trip on the gateway's pool
(`services.gateway.pool`). Ratings of stored postings share one statement and its commit
(`grouped`): through the real app, a burst of ratings runs as fewer transactions than
ratings, every rating lands with the value sent last, each user's change counter moves once
per rating, each call gets its own row (None where nothing was written), and a write that
fails fails alone, its group rolled back whole. Concurrent reads (`first`) share round trips,
each caller gets its own row, and a read that fails fails alone. A token out of the cache is
read, and its last_used_at written, on the pool, not on a thread, and no request waits for
that write. The calls' document reads back as sent."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Integer, bindparam, delete, literal, select, update

from services.gateway import pool
from services.gateway.app import create_app
from services.gateway.pool import GROUP_SECONDS, GROUP_SIZES, first, grouped, pool_on_this_loop
from shared.changes import user_scope
from shared.db.base import utcnow
from shared.ratings import RATE_STORED, rate_stored_params, rated_stored
from tests.conftest import signup
from tests.integration.planted import planted_posting

JOB_ID_BASE = 4_720_000_000
URL = "https://www.linkedin.com/jobs/view/{}/".format


@pytest.fixture
def board(api: Any) -> Iterator[dict[str, Any]]:
    """Four users and ten postings stored fresh and extracted (tagged, deleted after)."""
    from shared.db.models import Posting
    from shared.db.session import session_scope

    tag, first = f"Grouped {uuid.uuid4().hex[:8]}", JOB_ID_BASE + uuid.uuid4().int % 10**5 * 20
    with session_scope() as session:
        session.add_all([planted_posting(first + i, tag, "Grouped Co") for i in range(10)])
    users = []
    for _ in range(4):
        headers = signup(api)
        users.append((api.get("/api/v1/me", headers=headers).json()["user"]["id"], headers))
    yield {"first": first, "users": users}
    with session_scope() as session:
        session.execute(delete(Posting).where(Posting.seniority == tag))


def _count_and_sum(kind: str = "write") -> tuple[float, float]:
    samples = {
        s.name: s.value for s in GROUP_SIZES.collect()[0].samples if s.labels["kind"] == kind
    }
    return samples.get("lir_statement_groups_count", 0), samples.get("lir_statement_groups_sum", 0)


def _round_trips(kind: str = "write") -> float:
    samples = GROUP_SECONDS.collect()[0].samples
    counts = [s.value for s in samples if s.name.endswith("_count") and s.labels["kind"] == kind]
    return counts[0] if counts else 0.0


def _versions(user_ids: list[int]) -> dict[int, int]:
    from shared.changes import versions
    from shared.db.session import session_scope

    with session_scope() as session:
        found = versions(session, [user_scope(u) for u in user_ids])
    return dict(zip(user_ids, found, strict=True))


async def _rate(sends: list[tuple[dict[str, str], int, int]]) -> list[httpx.Response]:
    """Concurrent ratings (headers, job id, rating) through the real app, on the loop's pool."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await asyncio.gather(
            *(
                client.post("/api/v1/ratings", json={"url": URL(j), "rating": r}, headers=h)
                for h, j, r in sends
            )
        )


def _burst(sends: list[tuple[dict[str, str], int, int]]) -> list[httpx.Response]:
    async def burst() -> list[httpx.Response]:
        async with pool_on_this_loop():
            return await _rate(sends)

    return asyncio.run(burst())


def test_a_burst_of_ratings_shares_commits_and_each_lands(board: dict[str, Any]) -> None:
    from shared.db.models import Posting, Rating
    from shared.db.session import session_scope

    # Each user rates every posting; user 0 then rates posting 0 again, with another value.
    sends = [(u, h, i, (u + i) % 4) for u, h in board["users"] for i in range(10)]
    again = board["users"][0]
    sends.append((again[0], again[1], 0, 3 if sends[0][3] != 3 else 0))
    user_ids = [u for u, _ in board["users"]]
    before, (count0, sum0), trips0 = _versions(user_ids), _count_and_sum(), _round_trips()

    answers = _burst([(h, board["first"] + i, r) for _, h, i, r in sends])
    assert [a.status_code for a in answers] == [202] * len(sends), answers[0].text
    assert all(a.json()["job"] is None for a in answers)
    count, total = _count_and_sum()
    assert total - sum0 == len(sends)  # every rating went through a group...
    assert count - count0 < len(sends)  # ...and some shared one
    assert _round_trips() - trips0 == count - count0  # each group's round trip timed
    with session_scope() as session:
        rows = session.execute(
            select(Rating.user_id, Posting.job_id, Rating.rating)
            .join(Posting, Posting.id == Rating.posting_id)
            .where(Rating.user_id.in_(user_ids))
        ).all()
    landed = {(u, int(j) - board["first"]): r for u, j, r in rows}
    wanted = {(u, i): r for u, _, i, r in sends}  # the later send of a pair wins
    assert landed == wanted
    after = _versions(user_ids)
    sent_by = {u: sum(1 for s in sends if s[0] == u) for u in user_ids}
    assert {u: after[u] - before[u] for u in user_ids} == sent_by


def test_a_write_that_fails_fails_alone(board: dict[str, Any]) -> None:
    """A rating for a user who is gone (a foreign-key violation) fails the group's
    transaction, rolled back whole; the others are retried one at a time and land once."""
    from shared.db.models import Rating
    from shared.db.session import session_scope

    user_ids = [u for u, _ in board["users"]]
    params = [rate_stored_params(u, URL(board["first"] + 1), 2) for u in user_ids]
    # No such user, and sorted last in its group: the three before it ran, then rolled back.
    params.insert(2, rate_stored_params(2_000_000_000, URL(board["first"] + 1), 2))
    before = _versions(user_ids)

    commits: list[list[Any]] = []

    async def burst() -> list[Any]:
        async with pool_on_this_loop():
            # The first goes alone (the one group in flight); the other four form one group.
            return await asyncio.gather(
                *(grouped(RATE_STORED, p, commits.append) for p in params),
                return_exceptions=True,
            )

    outcomes = asyncio.run(burst())
    # What each commit wrote is reported once, failed writes left out.
    assert sorted(len(rows) for rows in commits) == [1, 3]
    assert isinstance(outcomes[2], psycopg.errors.ForeignKeyViolation)
    assert all(
        o is not None and not isinstance(o, BaseException) for i, o in enumerate(outcomes) if i != 2
    )
    with session_scope() as session:
        rated = session.scalars(select(Rating.user_id).where(Rating.user_id.in_(user_ids))).all()
    assert sorted(rated) == sorted(user_ids)
    # Each counter moved once: nothing the failed group ran before the failure stayed.
    after = _versions(user_ids)
    assert {u: after[u] - before[u] for u in user_ids} == dict.fromkeys(user_ids, 1)
    assert not pool._groups or all(not g.waiting for g in pool._groups.values())


def test_a_group_answers_each_call_with_its_own_row_or_none(board: dict[str, Any]) -> None:
    """One statement for the group: each call gets the row of its own rating, and a call
    whose posting is not stored (nothing written for it) gets None; what runs after the
    commit failing (the copy to Redis) fails no call."""
    user_ids = [u for u, _ in board["users"]]
    sent = [(u, board["first"] + 2 + k % 3, k % 4) for k, u in enumerate(user_ids * 2)]
    sent.insert(3, (user_ids[0], 1, 2))  # no posting with this job id
    commits: list[list[Any]] = []

    def committed(rows: list[Any]) -> None:
        commits.append(rows)
        raise RuntimeError("Redis went away")  # a copy that fails fails no rating

    async def burst() -> list[Any]:
        async with pool_on_this_loop():
            return await asyncio.gather(
                *(grouped(RATE_STORED, rate_stored_params(u, URL(j), r), committed)
                  for u, j, r in sent)
            )  # fmt: skip

    rows = asyncio.run(burst())
    assert rows[3] is None
    answers = [rated_stored(row) for row in rows if row is not None]
    answered = [(int(a.posting.job_id or 0), a.rating.rating) for a in answers]
    assert answered == [(j, r) for _, j, r in sent if j != 1]
    assert sum(len(c) for c in commits) == len(sent) - 1 and len(commits) < len(sent)


def test_concurrent_reads_share_round_trips_and_each_gets_its_own_row(
    board: dict[str, Any],
) -> None:
    from shared.db.models import Posting

    by_job_id = select(Posting.id, Posting.job_id).where(Posting.job_id == bindparam("job_id"))
    wanted = [str(board["first"] + i % 10) for i in range(40)] + ["1"]  # the last: no posting
    count0, sum0 = _count_and_sum("read")

    async def burst() -> list[Any]:
        async with pool_on_this_loop():
            return await asyncio.gather(*(first(by_job_id, {"job_id": j}) for j in wanted))

    rows = asyncio.run(burst())
    assert [r.job_id if r is not None else None for r in rows] == [*wanted[:-1], None]
    count, total = _count_and_sum("read")
    assert total - sum0 == len(wanted)  # every read went through a group...
    assert count - count0 < len(wanted) / 2  # ...and most shared one


def test_a_read_that_fails_fails_alone() -> None:
    """A division by zero in one read fails the group's round trip; the others are retried
    one at a time and answer."""
    quotient = select((literal(12) / bindparam("d", type_=Integer)).label("q"))
    divisors = [1, 2, 0, 3, 4, 6]

    async def burst() -> list[Any]:
        async with pool_on_this_loop():
            return await asyncio.gather(
                *(first(quotient, {"d": d}) for d in divisors), return_exceptions=True
            )

    outcomes = asyncio.run(burst())
    assert isinstance(outcomes[2], psycopg.errors.DivisionByZero)
    assert [o.q for i, o in enumerate(outcomes) if i != 2] == [12, 6, 4, 3, 2]


def test_a_token_this_process_has_not_read_is_read_and_touched_on_the_pool(
    board: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty concurrent ratings on tokens out of the cache and due for their last_used_at:
    each token is read and touched on the gateway's pool (in shared round trips), never on a
    thread, and the ratings are answered by the fast lane; a revoked token read the same way
    is refused."""
    from shared import credentials
    from shared.db.models import ApiToken
    from shared.db.session import session_scope

    threaded: list[str] = []
    load, touch = credentials._load, credentials._touch

    def spied_load(k: credentials.Key) -> Any:
        threaded.append(f"load {k[0]}")
        return load(k)

    def spied_touch(token_id: int) -> None:
        threaded.append(f"touch {token_id}")
        touch(token_id)

    monkeypatch.setattr(credentials, "_load", spied_load)
    monkeypatch.setattr(credentials, "_touch", spied_touch)
    (u0, h0), (u1, h1), *_ = board["users"]
    with session_scope() as session:
        session.execute(
            update(ApiToken).where(ApiToken.user_id.in_([u0, u1])).values(last_used_at=None)
        )
    credentials._cache.clear()
    credentials._touched.clear()
    _, sum0 = _count_and_sum("read")

    sends = [(h0 if i % 2 else h1, board["first"] + i % 10, i % 4) for i in range(50)]
    answers = _burst(sends)
    assert [a.status_code for a in answers] == [202] * 50, answers[0].text
    assert threaded == []
    _, total = _count_and_sum("read")
    assert total - sum0 >= 2  # at least one read per token, on the pool
    with session_scope() as session:
        used = session.scalars(
            select(ApiToken.last_used_at).where(ApiToken.user_id.in_([u0, u1]))
        ).all()
        assert len(used) == 2 and None not in used  # touched, once each (claimed once)
        session.execute(update(ApiToken).where(ApiToken.user_id == u0).values(revoked_at=utcnow()))
    credentials._cache.clear()
    refused = _burst(sends)
    assert {a.status_code for a, i in zip(refused, range(50), strict=True) if i % 2} == {401}
    assert threaded == []


def test_a_calls_document_reads_back_as_each_call_was_sent(board: dict[str, Any]) -> None:
    """The calls go as one JSON document (`shared.db.calls`): each comes back from it with
    its values as sent (a timestamp to the microsecond, text past ASCII, quotes and
    backslashes) and numbered in order."""
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy import DateTime, String

    from shared.db.calls import as_document, calls_table
    from shared.db.session import session_scope

    table = calls_table({"word": String(), "at": DateTime(timezone=True), "n": Integer()})
    sent = [
        {"word": 'Zürich "quoted" \\ back', "at": datetime(2026, 12, 7, 1, 2, 3, 456789, UTC)},
        {"word": "naïve", "at": datetime(2026, 1, 1, 23, 0, tzinfo=timezone(timedelta(hours=5)))},
        {"word": "", "at": utcnow()},
    ]
    sent = [{**call, "n": k * 7} for k, call in enumerate(sent)]
    with session_scope() as session:
        rows = session.execute(
            select(table.c.word, table.c.at, table.c.n, table.c.call), as_document(sent)
        ).all()
    assert [tuple(row) for row in rows] == [
        (call["word"], call["at"], call["n"], number) for number, call in enumerate(sent, 1)
    ]


def test_the_rating_statement_finds_each_posting_by_its_job_id(board: dict[str, Any]) -> None:
    """Whatever PostgreSQL knows of the postings table (this database is never analyzed:
    autovacuum is off here), a group's postings are found by a probe of the job id's unique
    index each, never by a scan of every fetched posting (as a join, the planner took the
    status index and hashed them all: 2.6 ms of a 12-rating group's 4.7 with 570 postings)."""
    import json

    from shared.db.calls import as_document
    from shared.db.session import session_scope

    sql, params = pool._compiled(RATE_STORED)
    calls = [
        rate_stored_params(u, URL(board["first"] + k), k % 4)
        for k, (u, _) in enumerate(board["users"])
    ]
    with session_scope() as session:
        raw = (
            session.connection()
            .exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, {**params, **as_document(calls)})
            .scalar_one()
        )
    plan = raw if isinstance(raw, list) else json.loads(raw)

    def nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    on_postings = [n for n in nodes(plan[0]["Plan"]) if n.get("Relation Name") == "postings"]
    assert on_postings, plan
    assert {(n["Node Type"], n.get("Index Name")) for n in on_postings} == {
        ("Index Scan", "uq_postings_job_id")
    }, on_postings


def test_a_request_does_not_wait_for_its_tokens_last_used_at(board: dict[str, Any]) -> None:
    """A token's last_used_at (written once a minute) is written beside the request, not in
    its way: ratings on a token whose row another transaction holds locked are answered
    while it holds it, and the write lands once the lock is let go, before the pool closes.
    (Waiting for it, each token's first request of a minute waited a commit, or a lock.)"""
    from shared import credentials
    from shared.db.models import ApiToken
    from shared.db.session import get_engine, session_scope

    (user_id, headers), *_ = board["users"]

    def last_used() -> Any:
        with session_scope() as session:
            return session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == user_id))

    with session_scope() as session:
        session.execute(
            update(ApiToken).where(ApiToken.user_id == user_id).values(last_used_at=None)
        )
    credentials._cache.clear()
    credentials._touched.clear()
    conninfo = get_engine().url.set(drivername="postgresql").render_as_string(False)

    async def rate_while_locked() -> tuple[list[int], Any]:
        async with (
            pool_on_this_loop(),
            await psycopg.AsyncConnection.connect(conninfo) as locker,
            locker.transaction(),
        ):
            await locker.execute(
                "SELECT id FROM api_tokens WHERE user_id = %s FOR UPDATE", (user_id,)
            )
            sends = [(headers, board["first"] + k, k % 4) for k in range(5)]
            # A guard against hanging, not a timing: waiting on the lock never ends.
            answers = await asyncio.wait_for(_rate(sends), 120)
            while_locked = last_used()
        return [a.status_code for a in answers], while_locked

    statuses, while_locked = asyncio.run(rate_while_locked())
    assert statuses == [202] * 5
    assert while_locked is None  # answered before the write could land
    assert last_used() is not None  # and it landed before the pool closed
