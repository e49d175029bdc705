"""A search job: LinkedIn search -> store the cards as postings -> scrape and extract the new
ones through the shared rate limit -> score them for the user -> the ranked list."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from shared.db.models import Job, Posting
from shared.extraction_store import extract_and_store
from shared.jobs import JobFailed, Progress
from shared.linkedin import SearchCard, SearchError, SearchQuery, parse_search_url
from shared.postings import apply_fetch, is_fresh, linkedin_client
from shared.ratings import insert_posting
from shared.recommendations import item
from shared.scoring import score_postings

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
    assert job.user_id is not None
    query = query_from_params(job.params)
    limit = int(job.params.get("limit", 25))
    client = linkedin_client()
    progress(0.02, "searching LinkedIn")
    note = None
    try:
        cards = client.search(query, limit=limit)
    except SearchError as exc:
        if not exc.cards:
            raise JobFailed(f"LinkedIn search {exc.status}: {exc.reason}") from None
        cards, note = exc.cards, f"search stopped early ({exc.reason}); ranked what was found"
    postings = [store_card(session, c) for c in cards]
    new = [p for p in postings if not is_fresh(p)]
    for i, posting in enumerate(new, 1):
        progress(0.1 + 0.8 * i / max(len(new), 1), f"reading posting {i} of {len(new)}")
        assert posting.job_id is not None
        result = client.fetch_posting(posting.job_id)
        apply_fetch(posting, result)
        if posting.status == "fetched":
            extract_and_store(session, posting, user_id=job.user_id)
    session.flush()
    usable = [p for p in postings if p.title is not None]
    progress(0.95, "ranking")
    scores, _ = score_postings(session, job.user_id, usable)
    ranked = sorted(zip(usable, scores, strict=True), key=lambda ps: -ps[1]["expected_score"])
    return {
        "items": [item(p, s) for p, s in ranked],
        "total": len(cards),
        "new_postings": len(new),
        "note": note,
        "query": query.model_dump(mode="json"),
    }
