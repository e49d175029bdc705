"""Job lifecycle: queued -> running (heartbeat, progress) -> succeeded | failed | cancelled,
and running -> waiting -> queued for a job that waits for the children it queued.

The jobs row is what clients poll. A new job waits in the table; after the transaction that
created it commits, the fair dispatcher (shared.dispatch) releases it to Celery when its
user has room. A waiting job holds no worker and is queued again after its last child.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, event, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from shared.db.base import utcnow
from shared.db.models import Job
from shared.db.session import session_scope
from shared.dispatch import take_slot
from shared.recovery.errors import DATABASE_UNAVAILABLE, public_error
from shared.settings import get_settings

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running", "waiting")
PRIORITIES = ("interactive", "bulk")
FINISHED = ("succeeded", "failed", "cancelled")
_OUTBOX = "lir_outbox"  # messages to send as they are after commit (the reaper's re-sends)
_DISPATCH = "lir_dispatch"  # new jobs or freed slots: run a dispatch pass after commit


class JobCancelled(Exception):
    """Raised inside work when the user cancelled the job."""


class JobSuperseded(Exception):
    """Raised inside work whose attempt is no longer the job's current one: another worker
    took the job over (this one was presumed dead), so this one stops and writes nothing."""


class JobFailed(Exception):
    """The job fails with this reason, but what the work wrote so far is kept
    (e.g. a posting marked blocked with why)."""


class JobWaiting(Exception):
    """Raised by work that queued child jobs (`parent=job`) and continues once they are all
    done: what it wrote is kept, the job gives its worker back and waits."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobDeferred(Exception):
    """The job waits until `until` (e.g. LinkedIn's Retry-After) and is then sent again by
    the reaper; what the work wrote so far is kept (e.g. a posting marked rate_limited)."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until, self.reason = until, reason


class TransientJobError(Exception):
    """Work that may succeed later (network, LinkedIn 5xx): the job is deferred with backoff
    and fails after `job_max_attempts` attempts."""


class DatabaseUnavailable(Exception):
    """The database went away mid-job: Celery re-sends the message for `attempt`, which may
    then take over the job the failed attempt still holds."""

    def __init__(self, attempt: int | None) -> None:
        super().__init__("the database is unavailable")
        self.attempt = attempt


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
    values: dict[str, Any] = dict.fromkeys(_JOB_COLUMNS)  # every column set: none to load
    values.update(
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
    job = Job(**values)
    by_hand = user_id is not None and _by_hand(session, job)
    decision = take_slot(session, user_id, kind) if user_id is not None and by_hand else "pass"
    if decision == "release":
        send_after_commit(session, job)
    elif decision == "pass":
        request_dispatch(session)
    _insert(session, job)
    return job


_JOB_COLUMNS = tuple(c.key for c in Job.__table__.columns)
_JOBS: Table = Job.__table__  # type: ignore[assignment]
_INSERT_JOB = insert(_JOBS)


def _insert(session: Session, job: Job) -> None:
    """One INSERT, then the object joins the session as loaded from it: the unit of work's
    flush (its bookkeeping costs more than the statement) is left out."""
    session.flush()  # what the session holds goes first (the job's posting, its parent)
    session.execute(_INSERT_JOB, {key: getattr(job, key) for key in _JOB_COLUMNS})
    make_transient_to_detached(job)
    session.add(job)


def _by_hand(session: Session, job: Job) -> bool:
    """A job a user started by hand, outside a savepoint (whose rollback would leave its
    message in the outbox), is placed at once (shared.dispatch.take_slot); children, bulk
    work and system jobs go through the pass."""
    return (
        job.parent_id is None
        and job.priority == "interactive"
        and not session.in_nested_transaction()
    )


def request_dispatch(session: Session) -> None:
    """Run a dispatch pass once this session commits (new jobs, or slots freed)."""
    session.info[_DISPATCH] = True


def send_after_commit(session: Session, job: Job) -> None:
    """Sends the job's message once this transaction commits, for its next attempt."""
    job.sent_at = utcnow()  # released: from now on its message can be lost
    session.info.setdefault(_OUTBOX, []).append((job.id, job.kind, job.attempts + 1))


