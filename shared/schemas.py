"""API shapes, shared by the REST routes and the pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, computed_field, field_validator

RATING_ERROR = "rating must be 0, 1, 2 or 3"


class Credentials(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1000)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    created_at: datetime


class SignupOut(BaseModel):
    user: UserPublic
    token: str


class TokenOut(BaseModel):
    token: str


class RatingIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000)
    # Strict: the JSON string "3" and `true` are refused, not coerced.
    rating: StrictInt

    @field_validator("rating")
    @classmethod
    def _range(cls, v: int) -> int:
        if v not in (0, 1, 2, 3):
            raise ValueError(RATING_ERROR)
        return v


class RatingPatch(BaseModel):
    rating: StrictInt

    _range = field_validator("rating")(RatingIn._range.__func__)  # type: ignore[attr-defined]


class PostingFacts(BaseModel):
    """A posting's shown fields but its description (PostingPublic has it whole, a list's
    PostingCard its first lines)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    job_id: str | None
    url: str | None
    source: str
    status: str
    status_reason: str | None
    is_closed: bool
    fetched_at: datetime | None
    title: str | None
    company: str | None
    company_url: str | None
    location: str | None
    posted_at: datetime | None
    applicants: int | None
    seniority: str | None
    employment_type: str | None
    job_function: str | None
    industries: str | None
    workplace_type: str | None
    salary_text: str | None
    salary_currency: str | None
    salary_period: str | None
    annual_min: float | None
    annual_max: float | None
    # How the pay was chosen from a table of ranges: "range for the posting's location",
    # "range across 3 locations" (None when the posting states one range).
    salary_basis: str | None
    country: str | None
    years_experience: float | None
    skills: list[str] | None
    extraction_source: str | None
    apply_url: str | None


class PostingPublic(PostingFacts):
    description_text: str | None


SNIPPET_CHARS = 280


def snippet(text: str | None) -> str | None:
    """The first SNIPPET_CHARS of the text, cut at a word, with "…" when there is more (the
    first SNIPPET_CHARS + 1 characters give the same snippet as the whole text)."""
    if text is None or len(text) <= SNIPPET_CHARS:
        return text
    head = text[:SNIPPET_CHARS]
    words = head.rsplit(maxsplit=1)
    cut = words[0] if len(words) == 2 else head  # a last word may be cut off mid-way
    return cut.rstrip(" ,;:.-") + "…"


class PostingCard(PostingFacts):
    """A posting in a list (recommendations, search results, saved-search matches) or in a
    rating's answer."""

    # A default only so that `of` validates the row alone, then sets it: a third of the
    # cost of validating the facts and copying them into a new card.
    description_snippet: str | None = Field(
        None, description="the description's first 280 characters; GET /postings/{id} has it all"
    )

    @classmethod
    def of(cls, posting: Any) -> PostingCard:
        """The card of a posting: its row, or a statement's row whose `description_text`
        holds at least the first SNIPPET_CHARS + 1 characters."""
        card = cls.model_validate(posting)
        card.description_snippet = snippet(posting.description_text)
        return card


class RatingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    rating: int
    posting_id: int
    title: str | None = None
    company: str | None = None
    posting_status: str | None = None
    # Why the posting is not (yet) read, e.g. rate limited and when it will be tried again.
    posting_status_reason: str | None = None
    created_at: datetime
    updated_at: datetime


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    priority: str
    parent_id: uuid.UUID | None
    status: str
    progress: float
    message: str | None
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ModelVersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, protected_namespaces=())
    id: int
    version: int
    algorithm: str
    hyperparams: dict[str, Any]
    feature_version: str
    metrics: dict[str, Any]
    leaderboard: list[dict[str, Any]]
    n_ratings: int
    train_seconds: float
    is_active: bool
    artifact_sha256: str
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> str:
        """How it did against always guessing the usual rating and the heuristic, in words."""
        from shared.ml.baselines import verdict

        return verdict(self.metrics)


class RatingSubmitted(BaseModel):
    rating: RatingPublic
    posting: PostingCard  # an acknowledgement: GET /postings/{id} has the whole text
    # The scrape (and extraction) queued for the posting; null when its stored copy is
    # fresh and extracted, so there is nothing to wait for.
    job: JobPublic | None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
