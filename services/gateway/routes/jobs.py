from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import bindparam, func, select

from services.gateway import pool
from services.gateway.deps import CallerDep, SessionDep, UserDep, not_found
from services.gateway.routes.params import Offset
from shared import jobs
from shared.db.models import Job
from shared.schemas import JobPublic, Page

router = APIRouter(prefix="/jobs", tags=["jobs"])


def own_job(session: SessionDep, user_id: int, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.user_id != user_id:
        raise not_found("job")
    return job


@router.get("")
def list_jobs(
    session: SessionDep,
    user: UserDep,
    limit: int = Query(50, ge=1, le=200),
    offset: Offset = 0,
    status: str | None = None,
) -> Page[JobPublic]:
    where = [Job.user_id == user.id] + ([Job.status == status] if status else [])
    rows = session.scalars(
        select(Job).where(*where).order_by(Job.created_at.desc()).limit(limit).offset(offset)
    ).all()
    total = session.scalar(select(func.count()).select_from(Job).where(*where)) or 0
    return Page(
        items=[JobPublic.model_validate(j) for j in rows], total=total, limit=limit, offset=offset
    )


# Polled in a loop by every client that waits for a job: one indexed SELECT of the columns
# it shows, built once, on the event loop, serialised once.
_jobs = Job.__table__.c
_OWN_JOB = select(*(_jobs[name] for name in JobPublic.model_fields)).where(
    _jobs.id == bindparam("job_id"), _jobs.user_id == bindparam("user_id")
)


async def job_body(user_id: int, job_id: uuid.UUID) -> bytes | None:
    """The job poll's answer (also the fast lane's), None when the caller has no such job."""
    row = await pool.first(_OWN_JOB, {"job_id": job_id, "user_id": user_id})
    return None if row is None else JobPublic.model_validate(row).model_dump_json().encode()


@router.get("/{job_id}", response_model=JobPublic)
async def get_job(job_id: uuid.UUID, user: CallerDep) -> Response:
    body = await job_body(user.id, job_id)
    if body is None:
        raise not_found("job")
    return Response(body, media_type="application/json")


JobKind = Literal["scrape", "extract", "train", "search", "import"]


class CancelIn(BaseModel):
    kind: JobKind | None = Field(None, description="only jobs of this kind (and their children)")


class Cancelled(BaseModel):
    cancelled: int


@router.post("/cancel")
def cancel_jobs(body: CancelIn, session: SessionDep, user: UserDep) -> Cancelled:
    """Cancel all of the caller's queued, running and waiting jobs, or those of one kind."""
    return Cancelled(cancelled=jobs.cancel_all(session, user.id, body.kind))


@router.post("/{job_id}/cancel")
def cancel_job(job_id: uuid.UUID, session: SessionDep, user: UserDep) -> JobPublic:
    return JobPublic.model_validate(jobs.cancel(session, own_job(session, user.id, job_id)))
