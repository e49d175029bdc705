"""The other postings of the same job (reposts), with the caller's ratings of them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from services.gateway.deps import SessionDep, UserDep, not_found
from services.gateway.routes.params import PathId
from shared.db.models import Rating
from shared.postings import visible_posting
from shared.reposts.service import group_key, members

router = APIRouter(tags=["reposts"])


@router.get("/postings/{posting_id}/reposts", responses={404: {"description": "no such posting"}})
def reposts(posting_id: PathId, session: SessionDep, user: UserDep) -> dict[str, Any]:
    posting = visible_posting(session, user.id, posting_id)
    if posting is None:
        raise not_found("posting")
    group = members(session, posting)
    ratings = dict(
        session.execute(
            select(Rating.posting_id, Rating.rating).where(
                Rating.user_id == user.id, Rating.posting_id.in_([p.id for p in group])
            )
        ).all()
    )
    return {
        "group_id": group_key(posting),
        "members": [
            {
                "posting_id": p.id,
                "job_id": p.job_id,
                "url": p.url,
                "title": p.title,
                "company": p.company,
                "is_closed": p.is_closed,
                "your_rating": ratings.get(p.id),
            }
            for p in group
        ],
    }
