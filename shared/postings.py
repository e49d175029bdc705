"""Postings: fetching, storing what the page says, and extracting structured fields.

Postings from LinkedIn are global: one row per LinkedIn job id, shared by every user who rates
or finds it. An imported posting (the prototype's CSV text) belongs to its importer alone.
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, bindparam, select
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.models import Job, Posting, Rating
from shared.extraction.version import RULES_VERSION
from shared.jobs import (
    JobDeferred,
    JobFailed,
    Progress,
    TransientJobError,
    aware,
    create_job,
    retry_note,
)
from shared.linkedin.models import FetchResult
from shared.linkedin.models import Posting as ParsedPosting
from shared.quotas import check_queued_jobs
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.linkedin.client import LinkedInClient


def visible_posting(session: Session, user_id: int, posting_id: int) -> Posting | None:
    """The posting if this user may see it: any LinkedIn posting, an imported one only by its
    owner (or by a user who rated it before imports were private)."""
    posting = session.get(Posting, posting_id)
    if posting is None or posting.owner_id in (None, user_id):
        return posting
    rated = session.scalar(
        select(Rating.id).where(Rating.user_id == user_id, Rating.posting_id == posting_id)
    )
    return posting if rated is not None else None


# Parsed fields copied from shared.linkedin.Posting onto the row.
PARSED_FIELDS = (
    "title",
    "company",
    "company_url",
    "location",
    "posted_at",
    "applicants",
    "seniority",
    "employment_type",
    "job_function",
    "industries",
    "workplace_type",
    "description_text",
    "description_html",
    "apply_url",
)


@lru_cache
def linkedin_client() -> LinkedInClient:
    """One client per process: its connection pool and rate limiter are reused. Imported
    here: the gateway imports this module but never fetches (no httpx in it)."""
    from shared.linkedin.client import LinkedInClient

    return LinkedInClient(get_settings())


def is_fresh(posting: Posting) -> bool:
    return fresh(posting.status, posting.fetched_at)


def fresh(status: str, fetched_at: datetime | None) -> bool:
    """Read recently enough to be answered from the store (`is_fresh` of a posting's columns)."""
    if status != "fetched" or fetched_at is None:
        return False
    fetched = aware(fetched_at)
    return fetched is not None and fetched > fresh_after()


def fresh_after() -> datetime:
    """The oldest fetch still fresh: `READY`'s parameter `fresh_after`."""
    return utcnow() - timedelta(hours=get_settings().posting_max_age_hours)


def ready(fresh_after: Any) -> ColumnElement[bool]:
    """`fresh` (fetched after `fresh_after`: a parameter, or a column of the statement) and
    extracted by the current rules, as a statement's condition: a rating or a prediction of
    such a posting is answered from the store, with no job. The one-statement hot paths
    decide with it inside their statement."""
    return and_(
        Posting.status == "fetched",
        Posting.fetched_at > fresh_after,
        Posting.extracted_at.is_not(None),
        Posting.rules_extraction["rules_version"].as_string() == RULES_VERSION,
    )


READY = ready(bindparam("fresh_after"))  # with the parameter `fresh_after`


def store_parsed(posting: Posting, parsed: ParsedPosting) -> None:
    for name in PARSED_FIELDS:
        setattr(posting, name, getattr(parsed, name, None))
    posting.salary_text = parsed.salary
    posting.is_closed = bool(parsed.is_closed)
    if posting.is_closed and posting.closed_at is None:
        posting.closed_at = utcnow()
    posting.parsed = parsed.model_dump(mode="json", exclude={"description_html"})


def apply_fetch(posting: Posting, result: FetchResult) -> None:
    """Record the outcome on the row. A page withheld or broken stores no junk fields."""
    posting.status_reason = result.reason
    if result.status in ("fetched", "closed") and result.posting is not None and result.html:
        posting.status = "fetched"
        posting.fetched_at = utcnow()
        posting.raw_html = zlib.compress(result.html.encode(), 6)
        digest = hashlib.sha256(
            (result.posting.description_text or result.html).encode()
        ).hexdigest()
        if digest != posting.content_hash:  # new text: extract it again
            posting.content_hash, posting.rules_extraction, posting.extracted_at = (
                digest,
                None,
                None,
            )
        store_parsed(posting, result.posting)
    elif result.status == "blocked":
        posting.status = "blocked"
    else:
        posting.status = "failed"


def pending_job(
    session: Session, user_id: int, posting: Posting, parent: Job | None = None
) -> Job | None:
    """None when the posting is stored, fresh and extracted by the current rules; otherwise
    the job that will make it so: one already under way for this user, or a new scrape (a
    child of `parent`)."""
    if posting.extracted_at is not None and is_fresh(posting) and not needs_extraction(posting):
        return None
    active = session.scalar(
        select(Job)
        .where(Job.user_id == user_id, Job.posting_id == posting.id)
        .where(Job.kind.in_(("scrape", "extract")), Job.status.in_(("queued", "running")))
        .order_by(Job.created_at.desc())
    )
    if active is not None:
        return active
    if parent is None:  # by hand: counted against the user's queue
        check_queued_jobs(session, user_id)
    return create_job(session, kind="scrape", user_id=user_id, posting_id=posting.id, parent=parent)


def scrape_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    progress(0.05, "reading the posting")
    # The row lock makes concurrent scrapes of one posting (two users rating it) wait for
    # each other; the second then finds it fresh and fetches nothing.
    posting = session.get(Posting, job.posting_id, with_for_update=True)
    if posting is None:
        raise ValueError("the posting of this job no longer exists")
    if is_fresh(posting):
        return _after_fetch(session, posting, job, fetched=False)
    if posting.job_id is None:
        raise ValueError("imported posting has no LinkedIn job id to fetch")
    result = linkedin_client().fetch_posting(posting.job_id)
    if result.status == "rate_limited":
        # The posting says why it is not read yet and when it will be; the job waits for
        # the deployment-wide pause to end and is then sent again by the reaper.
        until = result.retry_at or utcnow() + timedelta(minutes=1)
        reason = result.reason or "rate limited by LinkedIn"
        if posting.status != "fetched":  # a stale but readable copy stays in use
            posting.status, posting.status_reason = "rate_limited", retry_note(reason, until)
        raise JobDeferred(until, reason)
    if result.transient:
        raise TransientJobError(result.reason or "LinkedIn did not answer")
    was_open = posting.status == "fetched" and not posting.is_closed
    apply_fetch(posting, result)
    if was_open and posting.is_closed:
        from shared.freshness.service import notify_closed

        notify_closed(session, posting)
    if posting.status != "fetched":
        # The rating stays; the posting row says why it could not be read.
        raise JobFailed(f"posting {posting.status}: {posting.status_reason or 'no reason given'}")
    return _after_fetch(session, posting, job, fetched=True)


def needs_extraction(posting: Posting) -> bool:
    from shared.extraction import rules_version

    return (posting.rules_extraction or {}).get("rules_version") != rules_version


def _after_fetch(session: Session, posting: Posting, job: Job, *, fetched: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"posting_id": posting.id, "fetched": fetched, "title": posting.title}
    if needs_extraction(posting):
        extract = create_job(
            session, kind="extract", user_id=job.user_id, posting_id=posting.id, parent=job
        )
        out["extract_job_id"] = str(extract.id)
    elif job.user_id is not None:
        from shared.training import maybe_queue_training

        maybe_queue_training(session, job.user_id, job)
    return out


def extract_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    from shared.extraction_store import extract_and_store
    from shared.training import maybe_queue_training

    posting = session.get(Posting, job.posting_id)
    if posting is None:
        raise ValueError("the posting of this job no longer exists")
    # Another user's extract job may have done it already: the same text is extracted once.
    summary = (
        extract_and_store(session, posting, user_id=job.user_id)
        if needs_extraction(posting)
        else {"posting_id": posting.id, "source": posting.extraction_source, "reused": True}
    )
    if job.user_id is not None:
        maybe_queue_training(session, job.user_id, job)
    return summary
