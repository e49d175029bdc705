"""Durable jobs: a worker killed mid-job, a lost broker message, and cancellation all end in
a job row that tells the truth."""

from __future__ import annotations

import uuid
from typing import Any

import redis
from sqlalchemy import delete

from shared.db.models import Job
from shared.db.session import session_scope
from tests.conftest import REDIS_DB, TEST_ENV, Worker, signup, wait_for, wait_job

URL = "https://www.linkedin.com/jobs/view/{}/"


def job_row(job_id: str) -> Job:
    with session_scope() as session:
        job = session.get(Job, uuid.UUID(job_id))
        assert job is not None
        session.expunge(job)
        return job


def test_cancelled_job_is_not_run(api: Any, linkedin: Any, redis_broker: str) -> None:
    headers = signup(api)
    body = api.post(
        "/api/v1/ratings", json={"url": URL.format(3200100100), "rating": 1}, headers=headers
    ).json()
    res = api.post(f"/api/v1/jobs/{body['job']['id']}/cancel", headers=headers)
    assert res.status_code == 200 and res.json()["status"] == "cancelled"
    r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    prefix = TEST_ENV["LIR_BROKER_KEY_PREFIX"]
    assert r.llen(prefix + "scrape") >= 1  # the cancelled job's message is waiting
    w = Worker("cancel", beat=False)
    try:
        # Delivered and acknowledged: the queue and the unacked set are both empty.
        wait_for(lambda: r.llen(prefix + "scrape") == 0 and r.hlen(prefix + "unacked") == 0, 30)
    finally:
        w.stop()
    job = job_row(body["job"]["id"])
    assert job.status == "cancelled" and job.attempts == 0


def test_worker_killed_mid_job_is_retried_and_completes(
    api: Any, linkedin: Any, redis_broker: str
) -> None:
    linkedin.configure(latency_ms=2500)
    headers = signup(api)
    first = Worker("doomed")
    try:
        body = api.post(
            "/api/v1/ratings", json={"url": URL.format(3200100200), "rating": 2}, headers=headers
        ).json()
        jid = body["job"]["id"]
        wait_for(lambda: job_row(jid).status == "running", 30)
        first.kill()
    finally:
        first.kill()
    assert job_row(jid).status == "running"
    linkedin.configure(latency_ms=0)
    second = Worker("rescuer")
    try:
        job = wait_job(api, headers, jid, timeout=60)
    finally:
        second.stop()
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2


def test_lost_message_is_resent_by_the_periodic_task(
    api: Any, linkedin: Any, redis_broker: str
) -> None:
    headers = signup(api)
    # Only the reaper's own queue (with beat) is consumed: the scrape message waits in Redis.
    beat_only = Worker("beat", queues="maintenance")
    try:
        body = api.post(
            "/api/v1/ratings", json={"url": URL.format(3200100300), "rating": 3}, headers=headers
        ).json()
        jid = body["job"]["id"]
        r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        key = TEST_ENV["LIR_BROKER_KEY_PREFIX"] + "scrape"
        wait_for(lambda: r.llen(key) >= 1, 10)
        r.delete(key)  # the broker loses the message (Redis here keeps nothing on disk)
        scraper = Worker("scraper", queues="scrape,extract", beat=False)
        try:
            job = wait_job(api, headers, jid, timeout=60)
        finally:
            scraper.stop()
    finally:
        beat_only.stop()
    assert job["status"] == "succeeded", job


def test_reaper_retries_then_fails_a_job_whose_worker_went_silent(
    api: Any, redis_broker: str
) -> None:
    from datetime import timedelta

    from shared.db.base import utcnow
    from shared.recovery.reaper import reap

    silent = utcnow() - timedelta(minutes=10)
    rows = [
        Job(id=uuid.uuid4(), kind="train", status="running", attempts=n, heartbeat_at=silent)
        for n in (1, 3)
    ]
    with session_scope() as session:
        session.add_all(rows)
    ids = str(rows[0].id), str(rows[1].id)
    counts = reap()
    assert counts["retried"] >= 1 and counts["failed"] >= 1
    retried, failed = job_row(ids[0]), job_row(ids[1])
    assert retried.status == "queued" and "retrying (attempt 2)" in (retried.message or "")
    assert failed.status == "failed"
    assert failed.error == "worker stopped responding 3 times (no heartbeat for 4s); giving up"
    with session_scope() as session:  # keep the re-sent message from doing anything later
        row = session.get(Job, uuid.UUID(ids[0]))
        assert row is not None
        row.status = "cancelled"


