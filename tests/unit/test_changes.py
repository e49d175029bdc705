"""Which change counters a commit bumps (shared.changes), for each shape of write: ORM
objects, bulk statements by parameters, VALUES and WHERE, savepoints and rollbacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import bindparam, create_engine, delete, update
from sqlalchemy.orm import Session

from shared import changes
from shared.db.base import Base, utcnow
from shared.db.models import (
    BlockRule,
    HiddenPosting,
    ModelVersion,
    Posting,
    Prediction,
    Rating,
    User,
)
from shared.ratings import dialect_insert, upsert_rating


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    from shared import change_mirror

    # This throw-away SQLite's counters must not be copied over the test database's in Redis
    # (the copy is keyed by the configured database URL).
    monkeypatch.setattr(change_mirror, "_down_until", float("inf"))
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all(
            [User(id=1, email="a", password_hash="x"), User(id=2, email="b", password_hash="x")]
        )
        s.add(Posting(id=1, title="t"))
        s.commit()
        yield s


def counters(s: Session) -> tuple[int, ...]:
    return changes.versions(s, ["user:1", "user:2", "all"])


def test_orm_writes_bump_their_users_scope_and_postings_the_shared_one(session: Session) -> None:
    assert counters(session) == (0, 0, 1)
    session.add(BlockRule(user_id=1, kind="company", pattern="x"))
    session.commit()
    assert counters(session) == (1, 0, 1)
    session.add(Rating(user_id=2, posting_id=1, rating=2))  # flushed only by the commit
    session.commit()
    assert counters(session) == (1, 1, 1)
    posting = session.get(Posting, 1)
    assert posting is not None
    posting.title = posting.title  # no change: no bump
    session.commit()
    assert counters(session) == (1, 1, 1)
    posting.annual_max = 1.0
    session.commit()
    assert counters(session) == (1, 1, 2)


def test_bulk_statements_bump_the_users_they_name(session: Session) -> None:
    row = {"posting_id": 1, "predicted": 1, "probabilities": [1.0], "expected_score": 1.0}
    session.execute(
        dialect_insert(session)(Prediction), [{"user_id": 1, **row, "created_at": utcnow()}]
    )
    session.commit()
    assert counters(session) == (1, 0, 1)
    session.execute(
        dialect_insert(session)(Prediction).values(user_id=2, created_at=utcnow(), **row)
    )
    session.commit()
    assert counters(session) == (1, 1, 1)
    session.execute(update(ModelVersion).where(ModelVersion.user_id == 2).values(is_active=False))
    session.commit()
    assert counters(session) == (1, 2, 1)
    session.execute(delete(Prediction).where(Prediction.user_id.in_([1, 2])))
    session.commit()
    assert counters(session) == (2, 3, 1)
    session.execute(delete(Prediction))  # whose rows? every reader rechecks
    session.commit()
    assert counters(session) == (2, 3, 2)


def test_savepoints_count_at_the_root_commit_and_rollbacks_not_at_all(session: Session) -> None:
    with session.begin_nested():
        session.add(HiddenPosting(user_id=2, posting_id=1, created_at=utcnow()))
    assert counters(session) == (0, 0, 1)  # not yet: the counters' locks wait for the commit
    session.commit()
    assert counters(session) == (0, 1, 1)
    session.add(Rating(user_id=1, posting_id=1, rating=2))
    session.flush()
    session.rollback()
    session.commit()
    assert counters(session) == (0, 1, 1)


def test_a_bare_url_row_bumps_nothing_until_its_fetch_writes_it(session: Session) -> None:
    """A rating of a new URL creates a posting with no title: no list can show it yet, so the
    shared counter (one hot row for every writer) is left alone until the fetch fills it."""
    session.add(Posting(id=2, url="https://www.linkedin.com/jobs/view/2/"))
    session.add(Rating(user_id=1, posting_id=2, rating=3))
    session.commit()
    assert counters(session) == (1, 0, 1)
    fetched = session.get(Posting, 2)
    assert fetched is not None
    fetched.title = "Data Engineer"
    session.commit()
    assert counters(session) == (1, 0, 2)
    session.add(Posting(id=3, title="Planted, already fetched"))
    session.commit()
    assert counters(session) == (1, 0, 3)


def test_statements_built_once_bump_the_users_their_parameters_name(session: Session) -> None:
    """A `bindparam()` has no value of its own: the user is read from the parameters."""
    upsert_rating(session, 2, 1, 3)  # its INSERT .. ON CONFLICT is built at import
    session.commit()
    assert counters(session) == (0, 1, 1)
    by_user = update(Rating).where(Rating.user_id == bindparam("uid")).values(rating=1)
    session.execute(by_user, {"uid": 1})
    session.commit()
    assert counters(session) == (1, 1, 1)
    of_users = delete(Rating).where(Rating.user_id.in_(bindparam("uids", expanding=True)))
    session.execute(of_users, {"uids": [2]})
    session.commit()
    assert counters(session) == (1, 2, 1)
