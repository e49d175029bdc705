"""A scrape worker that has run whole searches, a search by hand and a saved search's run,
stays lean: the ranking (pandas, scipy, scikit-learn and the user's model) runs on the
extract queue, whose processes have that stack already. Real workers as `make run` starts
them (the scrape one on the launcher's threads), the real gateway's API, Redis, Postgres and
the LinkedIn stand-in."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import delete, select

from services.launcher import SCRAPE_POOL
from shared.db.models import Job
from shared.db.session import session_scope
from tests.conftest import REDIS_DB, TEST_ENV, Worker, signup, wait_for, wait_job

SCORING_STACK = ("sklearn", "pandas", "scipy", "torch")
TARGET_MB = 200  # issue 15: a scrape worker process at most this RSS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def _search_row(user_id: int) -> Job:
    """A search whose postings are all read (its first pass is done), sent to a worker."""
    from shared.db.base import utcnow

    params = {"keywords": "x", "found": [], "new_postings": 0, "note": None, "query": {}}
    return Job(
        id=uuid.uuid4(), kind="search", user_id=user_id, priority="interactive",
        status="queued", attempts=0, params=params, created_at=utcnow(), sent_at=utcnow(),
    )  # fmt: skip


def _resend(job_id: uuid.UUID) -> None:
    """As the reaper does for a message it presumes lost."""
    from shared.db.base import utcnow

    with session_scope() as session:
        row = session.get(Job, job_id)
        assert row is not None
        row.status, row.sent_at = "queued", utcnow()


def test_a_search_waits_for_one_rank_child_and_takes_its_list_or_its_error(
    database: str, redis_broker: str, api: Any
) -> None:
    """The passes of a search after its postings are read, run in this process (no worker
    here): one rank child, however often the search's message comes; its list is the
    search's result; its failure is the search's, with its reason."""
    from shared.jobs import run_job
    from shared.searches import rank_work, search_work

    headers = signup(api)
    user_id = int(api.get("/api/v1/me", headers=headers).json()["user"]["id"])
    search, failing = _search_row(user_id), _search_row(user_id)
    with session_scope() as session:
        session.add_all([search, failing])

    def row(job_id: uuid.UUID) -> Job:
        with session_scope() as session:
            job = session.get(Job, job_id)
            assert job is not None
            session.expunge(job)
            return job

    def ranks(parent: uuid.UUID) -> list[Job]:
        with session_scope() as session:
            found = session.scalars(select(Job).where(Job.parent_id == parent)).all()
            session.expunge_all()
            return list(found)

    try:
        run_job(str(search.id), search_work, 1)
        after = row(search.id)
        assert (after.status, after.message, after.progress) == ("waiting", "ranking", 0.95)
        (rank,) = ranks(search.id)
        assert (rank.kind, rank.priority, rank.params) == ("rank", "interactive", {"found": []})
        assert rank.sent_at is not None  # released to the extract queue

        _resend(search.id)  # its message again, while the child has not run yet
        run_job(str(search.id), search_work, 1)
        assert row(search.id).status == "waiting" and len(ranks(search.id)) == 1

        run_job(str(rank.id), rank_work, 1)  # what the extract worker does
        assert row(rank.id).status == "succeeded"
        assert row(search.id).status == "queued"  # woken by the child's pass
        run_job(str(search.id), search_work, 1)
        done = row(search.id)
        assert (done.status, done.progress, done.message) == ("succeeded", 1.0, "finished")
        assert done.result == {
            "items": [], "total": 0, "new_postings": 0, "note": None, "query": {}
        }  # fmt: skip

        run_job(str(failing.id), search_work, 1)
        (doomed,) = ranks(failing.id)
        with session_scope() as session:
            child = session.get(Job, doomed.id)
            assert child is not None
            child.status, child.error = "failed", "the model could not be read"
        _resend(failing.id)
        run_job(str(failing.id), search_work, 1)
        failed = row(failing.id)
        assert (failed.status, failed.error) == ("failed", "the model could not be read")
    finally:
        with session_scope() as session:
            session.execute(delete(Job).where(Job.parent_id.in_([search.id, failing.id])))
            session.execute(delete(Job).where(Job.id.in_([search.id, failing.id])))
        r = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        for queue in ("scrape", "extract"):
            r.delete(TEST_ENV["LIR_BROKER_KEY_PREFIX"] + queue)


@pytest.fixture(scope="module")
def lean(
    database: str, redis_broker: str, linkedin: Any, api: Any, tmp_path_factory: Any
) -> Iterator[tuple[Worker, Path]]:
    modules = tmp_path_factory.mktemp("lean") / "scrape-modules.json"
    patient = {"LIR_JOB_HEARTBEAT_TIMEOUT_SECONDS": "120"}  # a first embedding on a busy box
    scrape = Worker(
        "lean-scrape",
        queues="scrape",
        beat=False,
        env={**patient, "LIR_TEST_MODULES_OUT": str(modules)},
        args=SCRAPE_POOL,
        main="tests.integration.modules_at_exit",
    )
    rest = Worker("lean-rest", queues="extract,train,maintenance", env=patient)
    yield scrape, modules
    scrape.stop()
    rest.stop()


def test_a_scrape_worker_that_ran_searches_never_loads_the_scoring_stack(
    lean: tuple[Worker, Path], api: Any
) -> None:
    scrape, modules = lean
    headers = signup(api)
    search = {"keywords": "lean ranker", "limit": 6}
    res = api.post("/api/v1/searches", json=search, headers=headers)
    assert res.status_code == 202, res.text
    done = wait_job(api, headers, res.json()["job"]["id"], timeout=600)
    assert done["status"] == "succeeded", done
    items = done["result"]["items"]
    assert done["result"]["new_postings"] == 6 and len(items) == 6
    scores = [it["expected_score"] for it in items]
    assert scores == sorted(scores, reverse=True)  # still ranked, with the reasons
    assert all("reasons" in it and it["score_text"] for it in items)

    saved = api.post(
        "/api/v1/saved-searches",
        json={"keywords": "lean saved ranker", "limit": 4, "alert_min_score": 0},
        headers=headers,
    )
    assert saved.status_code == 201, saved.text
    sid = saved.json()["id"]

    def run_finished() -> Any:
        job = api.get(f"/api/v1/saved-searches/{sid}", headers=headers).json()["last_job"]
        return job if job and job["status"] in ("succeeded", "failed", "cancelled") else None

    run = wait_for(run_finished, timeout=600, every=0.5)  # beat starts it (1 s look)
    assert run["status"] == "succeeded", run
    assert run["result"]["matches"] == 4 and run["result"]["new_matches"] == 4
    found = api.get(f"/api/v1/saved-searches/{sid}/matches", headers=headers).json()
    assert len(found) == 4
    # Each ranked in a child job of its own, which the extract worker ran.
    jobs = api.get("/api/v1/jobs", params={"limit": 200}, headers=headers).json()["items"]
    ranks = [j for j in jobs if j["kind"] == "rank"]
    assert {j["parent_id"] for j in ranks} == {done["id"], run["id"]}
    assert all(j["status"] == "succeeded" for j in ranks)

    rss = rss_mb(scrape.proc.pid)  # threads: the tasks ran in this very process
    print(f"scrape worker RSS after a search and a saved search's run: {rss:.1f} MB")
    scrape.stop()  # it writes its sys.modules on the way out
    loaded = set(json.loads(modules.read_text()))
    assert "shared" in loaded and "celery" in loaded  # the file is the worker's
    assert not loaded & set(SCORING_STACK), sorted(loaded & set(SCORING_STACK))
    assert rss <= TARGET_MB
