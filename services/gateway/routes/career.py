from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse

from services.gateway.deps import SessionDep, UserDep
from shared.career.gaps import career_gaps
from shared.career.path import career_map, parse_assume
from shared.career.profile import ProfileError
from shared.career.schemas import GapsOut, MapOut

router = APIRouter(prefix="/career", tags=["career"])
_ASSUME = Query(
    None,
    max_length=2000,
    description="what if: comma-separated skills to count as yours, e.g. kubernetes,go",
)
_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "an unknown skill in `assume`, or a bad limit"}
}


def _assumed(raw: str | None) -> list[str]:
    try:
        return parse_assume(raw)
    except ProfileError as exc:
        raise HTTPException(422, f"assume: {exc}") from None


@router.get("/map", response_model=MapOut, responses=_ERRORS)
def get_map(session: SessionDep, user: UserDep, assume: str | None = _ASSUME) -> JSONResponse:
    """Every rated or predicted posting: desirability (the rating, else the expected score)
    against match, and its zone."""
    # Built in MapOut's shape by the domain code; sent as is (thousands of postings).
    return JSONResponse(career_map(session, user.id, _assumed(assume)))


@router.get("/gaps", responses=_ERRORS)
def get_gaps(
    session: SessionDep,
    user: UserDep,
    limit: int = Query(10, ge=1, le=100),
    assume: str | None = _ASSUME,
) -> GapsOut:
    """Missing skills ranked by the sum over stretch postings of desirability × match
    gained, the experience gap, and the plan."""
    return career_gaps(session, user.id, limit, _assumed(assume))
