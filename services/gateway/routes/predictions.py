from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic_core import to_json
from sqlalchemy.orm import Session

from services.gateway import pool
from services.gateway.deps import CallerDep, in_session
from shared.career.qualify import match_fields, matches_for
from shared.linkedin.urls import job_id_from_url
from shared.postings import fresh_after, pending_job
from shared.ratings import posting_for_url
from shared.schemas import JobPublic, PostingPublic
from shared.scoring import STORED_ANSWER, prediction_for, stored_answer

router = APIRouter(prefix="/predictions", tags=["predictions"])


class PredictIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000)


async def stored_prediction(user_id: int, url: str) -> bytes | None:
    """The answer for a stored posting whose stored score holds (also the fast lane's);
    None when the full path must answer. ValueError for a URL that names no posting."""
    job_id = job_id_from_url(url)
    params = {"user_id": user_id, "job_id": job_id, "fresh_after": fresh_after()}
    row = await pool.first(STORED_ANSWER, params)
    stored = stored_answer(row)
    return None if stored is None else to_json(stored)


@router.post("", responses={202: {"description": "the posting is being scraped first"}})
async def predict(
    body: PredictIn,
    user: CallerDep,
    explain: bool = Query(False, description="also say which features raised or lowered it"),
) -> Response:
    """A stored posting answers at once; a new one is scraped first (202 + job to poll)."""
    if not explain:
        try:
            stored = await stored_prediction(user.id, body.url)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        if stored is not None:
            return Response(stored, media_type="application/json")
    return await in_session(lambda session: _predict(session, user.id, body.url, explain))


def _predict(session: Session, user_id: int, url: str, explain: bool) -> Response:
    try:
        posting = posting_for_url(session, url)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    job = pending_job(session, user_id, posting)
    out = PostingPublic.model_validate(posting).model_dump(mode="json")
    if job is not None:
        job_out = JobPublic.model_validate(job).model_dump(mode="json")
        return JSONResponse(status_code=202, content={"posting": out, "job": job_out})
    prediction = prediction_for(session, user_id, posting, explain=explain)
    prediction.update(match_fields(matches_for(session, user_id, [posting]), posting.id))
    return JSONResponse({"posting": out, "prediction": prediction})
