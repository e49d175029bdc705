"""Durable jobs: a worker killed mid-job, a lost broker message, and cancellation all end in
a job row that tells the truth."""

from __future__ import annotations

import uuid
from typing import Any

import redis

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
    # A worker that runs beat but does not consume the scrape queue: the message waits in Redis.
    beat_only = Worker("beat", queues="train")
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
    from shared.jobs import reap

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