def _queued_jobs(n: int, created_ago: float) -> list[Job]:
    from datetime import timedelta

    from shared.db.base import utcnow

    created = utcnow() - timedelta(seconds=created_ago)
    return [
        # Released by the dispatcher (sent_at): only such messages can be lost.
        Job(
            id=uuid.uuid4(),
            kind="scrape",
            status="queued",
            attempts=0,
            created_at=created,
            sent_at=created,
        )
        for _ in range(n)
    ]


def test_a_finished_childs_pass_reports_its_parent_then_wakes_it(
    database: str, redis_broker: str
) -> None:
    """The one pass after a job finishes also says how far its waiting parent is, and queues
    the parent again (released to its queue) after the last child."""
    from shared.dispatch import dispatch_now

    r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    key = TEST_ENV["LIR_BROKER_KEY_PREFIX"] + "scrape"
    parent = Job(id=uuid.uuid4(), kind="search", status="waiting", attempts=0, params={})
    children = _queued_jobs(3, created_ago=0)  # in flight: the pass sends none of them
    for child in children:
        child.parent_id = parent.id
    try:
        with session_scope() as session:
            session.add(parent)
            session.flush()
            session.add_all(children)
            children[0].status = "succeeded"
        dispatch_now(finished=children[0].id)
        row = job_row(str(parent.id))
        assert (row.status, row.message) == ("waiting", "reading postings: 1 of 3 done")
        with session_scope() as session:
            for child in children[1:]:
                session.get(Job, child.id).status = "succeeded"  # type: ignore[union-attr]
        dispatch_now(finished=children[2].id)
        row = job_row(str(parent.id))
        assert row.status == "queued" and row.sent_at is not None  # woken and released
    finally:
        with session_scope() as session:
            for job in [*children, parent]:
                session.execute(delete(Job).where(Job.id == job.id))
        r.delete(key)


def test_reaper_resends_only_what_the_broker_lost(redis_broker: str) -> None:
    """A backlog merely waiting in Redis is left alone however old; lost messages are
    re-sent, once."""
    from shared import jobs
    from shared.recovery.reaper import reap

    r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    key = TEST_ENV["LIR_BROKER_KEY_PREFIX"] + "scrape"
    waiting, lost = _queued_jobs(5, created_ago=600), _queued_jobs(2, created_ago=600)
    with session_scope() as session:
        session.add_all(waiting + lost)
    for job in waiting:  # their messages are in the queue; nobody consumes it
        jobs.send(job.id, "scrape", 1)
    before = r.llen(key)
    try:
        assert reap()["resent"] == 2  # only the two that have no message
        assert r.llen(key) == before + 2
        assert reap()["resent"] == 0  # now every one of them is waiting: nothing more
        assert r.llen(key) == before + 2
    finally:
        with session_scope() as session:
            for job in waiting + lost:
                row = session.get(Job, job.id)
                assert row is not None
                row.status = "cancelled"
        r.delete(key)


def test_deferred_job_is_sent_when_due_and_not_before(redis_broker: str) -> None:
    from datetime import timedelta

    from shared.db.base import utcnow
    from shared.jobs import claim
    from shared.recovery.reaper import reap

    r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    key = TEST_ENV["LIR_BROKER_KEY_PREFIX"] + "scrape"
    job = _queued_jobs(1, created_ago=600)[0]
    job.retry_at = utcnow() + timedelta(minutes=5)
    with session_scope() as session:
        session.add(job)
    try:
        assert claim(job.id, 1) is None  # an early message does not run it
        before = r.llen(key)
        reap()
        assert r.llen(key) == before  # not due: not sent
        assert reap(now=utcnow() + timedelta(minutes=6))["resent"] >= 1
        assert r.llen(key) == before + 1
        row = job_row(str(job.id))
        assert row.retry_at is None and row.status == "queued"
    finally:
        with session_scope() as session:
            row = session.get(Job, job.id)
            assert row is not None
            row.status = "cancelled"
        r.delete(key)


