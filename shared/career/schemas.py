"""API shapes of the career path: the profile in and out, the map, the gaps and the plan."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.career.match import LEVELS

SkillSource = Literal["manual", "resume", "resume_llm"]
Zone = Literal["within_reach", "stretch", "fallback", "elsewhere"]
ZONES: tuple[Zone, ...] = ("within_reach", "stretch", "fallback", "elsewhere")
SeniorityLevel = Literal["internship", "entry", "associate", "mid-senior", "director", "executive"]
assert tuple(SeniorityLevel.__args__) == LEVELS  # type: ignore[attr-defined]


class ProfileIn(BaseModel):
    """Only the fields sent change; `skills` is the whole reviewed list."""

    model_config = ConfigDict(extra="forbid")
    skills: list[str] | None = Field(None, max_length=300)
    years_experience: float | None = Field(None, ge=0, le=60)
    current_title: str | None = Field(None, max_length=200)
    seniority: SeniorityLevel | None = None
    resume_text: str | None = Field(None, max_length=200_000)


class SkillOut(BaseModel):
    name: str
    source: SkillSource


class ProfileOut(BaseModel):
    skills: list[SkillOut]
    # Read from the resume and waiting for review: they count only once confirmed.
    suggested_skills: list[SkillOut]
    suggested_years_experience: float | None
    years_experience: float | None
    current_title: str | None
    seniority: str | None
    resume_filename: str | None
    resume_text: str | None
    resume_extraction: str | None
    resume_max_bytes: int
    updated_at: datetime | None


class MapPosting(BaseModel):
    posting_id: int
    title: str | None
    company: str | None
    url: str | None
    desirability: float
    rated: bool
    match: float
    zone: Zone
    missing_skills: list[str]


class Thresholds(BaseModel):
    want: float
    match: float


class MapOut(BaseModel):
    postings: list[MapPosting]
    thresholds: Thresholds
    counts: dict[str, int]
    assumed: list[str]
    profile: bool
    ratings: int
    model_version: int | None
    heuristic: bool


class Gap(BaseModel):
    skill: str
    postings_asking: int
    postings_unlocked: int
    desirability_gain: float
    examples: list[int]


class PlanStep(BaseModel):
    step: str
    why: str
    skill: str | None = None
    postings_asking: int | None = None
    postings_unlocked: int | None = None
    desirability_gain: float | None = None


class Plan(BaseModel):
    steps: list[PlanStep]
    narrative: str | None
    source: str  # template | llm | llm_cached
    fallback_reason: str | None = None


class GapsOut(BaseModel):
    target_postings: int
    within_reach: int
    gaps: list[Gap]
    experience: dict[str, float | int | None]
    plan: list[PlanStep]
    narrative: str | None
    plan_source: str
    plan_fallback_reason: str | None
    assumed: list[str]
    moves_into_reach: list[int]
    thresholds: Thresholds
