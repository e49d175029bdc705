"""Qualification match for one posting, 0..1, and why.

match = skills × experience × seniority:
- skills: the weighted share of the posting's skills the user has, a required skill
  weighing REQUIRED_WEIGHT and a nice-to-have one NICE_WEIGHT (a posting naming no
  skills asks for none the user lacks: 1.0);
- experience: 1 - YEAR_PENALTY per year the user is short of the posting's minimum;
- seniority: 1 - LEVEL_PENALTY per level the posting sits above the user.
Unknown years or seniority (on either side) cost nothing: we only count gaps we can see."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

from shared.extraction.fields import seniority as seniority_of
from shared.extraction.models import PostingText

REQUIRED_WEIGHT = 1.0
NICE_WEIGHT = 0.5
YEAR_PENALTY = 0.1
LEVEL_PENALTY = 0.15
LEVELS = ("internship", "entry", "associate", "mid-senior", "director", "executive")


@dataclass(frozen=True)
class UserFacts:
    skills: frozenset[str]
    years_experience: float | None = None
    seniority: str | None = None


@dataclass(frozen=True)
class PostingFacts:
    posting_id: int
    skills: tuple[str, ...]
    nice_to_have: frozenset[str] = frozenset()
    years_experience: float | None = None
    seniority: str | None = None  # a LinkedIn label or one of LEVELS


@dataclass(slots=True)
class Match:
    match: float
    skills_share: float
    experience_factor: float
    seniority_factor: float
    missing_skills: list[str] = field(default_factory=list)  # required first
    experience_gap_years: float = 0.0
    seniority_gap_levels: int = 0
    # For what-ifs: adding a skill of weight w lifts the match to (have + w) / total × factors.
    have_weight: float = 0.0
    total_weight: float = 0.0

    def with_skill(self, w: float) -> float:
        """The match if the user also had one more missing skill of weight w."""
        if not self.total_weight:
            return self.match
        share = min(1.0, (self.have_weight + w) / self.total_weight)
        return round(share * self.experience_factor * self.seniority_factor, 4)

    def public(self) -> dict[str, object]:
        return {
            "match": self.match,
            "missing_skills": self.missing_skills,
            "experience_gap_years": self.experience_gap_years,
            "seniority_gap_levels": self.seniority_gap_levels,
        }


@lru_cache(maxsize=256)
def level(label: str | None) -> int | None:
    """A seniority label ("Mid-Senior level", "mid-senior", "Entry level") as 0..5."""
    if not label:
        return None
    name = label if label in LEVELS else seniority_of(PostingText(seniority=label))
    return LEVELS.index(name) if name in LEVELS else None


def weight(posting: PostingFacts, skill: str) -> float:
    return NICE_WEIGHT if skill in posting.nice_to_have else REQUIRED_WEIGHT


def match(user: UserFacts, posting: PostingFacts, extra: Collection[str] = ()) -> Match:
    """The match, as if the user also had the `extra` skills (a what-if). On the map's hot
    path (once per posting per request), hence the plain loop."""
    owned, nice = user.skills, posting.nice_to_have
    total = have = 0.0
    missing_required: list[str] = []
    missing_nice: list[str] = []
    for skill in posting.skills:
        w = NICE_WEIGHT if skill in nice else REQUIRED_WEIGHT
        total += w
        if skill in owned or skill in extra:
            have += w
        elif w < REQUIRED_WEIGHT:
            missing_nice.append(skill)
        else:
            missing_required.append(skill)
    share = have / total if total else 1.0
    gap_years = 0.0
    if posting.years_experience is not None and user.years_experience is not None:
        gap_years = max(0.0, float(posting.years_experience) - user.years_experience)
    experience = max(0.0, 1.0 - YEAR_PENALTY * gap_years)
    gap_levels = 0
    if posting.seniority and user.seniority:
        wanted, have_level = level(posting.seniority), level(user.seniority)
        if wanted is not None and have_level is not None:
            gap_levels = max(0, wanted - have_level)
    senior = max(0.0, 1.0 - LEVEL_PENALTY * gap_levels)
    return Match(
        round(share * experience * senior, 4),
        share,
        experience,
        senior,
        missing_required + missing_nice if missing_nice else missing_required,
        round(gap_years, 1),
        gap_levels,
        have,
        total,
    )
