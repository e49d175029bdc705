"""Match for a handful of postings at once: what Predict and the recommendation cards show."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.career.facts import posting_facts
from shared.career.match import Match, match
from shared.career.profile import get_profile, user_facts
from shared.db.models import Posting

# What a posting shows when there is no match to give: the same keys, nothing claimed.
NO_MATCH: dict[str, object] = {
    "match": None,
    "missing_skills": [],
    "experience_gap_years": None,
    "seniority_gap_levels": None,
}


def matches_for(session: Session, user_id: int, postings: list[Posting]) -> dict[int, Match]:
    """Matches by posting id; none at all for a user with no profile, because a match means
    something only against skills and experience the user gave ("0 %, missing everything"
    would be a claim about a profile that does not exist)."""
    profile = get_profile(session, user_id) if postings else None
    if profile is None:
        return {}
    user = user_facts(profile)
    facts = posting_facts(
        session, [(p.id, p.extracted_at, p.years_experience, p.seniority) for p in postings]
    )
    return {pid: match(user, f) for pid, f in facts.items()}


def match_fields(fits: dict[int, Match], posting_id: int) -> dict[str, object]:
    fit = fits.get(posting_id)
    return fit.public() if fit is not None else NO_MATCH
