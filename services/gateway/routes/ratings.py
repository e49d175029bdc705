from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.gateway import pool, retrain_checks
from services.gateway.deps import CallerDep, SessionDep, UserDep, in_session, json_of, not_found
from services.gateway.routes.params import Offset, PathId
from shared import change_mirror
from shared.changes import reached
from shared.db.models import Rating
from shared.postings import visible_posting
from shared.ratings import (
    RATE_STORED,
    rate_stored_params,
    rate_url,
    rated_stored,
    rating_public,
)
from shared.schemas import (
    JobPublic,
    Page,
    PostingCard,
    PostingPublic,
    RatingIn,
    RatingPatch,
    RatingPublic,
    RatingSubmitted,
)

router = APIRouter(prefix="/ratings", tags=["ratings"])


def rating_out(rating: Rating) -> RatingPublic:
    return rating_public(rating, rating.posting)


def own_rating(session: SessionDep, user_id: int, rating_id: int) -> Rating:
    rating = session.get(Rating, rating_id)
    if rating is None or rating.user_id != user_id:
        raise not_found("rating")
    return rating


def _copy_counters(rows: list[Any]) -> None:
    """Committed: cached lists in every process see the change (one Redis call a group)."""
    change_mirror.write(reached(rows))


async def stored_rating(user_id: int, body: RatingIn) -> bytes | None:
    """The answer for a rating of a posting stored fresh and extracted, written by one
    statement on the process's pool (also the fast lane's); None when the full path must
    answer: a posting to fetch or extract, or SQLite (no data-modifying CTEs). ValueError
    for a URL that names no posting."""
    if not pool.one_statement_writes():
        return None
    params = rate_stored_params(user_id, body.url, body.rating)
    row = await pool.grouped(RATE_STORED, params, _copy_counters)
    if row is None:
        return None
    retrain_checks.note(user_id)
    return rated_stored(row).model_dump_json().encode()


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=RatingSubmitted)
async def submit_rating(body: RatingIn, user: CallerDep) -> Response:
    """Committed (and the scrape sent) before the answer: the job can be polled at once. A
    posting stored fresh and extracted needs no job (`job` is null)."""
    try:
        stored = await stored_rating(user.id, body)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if stored is not None:
        return Response(stored, status.HTTP_202_ACCEPTED, media_type="application/json")
    out = await in_session(lambda session: _submit(session, user.id, body))
    if out.job is None:
        retrain_checks.note(user.id)
    return json_of(out, status.HTTP_202_ACCEPTED)


def _submit(session: Session, user_id: int, body: RatingIn) -> RatingSubmitted:
    try:
        rating, posting, job = rate_url(session, user_id, body.url, body.rating)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return RatingSubmitted(
        rating=rating,
        posting=PostingCard.of(posting),
        job=None if job is None else JobPublic.model_validate(job),
    )


@router.get("")
def list_ratings(
    session: SessionDep,
    user: UserDep,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> Page[RatingPublic]:
    rows = session.scalars(
        select(Rating)
        .where(Rating.user_id == user.id)
        .order_by(Rating.updated_at.desc(), Rating.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    total = session.scalar(select(func.count()).where(Rating.user_id == user.id)) or 0
    return Page(items=[rating_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{rating_id}")
def get_rating(rating_id: PathId, session: SessionDep, user: UserDep) -> RatingPublic:
    return rating_out(own_rating(session, user.id, rating_id))


@router.patch("/{rating_id}")
def update_rating(
    rating_id: PathId, body: RatingPatch, session: SessionDep, user: UserDep
) -> RatingPublic:
    rating = own_rating(session, user.id, rating_id)
    rating.rating = body.rating
    session.flush()
    return rating_out(rating)


@router.delete("/{rating_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rating(rating_id: PathId, session: SessionDep, user: UserDep) -> None:
    session.delete(own_rating(session, user.id, rating_id))


postings_router = APIRouter(prefix="/postings", tags=["postings"])


@postings_router.get("/{posting_id}")
def get_posting(posting_id: PathId, session: SessionDep, user: UserDep) -> PostingPublic:
    posting = visible_posting(session, user.id, posting_id)
    if posting is None:
        raise not_found("posting")
    return PostingPublic.model_validate(posting)
