from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, UploadFile, status
from fastapi.responses import Response

from services.gateway.deps import SessionDep, UserDep
from shared.account import summary
from shared.data_io import MAX_IMPORT_BYTES, export_zip, ratings_csv, start_import
from shared.insights import insights
from shared.schemas import JobPublic
from shared.tracker.csv_io import applications_csv

router = APIRouter(tags=["data"])


@router.post("/imports", status_code=status.HTTP_202_ACCEPTED)
async def import_ratings(file: UploadFile, session: SessionDep, user: UserDep) -> dict[str, Any]:
    data = await file.read(MAX_IMPORT_BYTES + 1)
    try:
        job = start_import(session, user.id, data, file.filename or "upload.csv")
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"job": JobPublic.model_validate(job).model_dump(mode="json")}


def _download(body: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _file(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {200: {"description": what, "content": content}}


@router.get(
    "/exports/ratings.csv",
    response_class=Response,
    responses=_file("text/csv", "your ratings with their postings"),
)
def export_csv(session: SessionDep, user: UserDep) -> Response:
    return _download(ratings_csv(session, user.id), "text/csv", "lirecommend-ratings.csv")


@router.get(
    "/exports/applications.csv",
    response_class=Response,
    responses=_file("text/csv", "your application tracker"),
)
def export_applications(session: SessionDep, user: UserDep) -> Response:
    return _download(applications_csv(session, user.id), "text/csv", "lirecommend-applications.csv")


@router.get(
    "/exports/all.zip",
    response_class=Response,
    responses=_file("application/zip", "ratings.csv, models.json and the active model"),
)
def export_all(session: SessionDep, user: UserDep) -> Response:
    return _download(export_zip(session, user.id), "application/zip", "lirecommend-export.zip")


@router.get("/insights")
def get_insights(session: SessionDep, user: UserDep) -> dict[str, Any]:
    return insights(session, user.id)


@router.get("/extraction/agreement")
def extraction_agreement(session: SessionDep, user: UserDep) -> dict[str, Any]:
    """How often the rules and the LLM agree, field by field, on the caller's postings."""
    from shared.extraction.agreement import field_agreement

    return field_agreement(session, user.id)


@router.get("/me")
def me(session: SessionDep, user: UserDep) -> dict[str, Any]:
    return {"user": {"id": user.id, "email": user.email}, **summary(session, user.id)}
