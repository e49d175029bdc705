"""Saved searches: CRUD, a run by hand, and the ranked matches with what is new."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field, model_validator

from services.gateway.deps import SessionDep, UserDep, not_found
from services.gateway.routes.params import PathId
from services.gateway.routes.searches import SearchFilters, SearchIn, check_search
from shared.db.models import Job, SavedSearch
from shared.jobs import aware
from shared.saved_searches import matches as found
from shared.saved_searches import service
from shared.schemas import JobPublic, PostingCard

router = APIRouter(prefix="/saved-searches", tags=["saved searches"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such saved search of yours"}}
Score = Annotated[float, Field(ge=0, le=3)]


class SavedSearchIn(SearchIn):
    name: str = Field("", max_length=200, description="defaults to the keywords and location")
    every_hours: float = Field(24.0, gt=0, le=24 * 30)
    alert_min_score: Score | None = Field(
        2.0, description="new matches predicted at least this notify you; null: no alerts"
    )
    email_digest: bool = Field(False, description="also e-mail each run's alerts")


class SavedSearchPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    keywords: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=200)
    filters: SearchFilters | None = None
    limit: int | None = Field(None, ge=1, le=200)
    every_hours: float | None = Field(None, gt=0, le=24 * 30)
    alert_min_score: Score | None = None
    email_digest: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_a_kept_value(self) -> Self:
        # Left out keeps a value; null would clear one these columns must have.
        nulls = [k for k in _NOT_NULL if k in self.model_fields_set and getattr(self, k) is None]
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null: leave it out to keep it")
        return self


_NOT_NULL = ("name", "keywords", "location", "filters", "limit", "every_hours", "email_digest")


class SavedSearchPublic(BaseModel):
    id: int
    name: str
    keywords: str
    location: str
    url: str | None
    filters: dict[str, Any]
    limit: int
    every_hours: float
    alert_min_score: float | None
    email_digest: bool
    next_run_at: datetime
    last_run_at: datetime | None
    last_job: JobPublic | None
    matches: int
    new_matches: int
    created_at: datetime


class Match(BaseModel):
    posting: PostingCard
    prediction: dict[str, Any]
    first_seen_at: datetime
    is_new: bool
    group_id: int
    also_posted: int = Field(description="other LinkedIn postings of the same job")
    rating_offer: dict[str, int] | None = Field(
        description="your rating of another posting of this job, to apply here if you agree"
    )


def _out(session: SessionDep, saved: SavedSearch) -> SavedSearchPublic:
    total, new = service.match_counts(session, [saved.id]).get(saved.id, (0, 0))
    job = session.get(Job, saved.last_job_id) if saved.last_job_id else None
    p = saved.params
    return SavedSearchPublic(
        id=saved.id,
        name=saved.name,
        keywords=p.get("keywords", ""),
        location=p.get("location", ""),
        url=p.get("url"),
        filters=p.get("filters") or {},
        limit=int(p.get("limit", 25)),
        every_hours=saved.every_hours,
        alert_min_score=saved.alert_min_score,
        email_digest=saved.email_digest,
        next_run_at=aware(saved.next_run_at) or saved.next_run_at,
        last_run_at=aware(saved.last_run_at),
        last_job=JobPublic.model_validate(job) if job else None,
        matches=total,
        new_matches=new,
        created_at=aware(saved.created_at) or saved.created_at,
    )


def _own(session: SessionDep, user_id: int, saved_search_id: int) -> SavedSearch:
    saved = service.own(session, user_id, saved_search_id)
    if saved is None:
        raise not_found("saved search")
    return saved


@router.post("", status_code=status.HTTP_201_CREATED)
def create(body: SavedSearchIn, session: SessionDep, user: UserDep) -> SavedSearchPublic:
    check_search(body)
    params = SearchIn.model_validate(body.model_dump()).model_dump(mode="json")
    name = body.name.strip() or " in ".join(x for x in (body.keywords, body.location) if x)
    try:
        saved = service.create(
            session,
            user.id,
            params,
            name=name or "LinkedIn search",
            every_hours=body.every_hours,
            alert_min_score=body.alert_min_score,
            email_digest=body.email_digest,
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return _out(session, saved)


@router.get("")
def list_saved(session: SessionDep, user: UserDep) -> list[SavedSearchPublic]:
    from sqlalchemy import select

    rows = session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
    )
    return [_out(session, s) for s in rows]


@router.get("/{saved_search_id}", responses=NOT_FOUND)
def get(saved_search_id: PathId, session: SessionDep, user: UserDep) -> SavedSearchPublic:
    return _out(session, _own(session, user.id, saved_search_id))


@router.patch("/{saved_search_id}", responses=NOT_FOUND)
def patch(
    saved_search_id: PathId, body: SavedSearchPatch, session: SessionDep, user: UserDep
) -> SavedSearchPublic:
    saved = _own(session, user.id, saved_search_id)
    changes = body.model_dump(exclude_unset=True, mode="json")
    search = {
        k: changes.pop(k) for k in ("keywords", "location", "filters", "limit") if k in changes
    }
    if search:
        merged = SearchIn.model_validate({**saved.params, **search})
        check_search(merged)
        changes["params"] = search
    try:
        return _out(session, service.update(session, saved, changes))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.delete("/{saved_search_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete(saved_search_id: PathId, session: SessionDep, user: UserDep) -> None:
    session.delete(_own(session, user.id, saved_search_id))


@router.post("/{saved_search_id}/run", status_code=status.HTTP_202_ACCEPTED, responses=NOT_FOUND)
def run(saved_search_id: PathId, session: SessionDep, user: UserDep) -> dict[str, Any]:
    """Run now (the user is waiting: interactive priority). A run still under way is
    returned instead of starting a second one."""
    saved = _own(session, user.id, saved_search_id)
    job = service.active_run(session, saved) or service.start_run(
        session, saved, priority="interactive"
    )
    return {"job": JobPublic.model_validate(job).model_dump(mode="json")}


@router.get("/{saved_search_id}/matches", responses=NOT_FOUND)
def matches(
    saved_search_id: PathId,
    session: SessionDep,
    user: UserDep,
    new: Annotated[bool, Query(description="only those new to you")] = False,
    mark_seen: Annotated[bool, Query(description="viewing them marks them seen")] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Match]:
    """Ranked. `is_new` is as it was before this view; the view then marks them seen."""
    saved = _own(session, user.id, saved_search_id)
    items = found.matches(session, saved, only_new=new, limit=limit)
    if mark_seen:
        found.mark_seen(session, saved, groups=[i["group_id"] for i in items])
    return [Match.model_validate(i) for i in items]


@router.post("/{saved_search_id}/seen", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def seen(saved_search_id: PathId, session: SessionDep, user: UserDep) -> None:
    """Mark every match of this saved search seen."""
    found.mark_seen(session, _own(session, user.id, saved_search_id))