def send(job_id: uuid.UUID, kind: str, attempt: int = 1) -> None:
    """Messages carry the attempt they are for: see `claim`."""
    from shared.queue import ROUTES, celery_app

    name, queue = ROUTES[kind]
    celery_app.send_task(name, args=[str(job_id), attempt], queue=queue)


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: nothing is visible yet
        return
    for job_id, kind, attempt in session.info.pop(_OUTBOX, []):
        try:
            send(job_id, kind, attempt)
        except Exception:  # the reaper re-sends queued jobs whose message never left
            log.exception("could not send job %s; the reaper will re-send it", job_id)
    if session.info.pop(_DISPATCH, False):
        from shared.dispatch import dispatch_soon

        dispatch_soon()


@event.listens_for(Session, "after_rollback")
def _drop_outbox(session: Session) -> None:
    session.info.pop(_OUTBOX, None)
    session.info.pop(_DISPATCH, None)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def claim(job_id: uuid.UUID, attempt: int | None) -> int | None:
    """Mark the job running for this message and return the attempt number it now holds,
    or None when there is nothing to do.

    Ownership is by attempt, not by heartbeat. A message is sent for attempt n; once it
    is claimed the job holds attempt n. The same message arriving again (redelivered
    after its worker died, or re-sent by Celery after the database went away) takes the
    job over as attempt n + 1, whatever the heartbeat says: the earlier holder notices at
    its next progress report that it no longer owns the job and stops. A message for an
    attempt older than the one running is stale and does nothing, as does any message
    for a finished job, one waiting for its children, or one deferred until later (the
    reaper sends it when due)."""
    try:
        with session_scope() as session:
            job = session.get(Job, job_id, with_for_update=True)
            if job is None or job.status in FINISHED or job.status == "waiting":
                return None
            now = utcnow()
            if job.parent_id is not None and _root_cancelled(session, job.parent_id):
                # A running sibling created it while the cancel of its import or search was
                # committing, so that cancel could not see it.
                job.status, job.finished_at = "cancelled", now
                job.message = "cancelled with its parent job"
                request_dispatch(session)
                return None
            retry_at = aware(job.retry_at)
            if job.status == "queued" and retry_at is not None and retry_at > now:
                return None
            if job.status == "running" and not _may_take_over(job, attempt, now):
                return None
            job.status, job.attempts, job.error = "running", job.attempts + 1, None
            job.retry_at = None
            job.started_at = job.started_at or now
            job.heartbeat_at = now
            return job.attempts
    except IntegrityError:
        # ux_jobs_one_train: the user's other training is running. This one goes back to
        # the dispatcher, which releases it once that one is done.
        with session_scope() as session:
            session.execute(
                update(Job).where(Job.id == job_id, Job.status == "queued").values(sent_at=None)
            )
        return None


def _root_cancelled(session: Session, root_id: uuid.UUID) -> bool:
    return session.scalar(select(Job.status).where(Job.id == root_id)) == "cancelled"


def _may_take_over(job: Job, attempt: int | None, now: datetime) -> bool:
    if attempt is not None:
        return attempt >= job.attempts
    # A message from before attempts were carried: only a silent job may be taken over.
    stale = timedelta(seconds=get_settings().job_heartbeat_timeout_seconds)
    beat = aware(job.heartbeat_at)
    return beat is None or now - beat >= stale


