from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic_core import to_json
from sqlalchemy.orm import Session

from services.gateway.deps import CallerDep, in_session, read_only
from shared.career.qualify import match_fields, matches_for
from shared.linkedin.urls import job_id_from_url
from shared.postings import pending_job
from shared.ratings import posting_for_url
from shared.schemas import JobPublic, PostingPublic
from shared.scoring import prediction_for, stored_answer

router = APIRouter(prefix="/predictions", tags=["predictions"])


class PredictIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000)


@router.post("", responses={202: {"description": "the posting is being scraped first"}})
async def predict(
    body: PredictIn,
    user: CallerDep,
    explain: bool = Query(False, description="also say which features raised or lowered it"),
) -> Response:
    """A stored posting answers at once; a new one is scraped first (202 + job to poll)."""
    if not explain:
        try:
            job_id = job_id_from_url(body.url)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        stored = await read_only(lambda conn: stored_answer(conn, user.id, job_id))
        if stored is not None:
            return Response(to_json(stored), media_type="application/json")
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