def test_ownership_is_by_attempt_not_by_heartbeat(redis_broker: str) -> None:
    """The message of the running attempt, arriving again while the heartbeat is fresh (its
    worker died a moment ago), takes the job over; the old holder is fenced off; a message
    of an older attempt does nothing."""
    import pytest

    from shared.jobs import JobSuperseded, Progress, claim

    job = _queued_jobs(1, created_ago=0)[0]
    with session_scope() as session:
        session.add(job)
    try:
        assert claim(job.id, 1) == 1
        assert claim(job.id, 1) == 2  # redelivered with a fresh heartbeat: taken over
        assert claim(job.id, 1) is None  # attempt 1's message is stale now
        with session_scope() as session:
            row = session.get(Job, job.id)
            assert row is not None
            with pytest.raises(JobSuperseded):
                Progress(session, row, 1)(0.5, "the first holder wakes up")
        with session_scope() as session:
            row = session.get(Job, job.id)
            assert row is not None
            Progress(session, row, 2)(0.5, "the current holder reports")
        assert job_row(str(job.id)).message == "the current holder reports"
    finally:
        with session_scope() as session:
            row = session.get(Job, job.id)
            assert row is not None
            row.status = "cancelled"


def test_redelivered_message_of_a_dead_worker_runs_while_heartbeat_is_fresh(
    api: Any, linkedin: Any, redis_broker: str
) -> None:
    from shared import jobs
    from shared.db.base import utcnow

    headers = signup(api)
    body = api.post(
        "/api/v1/ratings", json={"url": URL.format(3200100400), "rating": 1}, headers=headers
    ).json()
    jid = body["job"]["id"]
    with session_scope() as session:  # a worker took attempt 1 and died just now
        row = session.get(Job, uuid.UUID(jid))
        assert row is not None
        row.status, row.attempts, row.heartbeat_at = "running", 1, utcnow()
    jobs.send(uuid.UUID(jid), "scrape", 1)  # the broker hands its message out again
    w = Worker("redelivery", queues="scrape,extract", beat=False)
    try:
        job = wait_job(api, headers, jid, timeout=30)
    finally:
        w.stop()
    assert (job["status"], job["attempts"]) == ("succeeded", 2)


def test_job_error_never_shows_sql(database: str) -> None:
    from sqlalchemy import text

    from shared.jobs import run_job

    job = _queued_jobs(1, created_ago=0)[0]
    with session_scope() as session:
        session.add(job)

    def broken(session: Any, job: Job, progress: Any) -> None:
        session.execute(text("INSERT INTO users (id) VALUES (NULL)"))

    run_job(str(job.id), broken, 1)
    row = job_row(str(job.id))
    assert row.status == "failed"
    assert row.error == "internal database error (NotNullViolation); the details are in the log"


def test_a_child_queued_after_its_roots_cancel_is_cancelled_when_claimed(
    redis_broker: str,
) -> None:
    """A running scrape of a search may queue its extraction as the search's cancel commits;
    that cancel's UPDATE cannot see the new row, so the claim ends it instead."""
    root, child = _queued_jobs(2, created_ago=0)
    root.status = "cancelled"
    child.parent_id = root.id
    with session_scope() as session:
        session.add(root)
        session.flush()
        session.add(child)
    try:
        from shared.jobs import claim

        assert claim(child.id, 1) is None
        row = job_row(str(child.id))
        assert (row.status, row.attempts) == ("cancelled", 0)
        assert row.message == "cancelled with its parent job"
        assert row.finished_at is not None
    finally:
        with session_scope() as session:
            session.execute(delete(Job).where(Job.id.in_([child.id, root.id])))


