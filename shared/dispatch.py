"""The fair dispatcher: the jobs table is the queue, Celery only holds a few messages per user.

A `queued` job with no `sent_at` waits here; releasing it sets `sent_at` and sends its
message (it is then in flight until it finishes). Each pass releases, per Celery queue and
priority class, round-robin across users, interactive before bulk: at most
`dispatch_per_user` interactive messages in flight per user, and bulk work at most
`dispatch_bulk_per_queue` in flight per queue in all (whoever's it is). One user's backlog
therefore stays in the database: another user's interactive job is behind at most a few
messages in its Celery queue, whatever that backlog is.

Passes run after every commit that created jobs, after every job finishes (one pass for
both when the finished job created some), and from beat as a safety net. A user's own
interactive job that finishes having queued nothing frees its slot alone: `free_slot`
releases that slot's next jobs under the user's lock, with no pass. A pass holds a
deployment-wide lock for its few queries, so two passes never release the same slot twice.

A new interactive job a user started by hand (a rating, a prediction, a search) skips the
pass: `take_slot` decides in the transaction that creates it, under a lock of that user only
(shared with other users' decisions, exclusive of a pass), whether it goes now or waits for
a slot of its user to free. It is the decision a pass would make for that slot (interactive
classes have no cross-user budget), at the cost of two short statements instead of a
deployment-wide transaction of its own after every commit.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from functools import lru_cache
from itertools import zip_longest
from typing import Literal

from sqlalchemy import Select, bindparam, case, exists, false, func, select, text, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from shared.db.base import utcnow
from shared.db.models import Job
from shared.db.session import session_scope
from shared.queue import ROUTES
from shared.settings import get_settings

log = logging.getLogger(__name__)

# A user's trainings run one at a time (the unique index ux_jobs_one_train is the guarantee).
PER_USER_OVERRIDE = {"train": 1}
_LOCK_KEY = 0x4C49_5244  # "LIRD": the dispatcher's Postgres advisory lock
# A user's slot lock is the two-int form (_LOCK_KEY, user id): a key space of its own.

Slot = tuple[str, str, int | None]  # (queue, priority, user_id)
Release = tuple[uuid.UUID, str, int]  # (job id, kind, the attempt its message is for)
Decision = Literal["release", "wait", "pass"]


def kinds_of(queue: str) -> list[str]:
    return [kind for kind, (_, q) in ROUTES.items() if q == queue]


_NO_OP_WRITE = update(Job).where(false()).values(sent_at=None)  # SQLite's write lock


def _serialize(session: Session) -> None:
    """One pass at a time, deployment-wide. On SQLite a first write takes the database's
    single write lock for the whole pass (waiting out the busy timeout, never failing)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    else:
        session.execute(_NO_OP_WRITE)


def per_user_limit(queue: str, priority: str = "interactive") -> int:
    """In-flight messages a user may have in `queue`. Bulk work is bounded by its queue-wide
    budget alone (shared round-robin when several users have some): a single backlog then
    keeps the scrape queue's threads busy, so it drains at the LinkedIn rate limit, not at
    `dispatch_per_user` fetches at a time."""
    settings = get_settings()
    per_user = settings.dispatch_per_user
    if priority == "bulk":
        per_user = max(per_user, settings.dispatch_bulk_per_queue)
    return min(PER_USER_OVERRIDE.get(k, per_user) for k in kinds_of(queue))


_SLOT_LOCKS = text(
    "SELECT pg_advisory_xact_lock_shared(:key), pg_advisory_xact_lock(:key, :user_id)"
).bindparams(key=_LOCK_KEY)


@lru_cache
def _slot_counts(queue: str) -> Select[int, int]:
    """A user's interactive jobs of `queue` in flight and waiting: built once per queue (the
    statement's construction would cost more than running it)."""
    return select(
        func.count().filter(Job.sent_at.is_not(None)),
        func.count().filter(Job.sent_at.is_(None), Job.status == "queued"),
    ).where(
        Job.status.in_(("queued", "running")),
        Job.kind.in_(kinds_of(queue)),
        Job.priority == "interactive",
        Job.user_id == bindparam("user_id"),
    )


