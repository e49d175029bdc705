"""Which users' models are due for a training (`shared.training.due_for_training`): one
statement for many users, on PostgreSQL (the migrated database) and on SQLite (the embedded
default), each rule of `maybe_queue_training` shown by a user it keeps out or lets in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from shared.db.base import Base, utcnow
from shared.db.models import Job, ModelVersion, Rating, User
from shared.settings import get_settings
from shared.training import check_retraining, due_for_training, maybe_queue_training
from tests.integration.planted import planted_posting


@pytest.fixture(params=["postgresql", "sqlite"])
def session(request: Any) -> Iterator[Session]:
    if request.param == "postgresql":
        yield request.getfixturevalue("db")  # rolled back after the test
        return
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_due_for_training_applies_every_rule_in_one_statement(session: Session) -> None:
    settings = get_settings()
    enough, every = settings.min_ratings_for_model, settings.retrain_every
    now = utcnow()
    long_ago, earlier = now - timedelta(hours=2), now - timedelta(hours=1)
    first = 4_810_000_000 + uuid.uuid4().int % 10**5 * 100
    postings = [planted_posting(first + i, "Due", "Due Co") for i in range(enough + every)]
    session.add_all(postings)
    users = {
        name: User(email=f"due-{name}-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")
        for name in (
            "too_few",
            "enough",
            "waiting",
            "reading",
            "unchanged",
            "changed",
            "running",
            "unread",
            "later",
        )
    }
    session.add_all(users.values())
    session.flush()

    def rate(name: str, n: int, at: Any, start: int = 0) -> None:
        session.add_all(
            Rating(user_id=users[name].id, posting_id=p.id, rating=2, created_at=at, updated_at=at)
            for p in postings[start : start + n]
        )

    def job(name: str, kind: str, status: str, started: Any = None) -> Job:
        made = Job(
            id=uuid.uuid4(), user_id=users[name].id, kind=kind, status=status, started_at=started
        )
        session.add(made)
        return made

    def version(name: str, at: Any, number: int = 1) -> None:
        session.add(
            ModelVersion(
                user_id=users[name].id,
                version=number,
                algorithm="ridge",
                feature_version="v",
                n_ratings=enough,
                train_seconds=1.0,
                artifact_sha256="0" * 64,
                created_at=at,
            )
        )

    rate("too_few", enough - 1, long_ago)
    rate("enough", enough, long_ago)
    rate("waiting", enough, long_ago)
    job("waiting", "train", "queued")
    rate("reading", enough, long_ago)
    reading = job("reading", "extract", "running")
    # A version after the ratings, then fewer than `every` of them changed since it.
    rate("unchanged", enough, long_ago)
    version("unchanged", earlier)
    rate("changed", enough, long_ago)
    version("changed", earlier)
    # Another user's newer version, and running training, count for that user alone.
    rate("later", enough, long_ago)
    version("later", now + timedelta(days=1), number=2)
    job("later", "train", "running", started=now + timedelta(days=1))
    # A running training counts from its start, not from the latest version.
    rate("running", enough, long_ago)
    job("running", "train", "running", started=earlier)
    session.flush()
    for name in ("unchanged", "changed", "running"):
        changed = every if name == "changed" else every - 1
        for r in session.query(Rating).filter(Rating.user_id == users[name].id).limit(changed):
            r.updated_at = now
    # Ratings whose postings are not yet read do not count (the last posting: no one
    # else rated it).
    rate("unread", enough, long_ago, start=every)
    postings[-1].extracted_at = None
    session.flush()

    ids = {name: u.id for name, u in users.items()}
    due = due_for_training(session, ids.values())
    assert due == sorted([ids["enough"], ids["changed"]])
    # The job asking is not "still reading" for itself.
    assert due_for_training(session, [ids["reading"]], current=reading) == [ids["reading"]]
    assert maybe_queue_training(session, ids["reading"]) is None
    queued = maybe_queue_training(session, ids["reading"], current=reading)
    assert queued is not None and queued.kind == "train" and queued.status == "queued"

    check_retraining(session, ids.values())
    session.flush()
    trains = {
        j.user_id for j in session.query(Job).filter(Job.kind == "train", Job.status == "queued")
    }
    assert {ids["enough"], ids["changed"]} <= trains
    assert ids["too_few"] not in trains and ids["unchanged"] not in trains
    # Now waiting: none is due again.
    assert due_for_training(session, ids.values()) == []
