"""Ratings: the rules the REST routes, the pages and the import job share."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from shared.changes import bump_each, user_scope
from shared.db.base import utcnow
from shared.db.calls import calls_table
from shared.db.models import Job, Posting, Rating
from shared.jobs import create_job
from shared.linkedin import canonical_url, job_id_from_url
from shared.postings import READY, fresh_after, ready
from shared.quotas import check_queued_jobs
from shared.schemas import (
    RATING_ERROR,
    SNIPPET_CHARS,
    PostingFacts,
    RatingPublic,
    RatingSubmitted,
    snippet,
)


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
    posting = session.scalar(_BY_JOB_ID, {"job_id": job_id})
    return posting if posting is not None else _create_posting(session, job_id)


def _create_posting(session: Session, job_id: str) -> Posting:
    """Insert the row unless a concurrent caller just did, and read it back."""
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
    posting = session.scalar(_BY_JOB_ID, {"job_id": job_id})
    assert posting is not None
    return posting


_RATINGS: Table = Rating.__table__  # type: ignore[assignment]
_POSTINGS: Table = Posting.__table__  # type: ignore[assignment]
# What a rating's answer shows, read by Core statements built once: no ORM objects to load.
_RATING_OUT = [_RATINGS.c[name] for name in RatingPublic.model_fields if name in _RATINGS.c]
# What a rating's answer shows of its posting: a card (`description_text`: its first lines).
_CARD_COLUMNS = [
    *(_POSTINGS.c[name] for name in PostingFacts.model_fields),
    func.substr(_POSTINGS.c.description_text, 1, SNIPPET_CHARS + 1).label("description_text"),
]
_CARD_BY_JOB_ID = select(*[*_CARD_COLUMNS, READY.label("ready")]).where(
    _POSTINGS.c.job_id == bindparam("job_id")
)


def _upsert_rating(insert):  # type: ignore[no-untyped-def]
    stmt = insert(_RATINGS).values(
        user_id=bindparam("user_id"),
        posting_id=bindparam("posting_id"),
        rating=bindparam("rating"),
        created_at=bindparam("created_at"),
        updated_at=bindparam("updated_at"),
    )
    return stmt.on_conflict_do_update(
        index_elements=["user_id", "posting_id"],
        set_={"rating": stmt.excluded.rating, "updated_at": stmt.excluded.updated_at},
    ).returning(*_RATING_OUT)


_UPSERT_RATING = {"postgresql": _upsert_rating(pg_insert), "sqlite": _upsert_rating(sqlite_insert)}


def upsert_rating(session: Session, user_id: int, posting_id: int, value: int) -> Row[Any]:
    """Insert or update in one statement; the row's public columns come back."""
    check_rating(value)
    now = utcnow()
    row = dict(user_id=user_id, posting_id=posting_id, rating=value, created_at=now, updated_at=now)
    return session.execute(_UPSERT_RATING[session.get_bind().dialect.name], row).one()


def rating_public(rating: Any, posting: Any) -> RatingPublic:
    """A rating's public form, from rows (ORM, statement or namespace) of it and its posting."""
    out = RatingPublic.model_validate(rating)
    out.title, out.company = posting.title, posting.company
    out.posting_status = posting.status
    if posting.status != "fetched":
        out.posting_status_reason = posting.status_reason
    return out


# A rating's parameters: an object each in RATE_STORED's document of calls.
_CALL_TYPES: dict[str, Any] = {
    "job_id": String(),
    "user_id": Integer(),
    "rating": Integer(),
    "now": _RATINGS.c.created_at.type,
    "fresh_after": _POSTINGS.c.fetched_at.type,
    "scope": String(),
}


