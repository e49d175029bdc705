"""The career map and its gaps: every posting the user rated or has a prediction for,
placed by desirability (the rating, else the expected score) against qualification match,
and the missing skills ranked by how much closing each would bring wanted postings into
reach, weighted by how much the user wants them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from shared.career.facts import posting_facts
from shared.career.match import Match, PostingFacts, UserFacts, match, weight
from shared.career.profile import get_profile, normalise_skills, user_facts
from shared.career.schemas import Gap, Thresholds, Zone
from shared.db.models import HiddenPosting, Posting, Prediction, Rating
from shared.scoring import ensure_scored
from shared.settings import get_settings
from shared.training import active_model

EXAMPLES = 5


@dataclass
class Placed:
    posting_id: int
    title: str | None
    company: str | None
    url: str | None
    desirability: float
    rated: bool
    facts: PostingFacts
    fit: Match = field(init=False)
    zone: Zone = field(init=False)


def thresholds() -> Thresholds:
    s = get_settings()
    return Thresholds(want=s.career_want_threshold, match=s.career_match_threshold)


def zone_of(desirability: float, fit: float, t: Thresholds) -> Zone:
    wanted, matching = desirability >= t.want, fit >= t.match
    if wanted:
        return "within_reach" if matching else "stretch"
    return "fallback" if matching else "elsewhere"


def parse_assume(raw: str | None) -> list[str]:
    """`assume=kubernetes,go` as vocabulary names (ValueError naming unknown ones)."""
    return normalise_skills(raw.split(",")) if raw else []


_COLUMNS = (
    Posting.id,
    Posting.title,
    Posting.company,
    Posting.url,
    Posting.extracted_at,
    Posting.years_experience,
    Posting.seniority,
)


def _rows(session: Session, user_id: int) -> list[tuple[Any, float, bool]]:
    rated = session.execute(
        select(*_COLUMNS, Rating.rating)
        .join(Rating, Rating.posting_id == Posting.id)
        .where(Rating.user_id == user_id, Posting.title.is_not(None))
    ).all()
    is_rated = exists().where(Rating.user_id == user_id, Rating.posting_id == Posting.id)
    hidden = exists().where(
        HiddenPosting.user_id == user_id, HiddenPosting.posting_id == Posting.id
    )
    predicted = session.execute(
        select(*_COLUMNS, Prediction.expected_score)
        .join(Prediction, Prediction.posting_id == Posting.id)
        .where(Prediction.user_id == user_id, Posting.is_closed.is_(False))
        .where(~is_rated, ~hidden)
    ).all()
    return [(r, float(r[-1]), True) for r in rated] + [(r, float(r[-1]), False) for r in predicted]


def placed_postings(session: Session, user_id: int) -> list[Placed]:
    """What the map is drawn from: every rated posting and every predicted one not hidden."""
    ensure_scored(session, user_id)
    rows = _rows(session, user_id)
    facts = posting_facts(session, [(r[0], r[4], r[5], r[6]) for r, _, _ in rows])
    return [
        Placed(r[0], r[1], r[2], r[3], round(desirability, 4), rated, facts[r[0]])
        for r, desirability, rated in rows
    ]


def place(items: list[Placed], user: UserFacts, t: Thresholds) -> list[Placed]:
    for item in items:
        item.fit = match(user, item.facts)
        item.zone = zone_of(item.desirability, item.fit.match, t)
    return items


def career_map(session: Session, user_id: int, assume: list[str]) -> dict[str, Any]:
    """The body of GET /career/map, in MapOut's shape."""
    t = thresholds()
    profile = get_profile(session, user_id)
    items = place(placed_postings(session, user_id), user_facts(profile, assume), t)
    items.sort(key=lambda i: (-i.desirability, -i.fit.match, i.posting_id))
    counts = dict.fromkeys(("within_reach", "stretch", "fallback", "elsewhere"), 0)
    for i in items:
        counts[i.zone] += 1
    model = active_model(session, user_id)
    n_ratings = session.scalar(select(func.count()).where(Rating.user_id == user_id)) or 0
    # Plain dicts in MapOut's shape: validating 2 000 postings would be most of the request.
    postings = [
        {
            "posting_id": i.posting_id,
            "title": i.title,
            "company": i.company,
            "url": i.url,
            "desirability": i.desirability,
            "rated": i.rated,
            "match": i.fit.match,
            "zone": i.zone,
            "missing_skills": i.fit.missing_skills,
        }
        for i in items
    ]
    return {
        "postings": postings,
        "thresholds": t.model_dump(),
        "counts": counts,
        "assumed": assume,
        "profile": bool(profile and profile.skills),
        "ratings": n_ratings,
        "model_version": model.version if model else None,
        "heuristic": model is None,
    }


@dataclass
class _Tally:
    asking: int = 0
    unlocked: int = 0
    gain: float = 0.0
    contributions: list[tuple[float, int]] = field(default_factory=list)


def rank_gaps(items: list[Placed], t: Thresholds) -> list[Gap]:
    """For each skill missing from stretch postings: how many ask for it, how many it alone
    would bring within reach, and the sum of desirability × match gained."""
    tally: dict[str, _Tally] = defaultdict(_Tally)
    for item in items:
        if item.zone != "stretch":
            continue
        for skill in item.fit.missing_skills:
            lifted = item.fit.with_skill(weight(item.facts, skill))
            gained = item.desirability * (lifted - item.fit.match)
            entry = tally[skill]
            entry.asking += 1
            entry.unlocked += lifted >= t.match
            entry.gain += gained
            entry.contributions.append((gained, item.posting_id))
    gaps = [
        Gap(
            skill=skill,
            postings_asking=e.asking,
            postings_unlocked=e.unlocked,
            desirability_gain=round(e.gain, 2),
            examples=[pid for _, pid in sorted(e.contributions, key=lambda c: -c[0])[:EXAMPLES]],
        )
        for skill, e in tally.items()
    ]
    gaps.sort(key=lambda g: (-g.desirability_gain, -g.postings_unlocked, g.skill.casefold()))
    return gaps


def experience_gap(items: list[Placed], user: UserFacts, t: Thresholds) -> dict[str, Any]:
    """Stretch postings held back by years of experience, and how many closing it would
    bring within reach on its own."""
    short = [i for i in items if i.zone == "stretch" and i.fit.experience_gap_years > 0]
    unlocked = sum(
        1
        for i in short
        if i.fit.experience_factor and i.fit.match / i.fit.experience_factor >= t.match
    )
    gaps = [i.fit.experience_gap_years for i in short]
    return {
        "years_experience": user.years_experience,
        "stretch_postings_short": len(short),
        "median_gap_years": round(median(gaps), 1) if gaps else None,
        "max_gap_years": max(gaps) if gaps else None,
        "postings_unlocked": unlocked,
    }