def take_slot(session: Session, user_id: int, kind: str) -> Decision:
    """What to do with a new interactive job of `kind`, decided in the caller's transaction:

    - "release": its user has room in the slot and nothing older waits there; the caller
      marks it sent, and it is sent after commit;
    - "wait": the slot is full; the job waits in the table, and the pass that runs when one
      of the slot's jobs finishes releases it (that pass waits for this lock, so it sees
      the job);
    - "pass": there is room but older jobs wait (a pass is due): the caller asks for one.

    Locks the user's releases until the transaction ends; on SQLite the caller's earlier
    write already holds the database's single write lock."""
    queue = ROUTES[kind][1]
    flying, waiting = _lock_and_count(session, user_id, queue)
    if flying >= per_user_limit(queue):
        return "wait"
    return "pass" if waiting else "release"


def _lock_and_count(session: Session, user_id: int, queue: str) -> tuple[int, int]:
    """The user's interactive jobs of `queue` in flight and waiting, with the user's releases
    locked until the transaction ends (shared with other users', exclusive of a pass)."""
    # Its own statement: the count's snapshot must be taken once the locks are held.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_SLOT_LOCKS, {"user_id": user_id})
    else:
        session.execute(_NO_OP_WRITE)
    flying, waiting = session.execute(_slot_counts(queue), {"user_id": user_id}).one()
    return int(flying), int(waiting)


_FINISHED_JOB = select(Job.user_id, Job.kind, Job.priority, Job.parent_id, Job.status).where(
    Job.id == bindparam("job_id")
)


def free_slot(session: Session, finished: uuid.UUID) -> list[Release] | None:
    """After a user's own interactive job (no parent) is over and its last step queued
    nothing, only its slot gained room: interactive classes have no cross-user budget, and
    it has no parent to wake or report on. That slot's oldest waiting jobs are released, as
    a pass would release them, under its user's lock as `take_slot` decides, instead of a
    pass, whose deployment-wide lock would hold up every user's rating meanwhile. None for
    any other job: it needs a pass."""
    job = session.execute(_FINISHED_JOB, {"job_id": finished}).one_or_none()
    if (
        job is None
        or job.user_id is None
        or job.parent_id is not None
        or job.priority != "interactive"
        or job.status not in ("succeeded", "failed", "cancelled")
    ):
        return None
    queue = ROUTES[job.kind][1]
    flying, waiting = _lock_and_count(session, job.user_id, queue)
    room = min(per_user_limit(queue) - flying, waiting)
    if room <= 0:
        return []
    return _release(session, _oldest(session, (queue, "interactive", job.user_id), room))


def wake_parents(session: Session, parent_id: uuid.UUID | None = None) -> None:
    """A job `waiting` for its children is queued again once none is left to finish."""
    child = aliased(Job)
    busy = exists().where(child.parent_id == Job.id, child.status.in_(("queued", "running")))
    where: list[ColumnElement[bool]] = [Job.status == "waiting", ~busy]
    if parent_id is not None:
        where.append(Job.id == parent_id)
    # No in-session sync: the ORM cannot evaluate the EXISTS and would fetch every row.
    session.execute(
        update(Job)
        .where(*where)
        .values(status="queued", sent_at=None)
        .execution_options(synchronize_session=False)
    )


def report_children(session: Session, parent_id: uuid.UUID) -> None:
    """A waiting parent's progress: how many of its children are done. Runs inside a pass,
    after `wake_parents` (so a parent woken by its last child is left as it is)."""
    total, busy = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Job.status.in_(("queued", "running")), 1), else_=0)), 0),
        ).where(Job.parent_id == parent_id)
    ).one()
    if busy:
        session.execute(
            update(Job)
            .where(Job.id == parent_id, Job.status == "waiting")
            .values(
                progress=0.1 + 0.8 * (total - busy) / max(total, 1),
                message=f"reading postings: {total - busy} of {total} done",
            )
        )


def _counts(session: Session, *, in_flight: bool) -> dict[Slot, int]:
    where: list[ColumnElement[bool]]
    if in_flight:
        where = [Job.status.in_(("queued", "running")), Job.sent_at.is_not(None)]
    else:
        where = [Job.status == "queued", Job.sent_at.is_(None)]
    rows = session.execute(
        select(Job.kind, Job.priority, Job.user_id, func.count())
        .where(*where)
        .group_by(Job.kind, Job.priority, Job.user_id)
    ).all()
    out: dict[Slot, int] = defaultdict(int)
    for kind, priority, user_id, n in rows:
        if kind in ROUTES:
            out[(ROUTES[kind][1], priority, user_id)] += n
    return out


