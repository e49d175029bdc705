from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.gateway.deps import SessionDep, UserDep, not_found
from services.gateway.routes.params import PathId
from shared.career.qualify import match_fields, matches_for
from shared.db.models import BlockRule
from shared.recommendations import (
    Filters,
    add_block_rule,
    hide_posting,
    item,
    recommend,
    remove_block_rule,
)
from shared.reposts.service import fold, repost_fields
from shared.scoring import explain_postings
from shared.training import active_model

router = APIRouter(tags=["recommendations"])
# With min_match the ranking is filtered after the fact, from this many top postings.
MATCH_POOL = 2000


@router.get("/recommendations")
def recommendations(
    session: SessionDep,
    user: UserDep,
    limit: int = Query(50, ge=1, le=500),
    min_salary: float | None = Query(
        None,
        ge=0,
        allow_inf_nan=False,
        description="minimum top annual pay, in rough US dollars across currencies",
    ),
    workplace: Literal["remote", "hybrid", "on-site"] | None = None,
    seniority: str | None = None,
    posted_within: int | None = Query(None, ge=1, le=365, description="days"),
    include_tracked: bool = Query(False, description="also postings on the tracker"),
    min_match: float | None = Query(
        None, ge=0, le=1, description="only postings you qualify for at least this well (0-1)"
    ),
) -> JSONResponse:
    filters = Filters(min_salary, workplace, seniority, posted_within, include_tracked)
    pool = 2 * limit if min_match is None else MATCH_POOL  # reposts fold into one card
    ranked = recommend(session, user.id, filters, pool)
    fits = matches_for(session, user.id, [p for p, _ in ranked])
    if min_match is not None:
        if ranked and not fits:
            raise HTTPException(
                422, "min_match needs a profile: add your skills and experience on Profile first"
            )
        ranked = [r for r in ranked if r[0].id in fits and fits[r[0].id].match >= min_match]
    folded = fold(ranked)[:limit]
    extras = repost_fields(session, user.id, [p for p, _ in folded])
    model = active_model(session, user.id)
    whys = explain_postings(
        session, user.id, [p for p, _ in folded], [pr.expected_score for _, pr in folded]
    )
    # Already JSON-ready: no second pass through jsonable_encoder over every posting.
    return JSONResponse(
        {
            "items": [
                {**item(p, pr, why), **match_fields(fits, p.id), **extras[p.id]}
                for (p, pr), why in zip(folded, whys, strict=True)
            ],
            "model_version": model.version if model else None,
            "heuristic": model is None,
        }
    )


class BlockIn(BaseModel):
    kind: Literal["company", "title"]
    pattern: str = Field(min_length=1, max_length=300)


class BlockOut(BaseModel):
    id: int
    kind: str
    pattern: str
    created_at: Any


def _block_out(rule: BlockRule) -> BlockOut:
    return BlockOut(id=rule.id, kind=rule.kind, pattern=rule.pattern, created_at=rule.created_at)


@router.post("/blocklist", status_code=status.HTTP_201_CREATED)
def block(body: BlockIn, session: SessionDep, user: UserDep) -> BlockOut:
    try:
        return _block_out(add_block_rule(session, user.id, body.kind, body.pattern))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/blocklist")
def blocklist(session: SessionDep, user: UserDep) -> list[BlockOut]:
    rules = session.scalars(
        select(BlockRule).where(BlockRule.user_id == user.id).order_by(BlockRule.id)
    )
    return [_block_out(r) for r in rules]


@router.delete("/blocklist/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def unblock(rule_id: PathId, session: SessionDep, user: UserDep) -> None:
    if not remove_block_rule(session, user.id, rule_id):
        raise not_found("blocklist rule")


@router.post("/postings/{posting_id}/hide", status_code=status.HTTP_204_NO_CONTENT)
def hide(posting_id: PathId, session: SessionDep, user: UserDep) -> None:
    try:
        hide_posting(session, user.id, posting_id)
    except LookupError:
        raise not_found("posting") from None
