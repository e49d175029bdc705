"""Per-user quotas, all settings. Each refusal names the limit and the setting that sets it;
the gateway answers it as 429 (too many of something) or 413 (a file too big)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import BlockRule, Job
from shared.jobs import PRIORITIES
from shared.queue import ROUTES
from shared.settings import get_settings


class QuotaExceeded(Exception):
    def __init__(self, message: str, status_code: int = 429, retry_after: int | None = None):
        super().__init__(message)
        self.message, self.status_code, self.retry_after = message, status_code, retry_after


# Every kind and priority named, so the dispatcher's index (status, kind, priority, user)
# finds the user's queued jobs alone, not the user's whole history of jobs.
_QUEUED = select(func.count()).where(
    Job.status == "queued",
    Job.kind.in_(list(ROUTES)),
    Job.priority.in_(PRIORITIES),
    Job.user_id == bindparam("user_id"),
)


def check_queued_jobs(session: Session, user_id: int, adding: int = 1) -> None:
    limit = get_settings().max_queued_jobs_per_user
    queued = session.scalar(_QUEUED, {"user_id": user_id})
    if (queued or 0) + adding > limit:
        raise QuotaExceeded(
            f"too many queued jobs: you have {queued} and this adds {adding}, the limit is "
            f"{limit} per user (LIR_MAX_QUEUED_JOBS_PER_USER); wait for them or cancel some"
        )


def check_searches(session: Session, user_id: int) -> None:
    """Searches started by hand in the last hour (saved-search runs are bulk, not counted)."""
    limit = get_settings().max_searches_per_hour
    since = utcnow() - timedelta(hours=1)
    started = session.scalars(
        select(Job.created_at)
        .where(Job.user_id == user_id, Job.kind == "search", Job.priority == "interactive")
        .where(Job.parent_id.is_(None), Job.created_at > since)
        .order_by(Job.created_at)
    ).all()
    if len(started) >= limit:
        oldest = started[0] if started[0].tzinfo else started[0].replace(tzinfo=since.tzinfo)
        wait = max(1, int((oldest - since).total_seconds()) + 1)
        raise QuotaExceeded(
            f"too many searches: {len(started)} in the last hour, the limit is {limit} per "
            f"user per hour (LIR_MAX_SEARCHES_PER_HOUR); try again in {wait} s",
            retry_after=wait,
        )


def check_import_rows(rows: int) -> None:
    limit = get_settings().max_import_rows
    if rows > limit:
        raise QuotaExceeded(
            f"too many rows: the file has more than {limit} rows, the limit per file "
            f"(LIR_MAX_IMPORT_ROWS); split it into smaller files",
            status_code=413,
        )


def check_block_rules(session: Session, user_id: int) -> None:
    limit = get_settings().max_blocklist_rules
    have = session.scalar(select(func.count()).where(BlockRule.user_id == user_id)) or 0
    if have >= limit:
        raise QuotaExceeded(
            f"too many blocklist rules: you have {have}, the limit is {limit} per user "
            "(LIR_MAX_BLOCKLIST_RULES); remove some first"
        )
