"""A search job: LinkedIn search -> store the cards as postings -> scrape and extract the new
ones as child jobs, through the fair dispatcher and the shared rate limit -> score them for
the user in a child rank job on the extract queue -> the ranked list.

The search itself runs on the scrape queue (its LinkedIn request shares the scrape worker's
rate limit) and never scores: the scoring stack (pandas, scipy, scikit-learn, the user's
model) is loaded only by the processes that have it anyway, so a scrape worker stays lean."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db.models import Job, Posting
from shared.jobs import ACTIVE, JobFailed, JobWaiting, Progress, create_job
from shared.linkedin import SearchCard, SearchError, SearchQuery, parse_search_url
from shared.postings import is_fresh, linkedin_client
from shared.ratings import insert_posting
from shared.recommendations import item

RANK = "rank"  # the child job kind that ranks a search's finds (shared.queue.ROUTES)

DATE_POSTED = {"day": 86_400, "week": 604_800, "month": 2_592_000}
JOB_TYPES = {
    "full-time": "F",
    "part-time": "P",
    "contract": "C",
    "temporary": "T",
    "internship": "I",
}


def query_from_params(params: dict[str, Any]) -> SearchQuery:
    if params.get("url"):
        return parse_search_url(params["url"])
    filters = params.get("filters") or {}
    date_posted = filters.get("date_posted")
    if date_posted and date_posted not in DATE_POSTED:
        raise ValueError("filters.date_posted must be day, week or month")
    return SearchQuery(
        keywords=params.get("keywords", ""),
        location=params.get("location", ""),
        posted_within_seconds=DATE_POSTED.get(date_posted) if date_posted else None,
        workplace=filters.get("workplace") or [],
        experience=filters.get("experience") or [],
        job_types=[JOB_TYPES.get(t, t) for t in filters.get("job_type") or []],
        salary_band=filters.get("salary_band"),
    )


def store_card(session: Session, card: SearchCard) -> Posting:
    posting = insert_posting(session, card.job_id)
    if posting.title is None:  # a card never overwrites what the full page said
        posting.company, posting.location = card.company, card.location
        posting.salary_text = posting.salary_text or card.salary
    return posting


def search_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    """Passes that each wait for child jobs without holding a worker. First: one LinkedIn
    search, the cards stored, a child scrape job per posting not yet read (they go through
    the fair dispatcher like anyone's). Once they are done: a child rank job (`rank_work`).
    Once it is done: its ranked list is the search's result."""
    assert job.user_id is not None
    if "found" not in job.params:
        _find(session, job, progress)
    return _ranked(session, job, progress)


def _find(session: Session, job: Job, progress: Progress) -> None:
    """Store the cards and queue the scrapes, then wait for them (JobWaiting) if any."""
    query = query_from_params(job.params)
    progress(0.02, "searching LinkedIn")
    note = None
    try:
        cards = linkedin_client().search(query, limit=int(job.params.get("limit", 25)))
    except SearchError as exc:
        if not exc.cards:
            raise JobFailed(f"LinkedIn search {exc.status}: {exc.reason}") from None
        cards, note = exc.cards, f"search stopped early ({exc.reason}); ranked what was found"
    postings = [store_card(session, c) for c in cards]
    session.flush()
    new = [p for p in postings if not (is_fresh(p) and p.extracted_at is not None)]
    for posting in new:
        create_job(session, kind="scrape", user_id=job.user_id, posting_id=posting.id, parent=job)
    job.params = {
        **job.params,
        "found": [p.id for p in postings],
        "new_postings": len(new),
        "note": note,
        "query": query.model_dump(mode="json"),
    }
    if new:
        raise JobWaiting(f"reading postings: 0 of {len(new)} done")


def _ranked(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    """The rank child's list, or JobWaiting while there is none yet. The child and its id in
    the params are written in the same commit as the wait, so a retried pass finds either
    both or neither."""
    rank_id = job.params.get("rank_job")
    rank = session.get(Job, uuid.UUID(rank_id)) if rank_id else None
    if rank is None:
        progress(0.95, "ranking")
        found = {"found": job.params["found"]}
        rank = create_job(session, kind=RANK, user_id=job.user_id, params=found, parent=job)
        job.params = {**job.params, "rank_job": str(rank.id)}
        raise JobWaiting("ranking")
    if rank.status in ACTIVE:  # a pass re-sent while its child works: wait for it again
        raise JobWaiting("ranking")
    if rank.status != "succeeded" or rank.result is None:
        raise JobFailed(rank.error or rank.message or "ranking did not finish")
    return {
        "items": rank.result["items"],
        "total": len(job.params["found"]),
        "new_postings": job.params["new_postings"],
        "note": job.params["note"],
        "query": job.params["query"],
    }


def rank_work(session: Session, job: Job, progress: Progress) -> dict[str, Any]:
    """A search's rank child, on the extract queue: the postings found, scored for the user,
    best first, with their reasons."""
    from shared.scoring import score_postings

    assert job.user_id is not None
    found = job.params["found"]
    rows = {p.id: p for p in session.scalars(select(Posting).where(Posting.id.in_(found)))}
    usable = [rows[i] for i in found if i in rows and rows[i].title is not None]
    scores, _ = score_postings(session, job.user_id, usable, explain=True)
    ranked = sorted(zip(usable, scores, strict=True), key=lambda ps: -ps[1]["expected_score"])
    return {"items": [item(p, s, s["explanation"]) for p, s in ranked]}
