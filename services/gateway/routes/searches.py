from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from services.gateway.deps import SessionDep, UserDep
from shared.jobs import create_job
from shared.linkedin import parse_search_url
from shared.quotas import check_queued_jobs, check_searches
from shared.schemas import JobPublic

router = APIRouter(prefix="/searches", tags=["searches"])


class SearchFilters(BaseModel):
    date_posted: Literal["day", "week", "month"] | None = None
    workplace: list[Literal["remote", "hybrid", "on-site"]] = Field(default_factory=list)
    experience: list[int] = Field(default_factory=list, description="LinkedIn levels 1..6")
    job_type: list[Literal["F", "P", "C", "T", "I", "V"]] = Field(default_factory=list)
    salary_band: int | None = Field(None, ge=1, le=9)


class SearchIn(BaseModel):
    keywords: str = Field("", max_length=200)
    # A LinkedIn search URL pasted from the browser; its filters are kept.
    url: str | None = Field(None, max_length=4000)
    location: str = Field("", max_length=200)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    limit: int = Field(25, ge=1, le=200)


class SearchStarted(BaseModel):
    job: JobPublic


def check_search(body: SearchIn) -> None:
    """What pydantic cannot say alone; a saved search is checked the same way."""
    if not body.keywords.strip() and not body.url:
        raise HTTPException(422, "give keywords (and a location) or a LinkedIn search url")
    if body.url:
        try:
            parse_search_url(body.url)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
    if any(not 1 <= e <= 6 for e in body.filters.experience):
        raise HTTPException(422, "filters.experience levels must be between 1 and 6")


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def start_search(body: SearchIn, session: SessionDep, user: UserDep) -> SearchStarted:
    check_search(body)
    check_searches(session, user.id)
    check_queued_jobs(session, user.id)
    job = create_job(session, kind="search", user_id=user.id, params=body.model_dump(mode="json"))
    return SearchStarted(job=JobPublic.model_validate(job))
