"""Job lifecycle: queued -> running (heartbeat, progress) -> succeeded | failed | cancelled.

The jobs row is what clients poll. A job is sent to Celery only after the transaction that
created it commits (an outbox kept in `session.info`), and messages carry only the job id.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Job
from shared.db.session import session_scope
from shared.settings import get_settings

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
PRIORITIES = ("interactive", "bulk")
FINISHED = ("succeeded", "failed", "cancelled")
_OUTBOX = "lir_outbox"


class JobCancelled(Exception):
    """Raised inside work when the user cancelled the job."""


class JobFailed(Exception):
    """The job fails with this reason, but what the work wrote so far is kept
    (e.g. a posting marked blocked with why)."""


class TransientJobError(Exception):
    """Work that may succeed later (network, rate limit): Celery retries it with backoff."""


# Errors worth another try later: our own, and the database going away for a moment.
TRANSIENT = (TransientJobError, OperationalError)


def create_job(
    session: Session,
    *,
    kind: str,
    user_id: int | None,
    params: dict[str, Any] | None = None,
    posting_id: int | None = None,
    priority: str | None = None,
    parent: Job | None = None,
) -> Job:
    """A queued job, sent after commit. `priority` is "interactive" (a user waiting on it) or
    "bulk"; a child of `parent` inherits its priority and belongs to the same root job, so
    cancelling an import or a search reaches everything it started."""
    if priority is None:
        priority = parent.priority if parent is not None else "interactive"
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, got {priority!r}")
    job = Job(
        id=uuid.uuid4(),
        kind=kind,
        user_id=user_id,
        priority=priority,
        parent_id=None if parent is None else (parent.parent_id or parent.id),
        params=params or {},
        posting_id=posting_id,
        status="queued",
        progress=0.0,
        attempts=0,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    session.info.setdefault(_OUTBOX, []).append((job.id, kind))
    return job


def send(job_id: uuid.UUID, kind: str) -> None:
    from shared.queue import ROUTES, celery_app

    name, queue = ROUTES[kind]
    celery_app.send_task(name, args=[str(job_id)], queue=queue)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    for job_id, kind in session.info.pop(_OUTBOX, []):
        try:
            send(job_id, kind)
        except Exception:  # the reaper re-sends queued jobs whose message never left
            log.exception("could not send job %s; the reaper will re-send it", job_id)


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(_OUTBOX, None)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def claim(job_id: uuid.UUID) -> Job | None:
    """Mark the job running for this worker, or return None when there is nothing to do:
    it is finished, or another worker holds it with a live heartbeat (a redelivered message)."""
    stale = timedelta(seconds=get_settings().job_heartbeat_timeout_seconds)
    with session_scope() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.status in FINISHED:
            return None
        beat = aware(job.heartbeat_at)
        if job.status == "running" and beat and utcnow() - beat < stale:
            return None
        now = utcnow()
        job.status, job.attempts, job.error = "running", job.attempts + 1, None
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        return job


class Progress:
    """Reports progress and heartbeats on the job row through the work's own session.

    Each report commits the work done so far (every step of our jobs is idempotent), so a
    long job never holds a lock between steps: SQLite allows one writer at a time, and a
    second connection writing the heartbeat would wait on the work's own transaction."""

    def __init__(self, session: Session, job: Job) -> None:
        self.session, self.job = session, job

    def __call__(self, fraction: float, message: str | None = None) -> None:
        self.job.heartbeat_at = utcnow()
        self.job.progress = min(max(fraction, 0.0), 1.0)
        if message is not None:
            self.job.message = message
        self.session.commit()
        self.session.refresh(self.job, ["status"])
        if self.job.status == "cancelled":
            raise JobCancelled()


Work = Callable[[Session, Job, Progress], dict[str, Any] | None]


def run_job(job_id: str, work: Work) -> None:
    """The body of every task: claim, do the work in one transaction, record the outcome."""
    jid = uuid.UUID(job_id)
    if claim(jid) is None:
        return
    try:
        with session_scope() as session:
            job = session.get(Job, jid)
            assert job is not None
            try:
                result = work(session, job, Progress(session, job))
            except JobFailed as exc:
                job.status, job.error, job.finished_at = "failed", str(exc), utcnow()
                return
            session.refresh(job, ["status"])
            if job.status == "cancelled":
                return
            job.status, job.progress, job.result = "succeeded", 1.0, result or {}
            job.finished_at = utcnow()
    except JobCancelled:
        return
    except TRANSIENT as exc:
        with contextlib.suppress(OperationalError):  # the database may still be away
            _set(jid, status="queued", message=f"will retry: {exc}")
        raise
    except Exception as exc:
        log.exception("job %s failed", jid)
        _set(jid, status="failed", error=str(exc) or type(exc).__name__, finished_at=utcnow())


def fail_exhausted(job_id: str, exc: BaseException) -> None:
    """Called when Celery gives up retrying a transient error."""
    _set(
        uuid.UUID(job_id),
        status="failed",
        error=f"gave up after retries: {exc}",
        finished_at=utcnow(),
    )


def _set(job_id: uuid.UUID, **values: Any) -> None:
    with session_scope() as session:
        session.execute(
            update(Job).where(Job.id == job_id, Job.status != "cancelled").values(**values)
        )


def cancel(session: Session, job: Job) -> Job:
    if job.status in ACTIVE:
        job.status, job.finished_at, job.message = "cancelled", utcnow(), "cancelled by user"
    return job


def reap(now: datetime | None = None) -> dict[str, int]:
    """Periodic safety net: re-send jobs whose message was lost (Redis keeps nothing on disk)
    and retry or fail running jobs whose worker stopped heartbeating."""
    settings = get_settings()
    now = now or utcnow()
    requeue_before = now - timedelta(seconds=settings.job_requeue_after_seconds)
    dead_before = now - timedelta(seconds=settings.job_heartbeat_timeout_seconds)
    resent = retried = failed = 0
    with session_scope() as session:
        lost = session.scalars(
            select(Job)
            .where(Job.status == "queued")
            .where(
                or_(
                    Job.sent_at < requeue_before,
                    (Job.sent_at.is_(None)) & (Job.created_at < requeue_before),
                )
            )
            .with_for_update(skip_locked=True)
        ).all()
        for job in lost:
            job.sent_at = now
            session.info.setdefault(_OUTBOX, []).append((job.id, job.kind))
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
                session.info.setdefault(_OUTBOX, []).append((job.id, job.kind))
                retried += 1
    return {"resent": resent, "retried": retried, "failed": failed}
