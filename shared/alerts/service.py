"""Notifications: what a saved search's run found worth telling, and reading them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Notification, Posting, SavedSearch


def alert_new_matches(
    session: Session, saved: SavedSearch, new_items: list[dict[str, Any]]
) -> dict[str, Any]:
    """A notification per new match at or above the search's alert_min_score (none when it
    is unset), then the e-mail digest of them when the user asked for one."""
    from shared.alerts.digest import send_digest

    if saved.alert_min_score is None:
        return {"notified": 0, "emailed": False}
    worth = _one_per_job(
        session,
        saved.user_id,
        [it for it in new_items if it["expected_score"] >= saved.alert_min_score],
    )
    now = utcnow()
    notes = [
        Notification(
            user_id=saved.user_id,
            kind="match",
            saved_search_id=saved.id,
            posting_id=it["posting"]["id"],
            title=_title(it["posting"]),
            expected_score=it["expected_score"],
            created_at=now,
        )
        for it in worth
    ]
    session.add_all(notes)
    session.flush()
    emailed = send_digest(session, saved, worth) if worth and saved.email_digest else False
    return {"notified": len(notes), "emailed": emailed}


def _one_per_job(
    session: Session, user_id: int, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Ranked items -> the best of each repost group (grouped at extraction, which the run
    waits for) that no earlier alert of this user announced: the same job posted twice, in
    one run or in two, is one alert."""
    if not items:
        return []
    ids = [it["posting"]["id"] for it in items]
    rows = session.execute(select(Posting.id, Posting.repost_of_id).where(Posting.id.in_(ids)))
    roots = dict(rows.all())
    root = func.coalesce(Posting.repost_of_id, Posting.id)
    alerted = select(root).join(Notification, Notification.posting_id == Posting.id)
    seen: set[int] = set(
        session.scalars(
            alerted.where(
                Notification.user_id == user_id,
                Notification.kind == "match",
                root.in_({roots.get(pid) or pid for pid in ids}),
            )
        )
    )
    out = []
    for it, pid in zip(items, ids, strict=True):
        key = roots.get(pid) or pid
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _title(posting: dict[str, Any]) -> str:
    parts = [posting.get("title") or "A posting", posting.get("company")]
    return " at ".join(p for p in parts if p)[:500]


def notifications(
    session: Session, user_id: int, *, unread_only: bool = False, limit: int = 50
) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def unread_count(session: Session, user_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, user_id: int, ids: list[int] | None = None) -> int:
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    return int(getattr(session.execute(stmt.values(read_at=utcnow())), "rowcount", 0) or 0)