class Progress:
    """Reports progress and heartbeats on the job row through the work's own session.

    Each report commits the work done so far (every step of our jobs is idempotent), so a
    long job never holds a lock between steps: SQLite allows one writer at a time, and a
    second connection writing the heartbeat would wait on the work's own transaction.
    Before committing it checks, with the row locked, that the job is still this attempt's
    and not cancelled; otherwise the uncommitted step is rolled back."""

    def __init__(self, session: Session, job: Job, attempt: int) -> None:
        self.session, self.job, self.attempt = session, job, attempt

    def __call__(self, fraction: float, message: str | None = None) -> None:
        self._check_owner()
        self.job.heartbeat_at = utcnow()
        self.job.progress = min(max(fraction, 0.0), 1.0)
        if message is not None:
            self.job.message = message
        self.session.commit()

    def _check_owner(self) -> None:
        self.session.refresh(self.job, ["status", "attempts"], with_for_update=True)
        if self.job.status == "cancelled":
            raise JobCancelled()
        if self.job.status != "running" or self.job.attempts != self.attempt:
            raise JobSuperseded()

    def finish(self, **values: Any) -> None:
        """Records the outcome, if the job is still this attempt's."""
        self._check_owner()
        for name, value in values.items():
            setattr(self.job, name, value)


Work = Callable[[Session, Job, Progress], dict[str, Any] | None]


def run_job(job_id: str, work: Work, attempt: int | None = None) -> None:
    """The body of every task: claim, do the work in one transaction, record the outcome.

    Raises DatabaseUnavailable when the database went away, for Celery to retry."""
    jid = uuid.UUID(job_id)
    held: int | None = None
    try:
        held = claim(jid, attempt)
        if held is None:
            return
        queued_jobs = True  # unless the work's last step is known to have queued none
        try:
            queued_jobs = _run_claimed(jid, held, work)
        except (JobCancelled, JobSuperseded):
            pass
        except TransientJobError as exc:
            _defer_after_error(jid, held, exc)
        except DATABASE_UNAVAILABLE:
            raise
        except Exception as exc:
            log.exception("job %s failed", jid)
            error = public_error(exc)
            _set(jid, held, status="failed", error=error, message=f"failed: {error}",
                 finished_at=utcnow())  # fmt: skip
        _slot_freed(jid, queued_jobs)
    except DATABASE_UNAVAILABLE as exc:
        log.warning("job %s: database unavailable (%s); will retry", jid, type(exc).__name__)
        if held is not None:
            with contextlib.suppress(*DATABASE_UNAVAILABLE):  # it may still be away
                _set(jid, held, status="queued", sent_at=utcnow(), message=public_error(exc))
        raise DatabaseUnavailable(held if held is not None else attempt) from exc


@contextlib.contextmanager
def _heartbeat(jid: uuid.UUID, held: int) -> Iterator[None]:
    """Beats on the job row from a thread while the work runs, so a long step (a model
    loading, a slow extraction) is not mistaken for a dead worker; only a worker that
    really died (its process gone) falls silent."""
    stop = threading.Event()
    every = max(0.5, get_settings().job_heartbeat_timeout_seconds / 3)

    def beat() -> None:
        while not stop.wait(every):
            try:
                _set(jid, held, heartbeat_at=utcnow())
            except Exception:  # a missed beat is retried; the work reports its own errors
                log.debug("heartbeat of job %s missed", jid, exc_info=True)

    threading.Thread(target=beat, name=f"heartbeat-{jid}", daemon=True).start()
    try:
        yield
    finally:
        stop.set()


def _slot_freed(jid: uuid.UUID, queued_jobs: bool) -> None:
    """The job no longer runs: its parent may continue, and the user's next job may go.
    One pass, which also wakes or reports on the parent, for the jobs it created too (or,
    for a user's own job that queued none, its slot's next jobs: shared.dispatch.free_slot)."""
    from shared.dispatch import dispatch_soon

    dispatch_soon(finished=jid, queued_jobs=queued_jobs)


def _run_claimed(jid: uuid.UUID, held: int, work: Work) -> bool:
    """Whether the work's last step queued jobs (or freed slots) that a pass must place."""
    with _heartbeat(jid, held), session_scope() as session:
        job = session.get(Job, jid)
        assert job is not None
        progress = Progress(session, job, held)
        try:
            _work_and_finish(session, job, progress, work)
        finally:
            # The pass `_slot_freed` runs once the job is over releases what its last step
            # created too: no pass of its own after this last commit.
            queued_jobs = bool(session.info.pop(_DISPATCH, False))
    return queued_jobs


