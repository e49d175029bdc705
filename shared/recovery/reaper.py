"""The periodic safety net (beat's `jobs.reap`, on the `maintenance` queue of its own so no
backlog of real work can hold it up).

- A queued job whose message is really lost (Redis keeps nothing on disk; a worker died
  holding it) is sent again. One still waiting in the broker, however long, is left
  alone: re-sending it would only grow the queue. A job never released is not lost: it
  waits for the dispatcher (shared.dispatch).
- A deferred job (rate limited, transient error) is sent when its `retry_at` comes.
- A running job whose worker stopped heartbeating is sent again for its next attempt, or
  failed with the reason after `job_max_attempts`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis import RedisError
from sqlalchemy import or_, select

from shared.db.base import utcnow
from shared.db.models import Job
from shared.db.session import session_scope
from shared.jobs import send_after_commit
from shared.recovery.broker import held_messages
from shared.settings import get_settings

log = logging.getLogger(__name__)


def reap(now: datetime | None = None) -> dict[str, int]:
    settings = get_settings()
    now = now or utcnow()
    requeue_before = now - timedelta(seconds=settings.job_requeue_after_seconds)
    dead_before = now - timedelta(seconds=settings.job_heartbeat_timeout_seconds)
    resent = retried = failed = 0
    with session_scope() as session:
        due = session.scalars(
            select(Job)
            .where(Job.status == "queued")
            .where(
                or_(
                    Job.retry_at <= now,
                    # Only a released message can be lost: a job never sent is the
                    # dispatcher's (shared.dispatch) to release.
                    Job.retry_at.is_(None) & (Job.sent_at < requeue_before),
                )
            )
            .with_for_update(skip_locked=True)
        ).all()
        try:
            held = held_messages(
                settings, (str(j.id) for j in due), grace=settings.job_requeue_after_seconds
            )
        except (RedisError, OSError) as exc:  # the broker is away: nothing can be sent now
            log.warning("reaper: cannot look into the broker (%s); trying next round", exc)
            due, held = [], set()
        for job in due:
            if str(job.id) in held:
                continue
            job.sent_at, job.retry_at = now, None
            send_after_commit(session, job)
            resent += 1
        dead = session.scalars(
            select(Job)
            .where(Job.status == "running", Job.heartbeat_at < dead_before)
            .with_for_update(skip_locked=True)
        ).all()
        for job in dead:
            if job.attempts >= settings.job_max_attempts:
                job.status, job.finished_at = "failed", now
                job.error = (
                    f"worker stopped responding {job.attempts} times "
                    f"(no heartbeat for {settings.job_heartbeat_timeout_seconds}s); giving up"
                )
                failed += 1
            else:
                job.status, job.sent_at = "queued", now
                job.message = f"worker stopped responding; retrying (attempt {job.attempts + 1})"
                send_after_commit(session, job)
                retried += 1
    return {"resent": resent, "retried": retried, "failed": failed}