def _rate_stored() -> Select[Any]:
    """Ratings of postings stored fresh and extracted, any number in one statement
    (PostgreSQL, in autocommit: one round trip, nothing held between): the postings read,
    the ratings upserted and each user's change counter bumped once per rating, in
    data-modifying CTEs. The ratings are the calls of `calls_table`, an object each
    (`rate_stored_params`, gathered by `pool.grouped`); each row answers the rating its
    `call` numbers (from 1). No row for a rating whose posting is not ready (or unknown):
    nothing is written for it, and `rate_url` answers instead. Rows are written in
    (user, posting) order, so that two such statements never lock in a cycle; one that
    names a (user, posting) twice fails whole (the pool then runs each alone)."""
    calls = calls_table(_CALL_TYPES)
    # Each call's posting is looked up by its job id alone (LATERAL: a unique-index probe a
    # call), and its readiness checked after. As a join, the planner guessed 100 calls and
    # scanned every fetched posting for them by their status: with 570 postings, 2.6 ms of a
    # 12-rating group's 4.7 in PostgreSQL, growing with the table.
    found = (
        select(*_CARD_COLUMNS, ready(calls.c.fresh_after).label("ready"))
        .where(_POSTINGS.c.job_id == calls.c.job_id)
        .limit(1)  # job ids are unique; the limit keeps the planner from flattening it
        .lateral("found")
    )
    posting = (
        select(
            *(found.c[c.name] for c in _CARD_COLUMNS),
            *(calls.c[n] for n in ("user_id", "rating", "now", "scope", "call")),
        )
        .select_from(calls.join(found, true()))
        .where(found.c.ready)
        .cte("posting")
    )
    upsert = pg_insert(_RATINGS).from_select(
        ["user_id", "posting_id", "rating", "created_at", "updated_at"],
        select(
            posting.c.user_id, posting.c.id, posting.c.rating, posting.c.now, posting.c.now
        ).order_by(posting.c.user_id, posting.c.id),
    )
    rated = (
        upsert.on_conflict_do_update(
            index_elements=["user_id", "posting_id"],
            set_={"rating": upsert.excluded.rating, "updated_at": upsert.excluded.updated_at},
        )
        .returning(*_RATING_OUT, _RATINGS.c.user_id.label("rated_user_id"))
        .cte("rated")
    )
    wrote = posting.join(
        rated,
        and_(rated.c.rated_user_id == posting.c.user_id, rated.c.posting_id == posting.c.id),
    )
    bumped = bump_each(select(posting.c.scope).select_from(wrote)).cte("bumped")
    # Columns unlabelled (`rated_stored` reads them by position): less to send and to parse.
    # The statement is past the 4 096 characters up to which psycopg keeps its parsing
    # (28 us a group; the lookup by job id above saves PostgreSQL ~2.5 ms a group).
    return select(
        *(posting.c[c.name] for c in _CARD_COLUMNS),
        *(rated.c[c.name] for c in _RATING_OUT),
        bumped.c.scope,
        bumped.c.version,
        posting.c.call,
    ).select_from(wrote.join(bumped, bumped.c.scope == posting.c.scope))


RATE_STORED = _rate_stored()


def rate_stored_params(user_id: int, url: str, value: int) -> dict[str, Any]:
    """One rating's values of RATE_STORED's parameters; ValueError for a URL that names no
    posting."""
    return {
        "job_id": job_id_from_url(url),
        "fresh_after": fresh_after(),
        "user_id": user_id,
        "rating": check_rating(value),
        "now": utcnow(),
        "scope": user_scope(user_id),
    }


# RATE_STORED's columns, in order: the posting's, then the rating's (then the counter's and
# the call's).
_POSTING_NAMES = [c.name for c in _CARD_COLUMNS]
_RATING_NAMES = [c.name for c in _RATING_OUT]


def rated_stored(row: Any) -> RatingSubmitted:
    """RATE_STORED's row as the rating's answer (its `scope` and `version`: the counter it
    reached, for `changes.reached`). The card is validated from the row's values in the
    answer's one validation, not built from attributes and then given its snippet
    (`PostingCard.of`): 44 against 68 µs a rating, answer's JSON included."""
    fields = dict(zip(_POSTING_NAMES, row, strict=False))
    posting = SimpleNamespace(**fields)
    rating = SimpleNamespace(**dict(zip(_RATING_NAMES, row[len(_POSTING_NAMES) :], strict=False)))
    card = {**fields, "description_snippet": snippet(posting.description_text)}
    return RatingSubmitted.model_validate(
        {"rating": rating_public(rating, posting), "posting": card, "job": None}
    )


def rate_url(
    session: Session, user_id: int, url: str, value: int
) -> tuple[RatingPublic, Posting | Row[Any], Job | None]:
    """Store the rating at once (it is never lost, whatever the scrape does later) and queue
    the scrape, unless the stored copy is fresh and extracted (the usual case: a posting
    from a search, a list or another user's rating). Then there is no job to run, and the
    caller asks for the retraining check the job's end would have made (`retrain_checks`).
    A known posting is read as the answer shows it; a new one is inserted."""
    check_rating(value)
    job_id = job_id_from_url(url)
    params = {"job_id": job_id, "fresh_after": fresh_after()}
    stored: Row[Any] | None = session.execute(_CARD_BY_JOB_ID, params).first()
    ready = stored is not None and bool(stored.ready)
    posting = stored if stored is not None else _create_posting(session, job_id)
    if not ready:
        check_queued_jobs(session, user_id)
    rating = upsert_rating(session, user_id, posting.id, value)
    job = (
        None
        if ready
        else create_job(session, kind="scrape", user_id=user_id, posting_id=posting.id)
    )
    return rating_public(rating, posting), posting, job
