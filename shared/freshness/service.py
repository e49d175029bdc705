"""Beat's re-check of postings people still look at.

A posting on someone's tracker (still pursued) or likely in someone's recommendations
(predicted at least RECOMMENDED) is fetched again once it is older than
LIR_POSTING_MAX_AGE_HOURS, at bulk priority and a batch per look sized like the saved
searches' share of the LinkedIn budget. A page that now says it no longer accepts
applications marks the posting closed (shared.postings.store_parsed): it leaves the
recommendations, its tracker card is flagged, and everyone still pursuing it gets a
notification (`notify_closed`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Application, Job, Notification, Posting, Prediction
from shared.jobs import ACTIVE, create_job
from shared.saved_searches.schedule import look_capacity
from shared.settings import get_settings
from shared.tracker.service import OPEN_STATUSES

RECOMMENDED = 1.5  # expected score from which a posting is likely on someone's list


def recheck(session: Session, now: datetime | None = None) -> dict[str, int]:
    settings = get_settings()
    now = now or utcnow()
    stale_before = now - timedelta(hours=settings.posting_max_age_hours)
    batch = max(
        1,
        int(
            look_capacity(
                settings.posting_recheck_interval_seconds,
                settings.linkedin_min_interval_seconds + settings.linkedin_jitter_seconds / 2,
                settings.saved_search_budget_share,
            )
        ),
    )
    tracked = exists().where(
        Application.posting_id == Posting.id, Application.status.in_(OPEN_STATUSES)
    )
    liked = exists().where(
        Prediction.posting_id == Posting.id, Prediction.expected_score >= RECOMMENDED
    )
    busy = exists().where(Job.posting_id == Posting.id, Job.status.in_(ACTIVE))
    stale = session.scalars(
        select(Posting)
        .where(Posting.source == "linkedin", Posting.status == "fetched")
        .where(Posting.is_closed.is_(False), Posting.fetched_at < stale_before)
        .where(or_(tracked, liked), ~busy)
        .order_by(Posting.fetched_at)
        .limit(batch)
    ).all()
    for posting in stale:
        create_job(session, kind="scrape", user_id=None, posting_id=posting.id, priority="bulk")
    return {"rechecks": len(stale)}


def notify_closed(session: Session, posting: Posting) -> int:
    """A notification for each user whose tracker still pursues this posting, now closed.
    Once per closing: the caller calls it when an open posting is read as closed."""
    users = session.scalars(
        select(Application.user_id).where(
            Application.posting_id == posting.id, Application.status.in_(OPEN_STATUSES)
        )
    ).all()
    what = " at ".join(p for p in (posting.title or "A tracked posting", posting.company) if p)
    now = utcnow()
    session.add_all(
        Notification(
            user_id=user_id,
            kind="closed",
            posting_id=posting.id,
            title=f"No longer accepting applications: {what}"[:500],
            created_at=now,
        )
        for user_id in users
    )
    return len(users)
