"""Tracker rules shared by the REST routes, the import and the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Application, ApplicationEvent, Posting, Prediction, Rating
from shared.jobs import aware
from shared.postings import visible_posting

STATUSES = ("saved", "applied", "interviewing", "offer", "rejected", "withdrawn")
STATUS_ERROR = "status must be one of " + ", ".join(STATUSES)
# Once a user stops pursuing a posting, its closing is no news.
OPEN_STATUSES = ("saved", "applied", "interviewing", "offer")


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(STATUS_ERROR)
    return status


def own_application(session: Session, user_id: int, posting_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(
            Application.user_id == user_id, Application.posting_id == posting_id
        )
    )


def put_application(
    session: Session,
    user_id: int,
    posting_id: int,
    status: str,
    *,
    note: str | None = None,
    applied_at: datetime | None = None,
    at: datetime | None = None,
) -> tuple[Application, bool]:
    """Track a posting or move it. Every status change is one dated event; a note or
    applied_at given is stored, one left out is kept. Returns (application, created)."""
    check_status(status)
    if visible_posting(session, user_id, posting_id) is None:  # another's import: 404
        raise LookupError("posting not found")
    at = at or utcnow()
    app = own_application(session, user_id, posting_id)
    created = app is None
    if app is None:
        app = Application(
            user_id=user_id, posting_id=posting_id, status=status, created_at=at, changed_at=at
        )
        session.add(app)
        app.events.append(ApplicationEvent(status=status, at=at))
    elif app.status != status:
        app.status, app.changed_at = status, at
        app.events.append(ApplicationEvent(status=status, at=at))
    if note is not None:
        app.note = note.strip() or None
    if applied_at is not None:
        app.applied_at = applied_at
    elif status == "applied" and app.applied_at is None:
        app.applied_at = at
    session.flush()
    return app, created


def list_applications(
    session: Session, user_id: int, status: str | None = None
) -> list[Application]:
    stmt = select(Application).where(Application.user_id == user_id)
    if status is not None:
        stmt = stmt.where(Application.status == check_status(status))
    return list(session.scalars(stmt.order_by(Application.changed_at.desc(), Application.id)))


def delete_application(session: Session, user_id: int, posting_id: int) -> bool:
    app = own_application(session, user_id, posting_id)
    if app is None:
        return False
    session.delete(app)
    session.flush()
    return True


def tracked(user_id: int) -> ColumnElement[bool]:
    """SQL: the posting in the current row is on this user's tracker."""
    return exists().where(Application.user_id == user_id, Application.posting_id == Posting.id)


def days_since(moment: datetime, now: datetime | None = None) -> int:
    moment_utc = aware(moment)
    assert moment_utc is not None
    return max(0, ((now or utcnow()) - moment_utc).days)


def board(session: Session, user_id: int, status: str | None = None) -> list[dict[str, Any]]:
    """Applications with what a card shows: the given rating, else the predicted one."""
    from shared.career.qualify import matches_for
    from shared.schemas import PostingPublic
    from shared.scoring import score_postings

    apps = list_applications(session, user_id, status)
    ids = [a.posting_id for a in apps]
    given = dict(
        session.execute(
            select(Rating.posting_id, Rating.rating).where(
                Rating.user_id == user_id, Rating.posting_id.in_(ids)
            )
        ).all()
    )
    stored = {
        p.posting_id: {"predicted": p.predicted, "expected_score": p.expected_score}
        for p in session.scalars(
            select(Prediction).where(Prediction.user_id == user_id, Prediction.posting_id.in_(ids))
        )
    }
    unscored = [
        a.posting
        for a in apps
        if a.posting_id not in given and a.posting_id not in stored and a.posting.title
    ]
    scores, _ = score_postings(session, user_id, unscored)
    for posting, score in zip(unscored, scores, strict=True):
        stored[posting.id] = {k: score[k] for k in ("predicted", "expected_score")}
    fits = matches_for(session, user_id, [a.posting for a in apps if a.posting.title])
    now = utcnow()
    return [
        {
            "id": a.id,
            "posting_id": a.posting_id,
            "status": a.status,
            "note": a.note,
            "applied_at": aware(a.applied_at),
            "created_at": aware(a.created_at),
            "changed_at": aware(a.changed_at),
            "days_since_change": days_since(a.changed_at, now),
            "history": [{"status": e.status, "at": aware(e.at)} for e in a.events],
            "rating": given.get(a.posting_id),
            "prediction": stored.get(a.posting_id),
            "closed": a.posting.is_closed,
            "match": fits[a.posting_id].match if a.posting_id in fits else None,
            "posting": PostingPublic.model_validate(a.posting),
        }
        for a in apps
    ]
