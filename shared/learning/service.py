"""Stored preferences per user: read, replace, export."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import StatedPreferences
from shared.learning.schemas import Preferences


def get_preferences(session: Session, user_id: int) -> Preferences | None:
    row = session.get(StatedPreferences, user_id)
    return Preferences.model_validate(row.data) if row is not None else None


def put_preferences(session: Session, user_id: int, prefs: Preferences) -> Preferences:
    """Replace the user's preferences (PUT semantics: fields left out are cleared)."""
    row = session.get(StatedPreferences, user_id)
    data = prefs.model_dump(mode="json")
    if row is None:
        now = utcnow()
        session.add(StatedPreferences(user_id=user_id, data=data, created_at=now, updated_at=now))
    else:
        row.data = data
    session.flush()
    return prefs


def preferences_export(session: Session, user_id: int) -> dict[str, Any] | None:
    prefs = get_preferences(session, user_id)
    return prefs.model_dump(mode="json") if prefs is not None else None
