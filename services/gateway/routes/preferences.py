from __future__ import annotations

from fastapi import APIRouter

from services.gateway.deps import SessionDep, UserDep
from shared.learning.schemas import Preferences
from shared.learning.service import get_preferences, put_preferences
from shared.scoring import rescore_without_model

router = APIRouter(prefix="/preferences", tags=["preferences"])


@router.get("")
def read_preferences(session: SessionDep, user: UserDep) -> Preferences:
    """The user's stated preferences; all fields empty if none were given."""
    return get_preferences(session, user.id) or Preferences()


@router.put("", responses={422: {"description": "a field that cannot be used"}})
def write_preferences(body: Preferences, session: SessionDep, user: UserDep) -> Preferences:
    """Replace the stated preferences. Until the user has a model, they score postings."""
    prefs = put_preferences(session, user.id, body)
    # Stored predictions made without a model are stale once the prior changes.
    rescore_without_model(session, user.id)
    return prefs
