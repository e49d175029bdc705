from __future__ import annotations

from fastapi import APIRouter

from services.gateway.deps import SessionDep, UserDep
from shared.learning.schemas import Preferences
from shared.learning.service import get_preferences, put_preferences
from shared.scoring import rescore_after_preferences

router = APIRouter(prefix="/preferences", tags=["preferences"])


@router.get("")
def read_preferences(session: SessionDep, user: UserDep) -> Preferences:
    """The user's stated preferences; all fields empty if none were given."""
    return get_preferences(session, user.id) or Preferences()


@router.put("", responses={422: {"description": "a field that cannot be used"}})
def write_preferences(body: Preferences, session: SessionDep, user: UserDep) -> Preferences:
    """Replace the stated preferences. They score postings before a model and
    are blended into its scores after, fading as ratings accrue."""
    prefs = put_preferences(session, user.id, body)
    # Every stored prediction leans on the prior (alone or blended): redo them.
    rescore_after_preferences(session, user.id)
    return prefs
