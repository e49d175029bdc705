from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from services.gateway.deps import SessionDep, UserDep
from shared.learning.active import rate_next as suggest

router = APIRouter(tags=["rate-next"])


@router.get("/rate-next")
def rate_next(
    session: SessionDep, user: UserDep, limit: int = Query(10, ge=1, le=50)
) -> dict[str, Any]:
    """Stored postings (never another user's imported text) whose rating would teach your
    model most: uncertain predictions, spread over titles, pay bands and seniorities.
    `rated` of `model_ready_at` ratings is the progress to a first model."""
    return suggest(session, user.id, limit)