def _allot(flying: dict[Slot, int], waiting: dict[Slot, int]) -> list[list[tuple[Slot, int]]]:
    """How many jobs to release per slot, as rounds: every user with room gets one per round."""
    settings = get_settings()
    rounds: list[list[tuple[Slot, int]]] = []
    by_class: dict[tuple[str, str], list[Slot]] = defaultdict(list)
    for slot in sorted(waiting, key=lambda s: (s[0], s[1], s[2] or 0)):
        by_class[(slot[0], slot[1])].append(slot)
    for priority in ("interactive", "bulk"):
        for (queue, prio), slots in by_class.items():
            if prio != priority:
                continue
            per_user = per_user_limit(queue, priority)
            room = {s: min(per_user - flying[s], waiting[s]) for s in slots}
            total = None
            if priority == "bulk":
                total = settings.dispatch_bulk_per_queue - sum(
                    n for s, n in flying.items() if s[0] == queue and s[1] == "bulk"
                )
            given: dict[Slot, int] = defaultdict(int)
            while any(room[s] > given[s] for s in slots) and (total is None or total > 0):
                for s in slots:
                    if room[s] > given[s] and (total is None or total > 0):
                        given[s] += 1
                        total = None if total is None else total - 1
            rounds.append([(s, n) for s, n in given.items() if n > 0])
    return rounds


def dispatch(session: Session) -> list[Release]:
    """Mark the jobs to release as sent, in the order their messages should go; the caller
    commits, then sends."""
    _serialize(session)
    wake_parents(session)
    rounds = _allot(_counts(session, in_flight=True), _counts(session, in_flight=False))
    out = list[Release]()
    for group in rounds:
        per_user = [_oldest(session, slot, n) for slot, n in group]
        # Round-robin across users in the Celery queue, too.
        for batch in zip_longest(*per_user):
            out.extend(item for item in batch if item is not None)
    return _release(session, out)


def _oldest(session: Session, slot: Slot, n: int) -> list[Release]:
    """The slot's `n` oldest waiting jobs."""
    queue, priority, user_id = slot
    rows = session.execute(
        select(Job.id, Job.kind, Job.attempts)
        .where(Job.status == "queued", Job.sent_at.is_(None))
        .where(Job.kind.in_(kinds_of(queue)), Job.priority == priority)
        .where(Job.user_id.is_(None) if user_id is None else Job.user_id == user_id)
        .order_by(Job.created_at)
        .limit(n)
    ).all()
    return [(r.id, r.kind, r.attempts + 1) for r in rows]


def _release(session: Session, out: list[Release]) -> list[Release]:
    """Marks them sent (in flight from now on); the caller commits, then sends."""
    if out:
        session.execute(
            update(Job)
            .where(Job.id.in_([job_id for job_id, _, _ in out]))
            .values(sent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return out


def dispatch_now(finished: uuid.UUID | None = None, *, queued_jobs: bool = True) -> int:
    """One pass in its own transaction; messages go only after it commits. After job
    `finished` is over, the same transaction reports its parent's progress: one transaction
    per finished job for both (a scrape is a few short transactions, each commit a flush).
    A finished job whose last step queued no jobs may need no pass (`free_slot`)."""
    from shared.jobs import send

    with session_scope() as session:
        freed = None if finished is None or queued_jobs else free_slot(session, finished)
        released = freed if freed is not None else dispatch(session)
        if finished is not None and freed is None:
            parent_id = session.scalar(select(Job.parent_id).where(Job.id == finished))
            if parent_id is not None:
                report_children(session, parent_id)
    for job_id, kind, attempt in released:
        try:
            send(job_id, kind, attempt)
        except Exception:  # in flight but never sent: the reaper re-sends lost messages
            log.exception("could not send job %s; the reaper will re-send it", job_id)
    return len(released)


def dispatch_soon(finished: uuid.UUID | None = None, *, queued_jobs: bool = True) -> None:
    """After a commit: a failed pass must not fail the work that triggered it."""
    try:
        dispatch_now(finished, queued_jobs=queued_jobs)
    except Exception:
        log.exception("dispatch pass failed; beat's pass will release the jobs")