def test_a_users_finished_job_that_queued_nothing_releases_that_users_slot_alone(
    database: str, redis_broker: str
) -> None:
    """No deployment-wide pass after a user's own job that queued nothing (whose lock would
    hold up every rating meanwhile): that slot's oldest waiting jobs go, up to its budget
    (LIR_DISPATCH_PER_USER, 2), and another user's waiting job waits for the next pass."""
    from datetime import timedelta

    from shared.db.base import utcnow
    from shared.db.models import User
    from shared.dispatch import dispatch_now

    r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    key = TEST_ENV["LIR_BROKER_KEY_PREFIX"] + "scrape"
    users = [User(email=f"slot-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")]
    users.append(User(email=f"slot-{uuid.uuid4().hex[:8]}@example.com", password_hash="x"))
    now = utcnow()
    with session_scope() as session:
        session.add_all(users)
        session.flush()
        a, b = users[0].id, users[1].id

        def job(user_id: int, ago: int, status: str = "queued") -> Job:
            created = now - timedelta(seconds=ago)
            sent = created if status != "queued" else None
            return Job(id=uuid.uuid4(), kind="scrape", user_id=user_id, status=status,
                       attempts=0, params={}, created_at=created, sent_at=sent)  # fmt: skip

        done = job(a, 10, "succeeded")
        waiting = [job(a, 9), job(a, 8), job(a, 7)]
        other = job(b, 20)
        session.add_all([done, *waiting, other])
    try:
        assert dispatch_now(finished=done.id, queued_jobs=False) == 2
        assert [job_row(str(j.id)).sent_at is not None for j in waiting] == [True, True, False]
        assert job_row(str(other.id)).sent_at is None
        assert dispatch_now(finished=done.id) == 1  # a job that queued some: the pass
        assert job_row(str(other.id)).sent_at is not None
        assert job_row(str(waiting[2].id)).sent_at is None  # its user's slot is full
    finally:
        with session_scope() as session:
            session.execute(delete(Job).where(Job.user_id.in_([a, b])))
            session.execute(delete(User).where(User.id.in_([a, b])))
        r.delete(key)


def test_cancel_takes_its_locks_in_the_order_a_dispatch_pass_does(
    database: str, redis_broker: str
) -> None:
    """A pass marks a search's queued child sent, then reports progress on the search; a
    cancel of that search at the same moment must wait for the child's row, not hold the
    search's while it waits (that order deadlocked: one of the two failed)."""
    import threading

    from sqlalchemy import update

    from shared.dispatch import report_children
    from shared.jobs import cancel

    root, child = _queued_jobs(2, created_ago=0)
    root.status, child.parent_id, child.sent_at = "waiting", root.id, None
    with session_scope() as session:
        session.add(root)
        session.flush()
        session.add(child)
    errors: list[BaseException] = []

    def cancel_it() -> None:
        try:
            with session_scope() as session:
                row = session.get(Job, root.id)
                assert row is not None
                cancel(session, row)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    try:
        with session_scope() as pass_:
            pass_.execute(update(Job).where(Job.id == child.id).values(sent_at=root.created_at))
            canceller = threading.Thread(target=cancel_it)
            canceller.start()
            # The cancel now waits on a lock this pass holds.
            wait_for(lambda: _lock_waits() > 0, timeout=30)
            report_children(pass_, root.id)
        canceller.join(timeout=30)
        assert not canceller.is_alive() and not errors, errors
        assert (job_row(str(root.id)).status, job_row(str(child.id)).status) == (
            "cancelled",
            "cancelled",
        )
    finally:
        with session_scope() as session:
            session.execute(delete(Job).where(Job.id.in_([child.id, root.id])))


def _lock_waits() -> int:
    from sqlalchemy import text

    from shared.db.session import get_engine

    with get_engine().connect() as conn:
        waits = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        return int(conn.execute(text(waits)).scalar() or 0)
