"""Match for a handful of postings at once: what Predict and the recommendation cards show."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.career.match import Match, PostingFacts, match
from shared.career.profile import get_profile, user_facts
from shared.career.requirements import is_stale, refresh_nice_to_have
from shared.db.models import Posting, PostingRequirement


def matches_for(session: Session, user_id: int, postings: list[Posting]) -> dict[int, Match]:
    if not postings:
        return {}
    user = user_facts(get_profile(session, user_id))
    stored = {
        r.posting_id: r
        for r in session.scalars(
            select(PostingRequirement).where(
                PostingRequirement.posting_id.in_([p.id for p in postings])
            )
        )
    }
    nice: dict[int, set[str]] = {pid: set(r.nice_to_have) for pid, r in stored.items()}
    stale = [
        p.id
        for p in postings
        if is_stale(
            stored[p.id].extracted_at if p.id in stored else None, p.extracted_at, p.id in stored
        )
    ]
    nice.update(refresh_nice_to_have(session, stale) if stale else {})
    return {
        p.id: match(
            user,
            PostingFacts(
                p.id,
                tuple(p.skills or ()),
                frozenset(nice.get(p.id, ())),
                p.years_experience,
                p.seniority,
            ),
        )
        for p in postings
    }
