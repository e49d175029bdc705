"""Saved searches: create, change, run (by hand or when due), and their matches."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Job, SavedSearch, SavedSearchMatch
from shared.jobs import ACTIVE, JobFailed, Progress, aware, create_job
from shared.ratings import dialect_insert
from shared.saved_searches.schedule import (
    Due,
    admit,
    estimate_requests,
    look_capacity,
    next_run,
)
from shared.settings import get_settings

KIND = "saved_search"
EDITABLE = ("name", "every_hours", "alert_min_score", "email_digest")


def check_every(every_hours: float) -> float:
    least = get_settings().saved_search_min_every_hours
    if every_hours < least:
        raise ValueError(f"every_hours must be at least {least:g}")
    return every_hours


def create(
    session: Session,
    user_id: int,
    params: dict[str, Any],
    *,
    name: str,
    every_hours: float,
    alert_min_score: float | None,
    email_digest: bool,
) -> SavedSearch:
    """Due at once: beat starts it within the LinkedIn budget's share, so many created
    together are spread, and each later run follows one interval after its start."""
    now = utcnow()
    saved = SavedSearch(
        user_id=user_id,
        name=name,
        params=params,
        every_hours=check_every(every_hours),
        alert_min_score=alert_min_score,
        email_digest=email_digest,
        next_run_at=now,
        created_at=now,
    )
    session.add(saved)
    session.flush()
    return saved


def own(session: Session, user_id: int, saved_search_id: int) -> SavedSearch | None:
    saved = session.get(SavedSearch, saved_search_id)
    return saved if saved is not None and saved.user_id == user_id else None


def update(session: Session, saved: SavedSearch, changes: dict[str, Any]) -> SavedSearch:
    for key, value in changes.items():
        if key == "every_hours":
            check_every(value)
            # A new interval counts from the last run (or now for one that never ran).
            saved.next_run_at = next_run(aware(saved.last_run_at) or utcnow(), value)
        if key in EDITABLE:
            setattr(saved, key, value)
        elif key == "params":
            saved.params = {**saved.params, **value}
    session.flush()
    return saved


def start_run(
    session: Session, saved: SavedSearch, *, priority: str, estimated_requests: float = 0.0
) -> Job:
    now = utcnow()
    job = create_job(
        session,
        kind=KIND,
        user_id=saved.user_id,
        params={
            **saved.params,
            "saved_search_id": saved.id,
            "estimated_requests": estimated_requests,
        },
        priority=priority,
    )
    saved.last_job_id = job.id
    saved.next_run_at = next_run(now, saved.every_hours)
    return job


def active_run(session: Session, saved: SavedSearch) -> Job | None:
    if saved.last_job_id is None:
        return None
    job = session.get(Job, saved.last_job_id)
    return job if job is not None and job.status in ACTIVE else None


def dispatch(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Beat's look: start the due saved searches that fit (shared.saved_searches.schedule)."""
    settings = get_settings()
    now = now or utcnow()
    running = session.execute(
        select(Job.user_id, Job.params).where(Job.kind == KIND, Job.status.in_(ACTIVE))
    ).all()
    busy = {uid for uid, _ in running if uid is not None}
    rows = session.scalars(
        select(SavedSearch)
        .where(SavedSearch.next_run_at <= now)
        .order_by(SavedSearch.next_run_at)
        .limit(1000)
        .with_for_update(skip_locked=True)
    ).all()
    by_id = {s.id: s for s in rows}
    last_new = _last_new_postings(session, [s.last_job_id for s in rows if s.last_job_id])
    due = [
        Due(
            s.id,
            s.user_id,
            aware(s.next_run_at) or now,
            estimate_requests(int(s.params.get("limit", 25)), last_new.get(s.last_job_id)),
        )
        for s in rows
    ]
    in_flight = sum(float(p.get("estimated_requests", 0.0)) for _, p in running)
    capacity = look_capacity(
        settings.saved_search_tick_seconds,
        settings.linkedin_min_interval_seconds + settings.linkedin_jitter_seconds / 2,
        settings.saved_search_budget_share,
    )
    started = admit(due, in_flight, busy, capacity)
    for d in started:
        start_run(
            session,
            by_id[d.saved_search_id],
            priority="bulk",
            estimated_requests=d.estimated_requests,
        )
    return {"due": len(due), "started": len(started), "busy_users": len(busy)}


def _last_new_postings(session: Session, job_ids: list[uuid.UUID | None]) -> dict[Any, int]:
    ids = [j for j in job_ids if j is not None]
    if not ids:
        return {}
    rows = session.execute(select(Job.id, Job.result).where(Job.id.in_(ids))).all()
    return {jid: int(r["new_postings"]) for jid, r in rows if r and "new_postings" in r}


def run_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    """The search itself (shared.searches), then what is new to this saved search."""
    from shared.alerts.service import alert_new_matches
    from shared.searches import search_work

    saved = session.get(SavedSearch, job.params.get("saved_search_id"))
    if saved is None:
        raise JobFailed("the saved search was deleted")
    result = search_work(session, job, progress)
    now = utcnow()
    new = [it for it in result["items"] if _record_match(session, saved.id, it, now)]
    saved.last_run_at = now
    session.flush()
    alerts = alert_new_matches(session, saved, new)
    # The ranked list lives in the matches, not twice in the job row.
    return {k: v for k, v in result.items() if k != "items"} | {
        "saved_search_id": saved.id,
        "matches": len(result["items"]),
        "new_matches": len(new),
        **alerts,
    }


def match_counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """saved search id -> (matches, new matches)."""
    rows = session.execute(
        select(
            SavedSearchMatch.saved_search_id,
            func.count(),
            func.count().filter(SavedSearchMatch.seen_at.is_(None)),
        )
        .where(SavedSearchMatch.saved_search_id.in_(ids))
        .group_by(SavedSearchMatch.saved_search_id)
    ).all()
    return {sid: (int(total), int(new)) for sid, total, new in rows}


def _record_match(session: Session, saved_search_id: int, it: dict[str, Any], now: Any) -> bool:
    """True when this search had never found the posting. An insert that yields to an
    existing row, so a retried run (or two at once) records each match once."""
    stmt = (
        dialect_insert(session)(SavedSearchMatch)
        .values(
            saved_search_id=saved_search_id,
            posting_id=it["posting"]["id"],
            first_seen_at=now,
            last_seen_at=now,
            expected_score=it["expected_score"],
        )
        .on_conflict_do_update(
            index_elements=["saved_search_id", "posting_id"], set_={"last_seen_at": now}
        )
        .returning(SavedSearchMatch.first_seen_at)
    )
    first = aware(session.execute(stmt).scalar_one())
    return first == now
