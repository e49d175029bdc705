"""Fair, bounded work through the real gateway, Redis, a Celery worker and the stand-in:
priority classes, children of imports and searches."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Worker, signup, wait_for, wait_job

URL = "https://www.linkedin.com/jobs/view/{}/"


@pytest.fixture(scope="module")
def running(worker: Worker, linkedin: Any, api: Any) -> Any:
    return api


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
    assert wait_job(running, headers, imported["id"])["status"] == "succeeded"
    root = uuid.UUID(imported["id"])
    children = wait_for(lambda: len(_jobs(db, parent_id=root)) >= 6 and _jobs(db, parent_id=root))
    assert sorted(j.kind for j in children) == ["extract"] * 3 + ["scrape"] * 3
    assert {j.priority for j in children} == {"bulk"}
    assert wait_job(running, headers, rated["job"]["id"])["status"] == "succeeded"
    (extract,) = wait_for(lambda: _jobs(db, parent_id=uuid.UUID(rated["job"]["id"])))
    assert (extract.kind, extract.priority) == ("extract", "interactive")
