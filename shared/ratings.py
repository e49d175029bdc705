"""Ratings: the rules the REST routes, the pages and the import job share."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Job, Posting, Rating
from shared.jobs import create_job
from shared.linkedin import canonical_url, job_id_from_url
from shared.quotas import check_queued_jobs

RATING_ERROR = "rating must be 0, 1, 2 or 3"


def dialect_insert(session: Session):  # type: ignore[no-untyped-def]
    """INSERT with ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def check_rating(value: int) -> int:
    if value not in (0, 1, 2, 3):
        raise ValueError(RATING_ERROR)
    return value


def posting_for_url(session: Session, url: str) -> Posting:
    return insert_posting(session, job_id_from_url(url))


# Built once (a statement's construction costs more than its execution): the hot paths,
# a rating and a stored prediction, start here.
_BY_JOB_ID = select(Posting).where(Posting.job_id == bindparam("job_id"))


def insert_posting(session: Session, job_id: str) -> Posting:
    """The global posting row for a LinkedIn job id, created if new. Concurrent callers
    (two users pasting the same URL) end up with the same row. A known posting (the usual
    case) costs one SELECT; only a new one pays for the INSERT."""
    by_job_id = {"job_id": job_id}
    posting = session.scalar(_BY_JOB_ID, by_job_id)
    if posting is not None:
        return posting
    stmt = (
        dialect_insert(session)(Posting)
        .values(
            job_id=job_id,
            url=canonical_url(job_id),
            source="linkedin",
            status="pending",
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["job_id"])
    )
    session.execute(stmt)
    posting = session.scalar(_BY_JOB_ID, by_job_id)
    assert posting is not None
    return posting


def upsert_rating(session: Session, user_id: int, posting_id: int, value: int) -> Rating:
    """Insert or update, and read the row back, in one statement."""
    check_rating(value)
    now = utcnow()
    stmt = (
        dialect_insert(session)(Rating)
        .values(
            user_id=user_id, posting_id=posting_id, rating=value, created_at=now, updated_at=now
        )
        .on_conflict_do_update(
            index_elements=["user_id", "posting_id"], set_={"rating": value, "updated_at": now}
        )
        .returning(Rating)
    )
    return session.scalars(stmt, execution_options={"populate_existing": True}).one()


def rate_url(session: Session, user_id: int, url: str, value: int) -> tuple[Rating, Posting, Job]:
    """Store the rating at once (it is never lost, whatever the scrape does later) and queue
    the scrape, which is a no-op when the posting is already stored and fresh."""
    check_rating(value)
    posting = posting_for_url(session, url)
    check_queued_jobs(session, user_id)
    rating = upsert_rating(session, user_id, posting.id, value)
    job = create_job(session, kind="scrape", user_id=user_id, posting_id=posting.id)
    return rating, posting, job
