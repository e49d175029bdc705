"""Fair, bounded work through the real gateway, Redis, a Celery worker and the stand-in:
priority classes, children of imports and searches."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from shared.jobs import ACTIVE
from tests.conftest import Worker, signup, wait_for, wait_job

URL = "https://www.linkedin.com/jobs/view/{}/"


def _cancel_everything() -> None:
    from shared.db.models import Job
    from shared.db.session import session_scope

    with session_scope() as session:
        session.execute(update(Job).where(Job.status.in_(ACTIVE)).values(status="cancelled"))


@pytest.fixture(scope="module")
def running(database: str, redis_broker: str, linkedin: Any, api: Any) -> Iterator[Any]:
    # Scraping has a worker of its own, as in `make run`: a first extraction (loading the
    # embedding model) then never holds up the scrapes these tests are about.
    # The reaper is not under test here: a slow step on a loaded machine is not a dead worker.
    patient = {"LIR_JOB_HEARTBEAT_TIMEOUT_SECONDS": "120"}
    workers = [
        Worker("fair-scrape", queues="scrape", env=patient),
        Worker("fair-rest", queues="extract,train,maintenance", env=patient),
    ]
    yield api
    _cancel_everything()  # leave no backlog to the next module's workers
    for w in workers:
        w.stop()


@pytest.fixture(autouse=True)
def _fresh_queues() -> Iterator[None]:
    yield
    _cancel_everything()


def _jobs(db: Any, **where: Any) -> list[Any]:
    from shared.db.models import Job

    db.rollback()  # a fresh snapshot
    stmt = select(Job).where(*(getattr(Job, k) == v for k, v in where.items()))
    return list(db.scalars(stmt).all())


def test_a_rating_is_interactive_and_an_import_with_its_children_is_bulk(
    running: Any, db: Any
) -> None:
    headers = signup(running)
    rated = running.post(
        "/api/v1/ratings", json={"url": URL.format(4100000001), "rating": 2}, headers=headers
    ).json()
    assert rated["job"]["priority"] == "interactive" and rated["job"]["parent_id"] is None
    csv = "url,rating\n" + "".join(URL.format(4100000010 + i) + f",{i % 4}\n" for i in range(3))
    res = running.post(
        "/api/v1/imports", files={"file": ("r.csv", csv, "text/csv")}, headers=headers
    )
    assert res.status_code == 202, res.text
    imported = res.json()["job"]
    assert imported["priority"] == "bulk"
    assert wait_job(running, headers, imported["id"], timeout=300)["status"] == "succeeded"
    root = uuid.UUID(imported["id"])
    children = wait_for(lambda: len(_jobs(db, parent_id=root)) >= 6 and _jobs(db, parent_id=root))
    assert sorted(j.kind for j in children) == ["extract"] * 3 + ["scrape"] * 3
    assert {j.priority for j in children} == {"bulk"}
    assert wait_job(running, headers, rated["job"]["id"])["status"] == "succeeded"
    (extract,) = wait_for(lambda: _jobs(db, parent_id=uuid.UUID(rated["job"]["id"])))
    assert (extract.kind, extract.priority) == ("extract", "interactive")


def _import(api: Any, headers: dict[str, str], first_id: int, rows: int) -> dict[str, Any]:
    csv = "url,rating\n" + "".join(URL.format(first_id + i) + f",{i % 4}\n" for i in range(rows))
    res = api.post("/api/v1/imports", files={"file": ("r.csv", csv, "text/csv")}, headers=headers)
    assert res.status_code == 202, res.text
    job: dict[str, Any] = res.json()["job"]
    return job


def _user_id(api: Any, headers: dict[str, str]) -> int:
    return int(api.get("/api/v1/me", headers=headers).json()["user"]["id"])


def test_one_users_import_backlog_does_not_hold_up_anothers_rating(
    running: Any, linkedin: Any, db: Any
) -> None:
    from shared.settings import get_settings

    # A's import is bulk: at most the queue's bulk budget in flight, whoever's it is.
    per_user = get_settings().dispatch_bulk_per_queue
    a, b = signup(running), signup(running)
    a_id = _user_id(running, a)
    linkedin.configure(latency_ms=300)
    try:
        imported = _import(running, a, 4200000000, 40)
        assert wait_job(running, a, imported["id"], timeout=300)["status"] == "succeeded"
        rated = running.post(
            "/api/v1/ratings", json={"url": URL.format(4200009999), "rating": 3}, headers=b
        ).json()
        seen: list[int] = []

        def b_done() -> bool:
            a_scrapes = _jobs(db, user_id=a_id, kind="scrape")
            flying = [j for j in a_scrapes if j.sent_at is not None and j.status in ACTIVE]
            seen.append(len(flying))
            job = running.get(f"/api/v1/jobs/{rated['job']['id']}", headers=b).json()
            return bool(job["status"] == "succeeded")

        wait_for(b_done)
        a_scrapes = _jobs(db, user_id=a_id, kind="scrape")
        never_sent = [j for j in a_scrapes if j.sent_at is None and j.status == "queued"]
    finally:
        linkedin.configure(latency_ms=0)
    # A's backlog stayed in the database: at most K of A's scrapes were ever in Celery, and
    # B's rating was read while most of A's 40 had not even been released. K is the bulk
    # budget, more than a user's interactive slots: alone, a backlog fills it.
    assert get_settings().dispatch_per_user < max(seen) <= per_user
    assert len(never_sent) >= 20
    assert running.post("/api/v1/jobs/cancel", json={}, headers=a).json()["cancelled"] >= 20


def test_a_search_reads_its_postings_as_child_jobs_without_holding_a_worker(
    running: Any, linkedin: Any, db: Any
) -> None:
    a, b = signup(running), signup(running)
    linkedin.configure(latency_ms=300)
    try:
        res = running.post(
            "/api/v1/searches", json={"keywords": "fairness engineer", "limit": 6}, headers=a
        )
        assert res.status_code == 202, res.text
        search = res.json()["job"]
        assert search["priority"] == "interactive"
        wait_for(
            lambda: (
                running.get(f"/api/v1/jobs/{search['id']}", headers=a).json()["status"] == "waiting"
            )
        )
        rated = running.post(
            "/api/v1/ratings", json={"url": URL.format(4300009999), "rating": 1}, headers=b
        ).json()
        assert wait_job(running, b, rated["job"]["id"])["status"] == "succeeded"
        # B's posting was read while A's search was still waiting for its own.
        assert running.get(f"/api/v1/jobs/{search['id']}", headers=a).json()["status"] == (
            "waiting"
        )
    finally:
        linkedin.configure(latency_ms=0)
    children = _jobs(db, parent_id=uuid.UUID(search["id"]))
    scrapes = [j for j in children if j.kind == "scrape"]
    assert len(scrapes) == 6 and {j.priority for j in scrapes} == {"interactive"}
    # Then it ranks them, once their extraction is done too (slow on a loaded machine).
    done = wait_job(running, a, search["id"], timeout=600)
    assert done["status"] == "succeeded", done
    assert done["result"]["new_postings"] == 6 and len(done["result"]["items"]) == 6
    assert all(j.status == "succeeded" for j in _jobs(db, parent_id=uuid.UUID(search["id"])))


def test_cancelling_a_search_or_an_import_cancels_its_children(running: Any, db: Any) -> None:
    headers = signup(running)
    search = running.post(
        "/api/v1/searches", json={"keywords": "cancel me please", "limit": 10}, headers=headers
    ).json()["job"]
    wait_for(
        lambda: (
            running.get(f"/api/v1/jobs/{search['id']}", headers=headers).json()["status"]
            == "waiting"
        )
    )
    res = running.post(f"/api/v1/jobs/{search['id']}/cancel", headers=headers)
    assert res.status_code == 200 and res.json()["status"] == "cancelled"

    def search_children_ended() -> bool:
        # An extraction a running scrape queued as the cancel committed is cancelled when
        # a worker picks it up.
        children = _jobs(db, parent_id=uuid.UUID(search["id"]))
        return bool(children) and all(j.status in ("cancelled", "succeeded") for j in children)

    wait_for(search_children_ended, timeout=120, every=0.5)
    assert any(j.status == "cancelled" for j in _jobs(db, parent_id=uuid.UUID(search["id"])))

    imported = _import(running, headers, 4400000000, 30)
    assert wait_job(running, headers, imported["id"], timeout=300)["status"] == "succeeded"
    bulk = running.post("/api/v1/jobs/cancel", json={"kind": "import"}, headers=headers)
    assert bulk.status_code == 200, bulk.text
    assert bulk.json()["cancelled"] >= 1

    def all_ended() -> bool:
        # A child its running sibling created at the moment of the cancel still ends.
        children = _jobs(db, parent_id=uuid.UUID(imported["id"]))
        ended = all(j.status in ("cancelled", "succeeded", "failed") for j in children)
        return len(children) >= 30 and ended

    wait_for(all_ended, timeout=120, every=0.5)
    other = signup(running)
    rated = running.post(
        "/api/v1/ratings", json={"url": URL.format(4400009999), "rating": 1}, headers=other
    ).json()
    # Another user's bulk cancel does not touch this one's job.
    assert running.post("/api/v1/jobs/cancel", json={}, headers=headers).status_code == 200
    assert wait_job(running, other, rated["job"]["id"])["status"] == "succeeded"
    bad = running.post("/api/v1/jobs/cancel", json={"kind": "nonsense"}, headers=headers)
    assert bad.status_code == 422 and "kind" in bad.json()["detail"]


PROTOTYPE = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


def test_one_training_per_user_and_requests_coalesce(running: Any, db: Any) -> None:
    import csv
    import io

    from sqlalchemy.exc import IntegrityError

    from shared.db.models import Job

    source = (PROTOTYPE / "lirecommend_ratings_351.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(source)))[:16]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    headers = signup(running)
    user_id = _user_id(running, headers)
    res = running.post(
        "/api/v1/imports", files={"file": ("p.csv", out.getvalue(), "text/csv")}, headers=headers
    )
    assert res.status_code == 202, res.text
    assert wait_job(running, headers, res.json()["job"]["id"], timeout=600)["status"] == (
        "succeeded"
    )
    # Many requests at once, while the import's own training may be running: one follow-up.
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: running.post("/api/v1/models/train", headers=headers), range(6))
        )
    assert all(a.status_code == 202 for a in answers), [a.text for a in answers]
    trains = _jobs(db, user_id=user_id, kind="train")
    assert len([j for j in trains if j.status == "queued"]) <= 1
    assert len([j for j in trains if j.status == "running"]) <= 1
    assert len({a.json()["job"]["id"] for a in answers}) <= 2  # one, unless it started meanwhile
    # The guarantee is the database's, not just the code's.
    with pytest.raises(IntegrityError):
        db.add_all(
            Job(id=uuid.uuid4(), kind="train", user_id=user_id, status="queued") for _ in range(2)
        )
        db.flush()
    db.rollback()
    for job in trains:
        done = wait_job(running, headers, str(job.id), timeout=600)
        assert done["status"] == "succeeded", done
    assert len(_jobs(db, user_id=user_id, kind="train")) <= 2
