"""Match for a handful of postings at once: what Predict and the recommendation cards show."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.career.facts import posting_facts
from shared.career.match import Match, match
from shared.career.profile import get_profile, user_facts
from shared.db.models import Posting


def matches_for(session: Session, user_id: int, postings: list[Posting]) -> dict[int, Match]:
    if not postings:
        return {}
    user = user_facts(get_profile(session, user_id))
    facts = posting_facts(
        session, [(p.id, p.extracted_at, p.years_experience, p.seniority) for p in postings]
    )
    return {pid: match(user, f) for pid, f in facts.items()}
