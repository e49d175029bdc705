"""The application tracker: PUT a posting's status, list the board with history, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from services.gateway.deps import SessionDep, UserDep, not_found
from services.gateway.routes.params import PathId
from shared.postings import pending_job
from shared.ratings import posting_for_url
from shared.tracker.schemas import ApplicationByUrl, ApplicationPublic, ApplicationPut, Status
from shared.tracker.service import board, delete_application, put_application

router = APIRouter(prefix="/applications", tags=["tracker"])


def _one(session: SessionDep, user_id: int, posting_id: int) -> ApplicationPublic:
    out = next(a for a in board(session, user_id) if a["posting_id"] == posting_id)
    return ApplicationPublic.model_validate(out)


@router.get("")
def applications(
    session: SessionDep,
    user: UserDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
) -> list[ApplicationPublic]:
    return [ApplicationPublic.model_validate(a) for a in board(session, user.id, status_)]


@router.put(
    "/{posting_id}",
    responses={201: {"description": "newly tracked"}, 404: {"description": "no such posting"}},
)
def put(
    posting_id: PathId, body: ApplicationPut, session: SessionDep, user: UserDep, response: Response
) -> ApplicationPublic:
    try:
        _, created = put_application(
            session, user.id, posting_id, body.status, note=body.note, applied_at=body.applied_at
        )
    except LookupError:
        raise not_found("posting") from None
    if created:
        response.status_code = status.HTTP_201_CREATED
    return _one(session, user.id, posting_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def track_url(body: ApplicationByUrl, session: SessionDep, user: UserDep) -> ApplicationPublic:
    """Track a posting by its LinkedIn URL; it is fetched if we do not have it yet."""
    try:
        posting = posting_for_url(session, body.url)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    put_application(
        session, user.id, posting.id, body.status, note=body.note, applied_at=body.applied_at
    )
    pending_job(session, user.id, posting)
    return _one(session, user.id, posting.id)


@router.delete(
    "/{posting_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "not on the tracker"}},
)
def delete(posting_id: PathId, session: SessionDep, user: UserDep) -> None:
    if not delete_application(session, user.id, posting_id):
        raise not_found("application")
