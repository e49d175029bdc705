from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.gateway.deps import SessionDep, UserDep
from shared.career.qualify import match_fields, matches_for
from shared.postings import pending_job
from shared.ratings import posting_for_url
from shared.schemas import JobPublic, PostingPublic
from shared.scoring import prediction_for

router = APIRouter(prefix="/predictions", tags=["predictions"])


class PredictIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000)


@router.post("", responses={202: {"description": "the posting is being scraped first"}})
def predict(
    body: PredictIn,
    session: SessionDep,
    user: UserDep,
    explain: bool = Query(False, description="also say which features raised or lowered it"),
) -> Any:
    """A stored posting answers at once; a new one is scraped first (202 + job to poll)."""
    try:
        posting = posting_for_url(session, body.url)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    job = pending_job(session, user.id, posting)
    if job is not None:
        return JSONResponse(
            status_code=202,
            content={
                "posting": PostingPublic.model_validate(posting).model_dump(mode="json"),
                "job": JobPublic.model_validate(job).model_dump(mode="json"),
            },
        )
    prediction = prediction_for(session, user.id, posting, explain=explain)
    prediction.update(match_fields(matches_for(session, user.id, [posting]), posting.id))
    return JSONResponse(
        {
            "posting": PostingPublic.model_validate(posting).model_dump(mode="json"),
            "prediction": prediction,
        }
    )