def _work_and_finish(session: Session, job: Job, progress: Progress, work: Work) -> None:
    try:
        result = work(session, job, progress)
    except JobFailed as exc:
        error = public_error(exc)
        progress.finish(
            status="failed", error=error, message=f"failed: {error}", finished_at=utcnow()
        )
        return
    except JobWaiting as exc:
        # Its next pass starts afresh at attempt 1: waiting is not a failed attempt.
        progress.finish(status="waiting", sent_at=None, message=exc.message, attempts=0)
        return
    except JobDeferred as exc:
        progress.finish(
            status="queued",
            retry_at=exc.until,
            message=retry_note(exc.reason, exc.until),
        )
        return
    result = result or {}
    # The last progress line ("scoring...") would read as if the job were still at work.
    message = str(result.get("message") or "finished")
    progress.finish(
        status="succeeded", progress=1.0, result=result, message=message, finished_at=utcnow()
    )


def retry_note(reason: str, until: datetime) -> str:
    return f"{reason}; will try again at {until.isoformat(timespec='seconds')}"


def _defer_after_error(jid: uuid.UUID, held: int, exc: TransientJobError) -> None:
    settings = get_settings()
    reason = public_error(exc)
    if held >= settings.job_max_attempts:
        _set(
            jid,
            held,
            status="failed",
            error=f"gave up after {held} attempts: {reason}",
            finished_at=utcnow(),
        )
        return
    # Exponential backoff with full jitter, like Celery's retry_backoff.
    delay = random.uniform(0, min(300.0, 5.0 * 2 ** (held - 1)))
    until = utcnow() + timedelta(seconds=delay)
    _set(
        jid,
        held,
        status="queued",
        retry_at=until,
        message=retry_note(reason, until),
    )


def fail_exhausted(job_id: str, attempt: int | None, exc: BaseException) -> None:
    """Called when Celery gives up re-sending a job whose database kept failing."""
    still_ours = [Job.attempts <= attempt] if attempt is not None else []
    with session_scope() as session:
        session.execute(
            update(Job)
            .where(Job.id == uuid.UUID(job_id), Job.status.in_(ACTIVE), *still_ours)
            .values(
                status="failed",
                error=f"gave up after retries: {public_error(exc)}",
                finished_at=utcnow(),
            )
        )


def _set(job_id: uuid.UUID, attempt: int, **values: Any) -> None:
    """Updates the job only while `attempt` still holds it (not cancelled, not taken over)."""
    with session_scope() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
            .values(**values)
        )


def cancel(session: Session, job: Job) -> Job:
    """Cancel the job and every job it started (the children of an import or a search), even
    when the job itself has finished its own part. Children first, then the job: a dispatch
    pass locks them in that order too (releasing children, then reporting to their parent),
    and the opposite order deadlocked with it."""
    _cancel_where(session, Job.parent_id == job.id, message="cancelled with its parent job")
    if job.status in ACTIVE:
        job.status, job.finished_at, job.message = "cancelled", utcnow(), "cancelled by user"
    return job


def cancel_all(session: Session, user_id: int, kind: str | None = None) -> int:
    """The user's active jobs (of this kind, with their children); how many were cancelled."""
    where = [Job.user_id == user_id]
    if kind is not None:
        roots = select(Job.id).where(Job.user_id == user_id, Job.kind == kind)
        where.append(or_(Job.kind == kind, Job.parent_id.in_(roots)))
    # Children before their parents, in the order a dispatch pass locks them (see `cancel`).
    return sum(
        _cancel_where(session, *where, level, message="cancelled by user")
        for level in (Job.parent_id.is_not(None), Job.parent_id.is_(None))
    )


def _cancel_where(session: Session, *where: Any, message: str) -> int:
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Job)
        .where(*where, Job.status.in_(ACTIVE))
        .values(status="cancelled", finished_at=utcnow(), message=message)
        .execution_options(synchronize_session=False)
    )
    request_dispatch(session)  # their slots are free
    return int(done.rowcount or 0)
